"""Rebuilding a centre hub whose disk died from the province's copy (`motcua hub province rebuild`,
docs/province.md): on an empty data directory, trade the one-time code for a new epoch and broker
account, fetch every row the province holds of the centre's sites and their dossier files (HTTP, the new
sync account; each file piece by piece, checked against its SHA-256, spooled under the data directory),
put them back in one transaction with the sync started under the new epoch, and write `province.json`."""

from __future__ import annotations

import base64
import json
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import sqlite_utils

from hub.domain import sync_route as file_rules
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
    with tempfile.TemporaryDirectory(prefix="rebuild-files-", dir=data_dir) as spool:
        files = [f for s in answer["sites"] for f in fetch_files(hub_url, link, s["site"], Path(spool))]
        done = (runner or Runner(db)).run(None, lambda ctx: sync_rebuild.rebuild(ctx, answer, rows, files))
    write_link(data_dir, link)
    return {**done, "unsent": {s["site"]: s["unsent"] for s in answer["sites"]}, "province": answer.get("province")}


def _get(hub_url: str, link: dict, path: str, query: dict) -> dict:
    auth = base64.b64encode(f"{link['username']}:{link['password']}".encode()).decode()
    req = urllib.request.Request(f"{hub_url.rstrip('/')}{path}?{urllib.parse.urlencode(query)}",
                                 headers={"Authorization": f"Basic {auth}"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read())
    except (urllib.error.URLError, OSError) as exc:
        raise JoinError(f"không tải được dữ liệu của {query.get('site')} từ hub tỉnh: {exc}") from None


def fetch_files(hub_url: str, link: dict, site: str, spool: Path) -> list[tuple[str, dict, Path]]:
    """Every complete dossier file the province holds of `site`, piece by piece, each written to `spool`
    once its SHA-256 is the one the province kept (a file that does not match is fetched again once)."""
    out = []
    after = 0
    while True:
        page = _get(hub_url, link, "/api/v1/province/rebuild/files", {"site": site, "after": after})
        for f in page["files"]:
            want = f["stored_sha256"] or f["sha256"]
            for _attempt in range(2):
                data = b"".join(base64.b64decode(_get(hub_url, link, "/api/v1/province/rebuild/files",
                                                      {"site": site, "file": f["id"], "n": n})["data"])
                                for n in range(file_rules.piece_count(f["size"])))
                if file_rules.whole([data], want) is not None:
                    break
            else:
                raise JoinError(f"tệp {f['name']} của hồ sơ {f['code']} tải về không khớp mã kiểm tra SHA-256")
            path = spool / f"{f['id']}"
            path.write_bytes(data)
            out.append((site, f, path))
        if page["last"] or not page["files"]:
            return out
        after = page["files"][-1]["id"]


def fetch_rows(hub_url: str, link: dict, site: str) -> list[dict]:
    """Every row the province holds of `site`, page by page."""
    out: list[dict] = []
    after = ("", "")
    while True:
        page = _get(hub_url, link, "/api/v1/province/rebuild/rows",
                    {"site": site, "after_kind": after[0], "after_key": after[1]})
        out.extend(page["rows"])
        if page["last"] or not page["rows"]:
            return out
        after = (page["rows"][-1]["kind"], page["rows"][-1]["key"])
