"""Rebuilding a centre hub whose disk died from the province's copy (`motcua hub province rebuild`,
docs/province.md): on an empty data directory, trade the one-time code for a new epoch and broker
account, fetch every row the province holds of the centre's sites (HTTP, the new sync account), put
them back in one transaction with the sync started under the new epoch, and write `province.json`."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import sqlite_utils

from hub.ops import sync_rebuild
from hub.ops.run import Runner
from hub.store import sync_rebuild as store
from hub.sync.join import JoinError, link_from, post_json
from hub.sync.paths import write_link


def rebuild_centre(db: sqlite_utils.Database, data_dir: Path, hub_url: str, code: str, *, plain: bool = False,
                   runner: Runner | None = None) -> dict:
    """Rebuild; returns what was put back (per table) and, per site, rows the centre wrote that never
    reached the province. Raises JoinError or DomainError; an interrupted rebuild leaves the data
    directory empty (one transaction), to be run again with a new code."""
    if not store.is_empty(db):
        raise JoinError("thư mục dữ liệu này đã có đơn vị hoặc hồ sơ: chỉ dựng lại vào thư mục trống "
                        "(motcua hub init --data …)")
    answer = post_json(hub_url, "/api/v1/province/rebuild", {"code": code})
    link = link_from(answer, hub_url, data_dir, plain)
    rows = {s["site"]: fetch_rows(hub_url, link, s["site"]) for s in answer["sites"]}
    done = (runner or Runner(db)).run(None, lambda ctx: sync_rebuild.rebuild(ctx, answer, rows))
    write_link(data_dir, link)
    return {**done, "unsent": {s["site"]: s["unsent"] for s in answer["sites"]}, "province": answer.get("province")}


def fetch_rows(hub_url: str, link: dict, site: str) -> list[dict]:
    """Every row the province holds of `site`, page by page."""
    auth = base64.b64encode(f"{link['username']}:{link['password']}".encode()).decode()
    out: list[dict] = []
    after = ("", "")
    while True:
        q = urllib.parse.urlencode({"site": site, "after_kind": after[0], "after_key": after[1]})
        req = urllib.request.Request(f"{hub_url.rstrip('/')}/api/v1/province/rebuild/rows?{q}",
                                     headers={"Authorization": f"Basic {auth}"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                page = json.loads(r.read())
        except (urllib.error.URLError, OSError) as exc:
            raise JoinError(f"không tải được dữ liệu của {site} từ hub tỉnh: {exc}") from None
        out.extend(page["rows"])
        if page["last"] or not page["rows"]:
            return out
        after = (page["rows"][-1]["kind"], page["rows"][-1]["key"])
