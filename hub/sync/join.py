"""Joining a province from a centre hub (`motcua hub province join`): trade the one-time code for the
centre's broker account and epoch over HTTP, start the outbox under that epoch (the whole database
captured in the same transaction), and write `<data>/province.json` (0600) for the link."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import sqlite_utils

from hub.ops import sync as ops
from hub.ops.run import Runner
from hub.ops.sync_route import local_prefixes
from hub.store.sites import list_sites
from hub.sync.paths import write_link


class JoinError(Exception):
    """The province refused or could not be reached; the message is for people (Vietnamese)."""


def join_province(db: sqlite_utils.Database, data_dir: Path, hub_url: str, code: str, *, plain: bool = False,
                  runner: Runner | None = None) -> tuple[dict, int]:
    """Join; returns the link settings and the number of sites. Raises JoinError or DomainError."""
    sites = list(list_sites(db))
    if not sites:
        raise JoinError("chưa có đơn vị nào: nạp đơn vị trước (motcua hub site load)")
    answer = post_json(hub_url, "/api/v1/province/join", {"code": code, "sites": sites,
                                                              "agency_codes": local_prefixes(db, sites)})
    link = link_from(answer, hub_url, data_dir, plain)
    n = (runner or Runner(db)).run(None, lambda ctx: ops.start_centre(ctx, answer))
    write_link(data_dir, link)
    return link, n


def post_json(hub_url: str, path: str, body: dict) -> dict:
    """POST to the provincial hub; a refusal or no answer is a JoinError in the province's words."""
    req = urllib.request.Request(hub_url.rstrip("/") + path, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as exc:
        try:
            err = json.loads(exc.read()).get("error") or {}
        except ValueError:
            err = {}
        raise JoinError(err.get("message_vi") or err.get("message") or str(exc)) from None
    except (urllib.error.URLError, OSError) as exc:
        raise JoinError(f"không kết nối được tới hub tỉnh {hub_url}: {exc}") from None


def link_from(answer: dict, hub_url: str, data_dir: Path, plain: bool) -> dict:
    """The link settings from the province's answer (its CA written beside them when it has TLS)."""
    link = {"centre": answer["centre"], "epoch": answer["epoch"], "province": answer.get("province", ""),
            "hub": hub_url, "host": answer.get("broker_host") or urlparse(hub_url).hostname or "127.0.0.1",
            "port": answer["broker_port"], "username": answer["username"], "password": answer["password"],
            "ca_file": None}
    if answer.get("tls") and not plain:
        ca = data_dir / "province-ca.pem"
        ca.write_text(answer["ca_cert"], encoding="utf-8")
        link["ca_file"] = str(ca)
    return link
