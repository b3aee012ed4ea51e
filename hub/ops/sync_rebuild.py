"""A centre hub whose disk died, rebuilt from the province's copy (docs/province.md, "A centre rebuilt
from the province's copy"), and what a centre sends up so that the province can do it: each site's
configuration (services, counters, officers without their credentials, dossier settings) and device
registry, whenever it changes.

At the province, `rebuild_join` trades a one-time code (`province add-centre`, as for a rejoin) for a new
epoch and broker account and says which sites the centre had; the rebuilt centre then fetches its rows
page by page and `rebuild` puts them back in one transaction, with its sync started under the new epoch."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import sqlite_utils

from hub.domain import sync as rules
from hub.domain import sync_route as file_rules
from hub.ops import sync as sync_ops
from hub.ops.context import Ctx
from hub.ops.sites import load_site
from hub.store import dossiers as dossier_store
from hub.store import site_config
from hub.store import sites as site_store
from hub.store import sync as sync_store
from hub.store import sync_rebuild as store
from hub.store.db import get_meta, set_meta
from motcua_core import enrol_code
from motcua_core.errors import DomainError

PAGE = 500
FILE_PAGE = 200


# --- at a centre, while it runs: what the province keeps for a rebuild -------------------------------------

def config_snapshot(db: sqlite_utils.Database, site: str) -> dict:
    """What the province keeps of a site to rebuild it: its configuration as `site load` takes it
    (officers without PINs or badges), its retired services and counters (their history keeps their
    names), its dossier settings, its devices (with their secret hashes)."""
    config = site_config.export(db, site)
    names = store.officer_usernames(db, site)  # sign-in names are no credential: officers keep theirs
    config["officers"] = [{**o, "username": names[o["id"]]} if names.get(o["id"]) else o for o in config["officers"]]
    retired = {"services": site_store.service_docs(db, site, active=False),
               "counters": [{"number": c.number, "name": c.name, "services": list(c.services)}
                            for c in site_store.list_counters(db, site, retired=True)]}
    return {"config": config, "retired": retired, "settings": _own_settings(db, site),
            "devices": store.device_rows(db, site)}


def _own_settings(db: sqlite_utils.Database, site: str) -> dict:
    return dossier_store.own_settings(db, site)


def config_changes(db: sqlite_utils.Database, sites: list[str]) -> dict[str, dict]:
    """The sites whose snapshot differs from the one last put in the outbox (a read)."""
    out = {}
    for site in sites:
        snap = config_snapshot(db, site)
        if get_meta(db, f"sync_config:{site}") != _digest(snap):
            out[site] = snap
    return out


def _digest(snap: dict) -> str:
    return hashlib.sha256(rules.canonical(snap).encode()).hexdigest()


def note_config(ctx: Ctx) -> int:
    """Put each site's changed snapshot in the outbox (in this transaction)."""
    changed = config_changes(ctx.db, [s["site_id"] for s in sync_store.link_sites(ctx.db)])
    for site, snap in changed.items():
        sync_store.enqueue(ctx.db, site, "site_config", site, snap, ctx.now)
        set_meta(ctx.db, f"sync_config:{site}", _digest(snap))
    return len(changed)


# --- at the province ------------------------------------------------------------------------------

def rebuild_join(ctx: Ctx, code: str, addr: str) -> dict:
    """A centre rebuilding itself: its one-time code gives a new epoch and broker account (as a rejoin
    does) and the sites it had, with how far each got: rows it wrote that the province never received
    (`unsent`) are not in the copy."""
    centre = sync_store.centre_by_code(ctx.db, _code_hash(code))
    if centre is None:
        return sync_ops.join(ctx, code, [], addr)  # refused there (wrong code, throttled) in its words
    sites = store.centre_sites(ctx.db, centre["id"])
    if not sites:
        raise DomainError("not_found", "the province holds nothing of this centre: join it instead",
                          "Tỉnh chưa có dữ liệu nào của trung tâm này: hãy dùng lệnh join.")
    joined = sync_ops.join(ctx, code, [s["site_id"] for s in sites], addr)
    ctx.changed("province.rebuild", centre["id"], None, {"sites": [s["site_id"] for s in sites]})
    return {**joined, "sites": [{"site": s["site_id"], "received": s["hwm"],
                                 "unsent": max(0, (s["centre_seq"] or 0) - (s["hwm"] or 0))} for s in sites]}


def _code_hash(code: str) -> str:
    return enrol_code.code_hash(code)


def copied_page(ctx: Ctx, centre: str, site: str, after_kind: str, after_key: str) -> dict:
    """One page of a centre's copied rows, for that centre only (the caller authenticated it)."""
    _own(ctx, centre, site)
    rows = store.copied_page(ctx.db, site, after_kind, after_key, PAGE)
    return {"site": site, "rows": rows, "last": len(rows) < PAGE}


def copied_files(ctx: Ctx, centre: str, site: str, after: int) -> dict:
    """One page of the descriptions of a centre's dossier files (complete ones), for that centre only."""
    _own(ctx, centre, site)
    found = store.copied_files(ctx.db, site, after, FILE_PAGE)
    return {"site": site, "files": found, "last": len(found) < FILE_PAGE}


def file_piece(ctx: Ctx, centre: str, site: str, file_id: int, n: int) -> dict:
    """Piece `n` of one of a centre's files (base64, as the sync cuts them), for that centre only."""
    _own(ctx, centre, site)
    raw = store.file_slice(ctx.db, site, file_id, n * file_rules.FILE_PIECE, file_rules.FILE_PIECE)
    if raw is None or n < 0:
        raise DomainError("not_found", f"no file {file_id} of site {site!r}", "Không có tệp này của đơn vị.")
    return {"id": file_id, "n": n, "data": base64.b64encode(raw).decode()}


def _own(ctx: Ctx, centre: str, site: str) -> None:
    if sync_store.site_owner(ctx.db, site) != centre:
        raise DomainError("not_found", f"no site {site!r} of this centre", "Không có đơn vị này của trung tâm.")


# --- at the rebuilt centre ------------------------------------------------------------------------

def rebuild(ctx: Ctx, joined: dict, rows: dict[str, list[dict]],
            files: list[tuple[str, dict, Path]] | None = None) -> dict:
    """Put the province's copy back in an empty hub, in this one transaction: each site's configuration
    (retired services and counters retired) and devices, then its records under their own ids; then the
    sync starts under the new epoch (the whole database captured again, numbered from 1) and the dossier
    files (site, description, spooled file) go back, each only if its SHA-256 is the one kept, marked as
    already sent. Officers set their PINs again (never copied)."""
    if not store.is_empty(ctx.db):
        raise DomainError("conflict", "this hub already has sites or records: rebuild only into an empty data "
                                      "directory", "Máy chủ này đã có dữ liệu: chỉ dựng lại vào thư mục dữ liệu trống.")
    counts: dict[str, int] = {}
    for site, site_rows in sorted(rows.items()):
        snaps = [r["body"] for r in site_rows if r["kind"] == "site_config"]
        if not snaps:
            raise DomainError("not_found", f"the province has no configuration of site {site}",
                              f"Tỉnh không có cấu hình của đơn vị {site}: nạp cấu hình đơn vị (site load) rồi "
                              "dựng lại.")
        snap = snaps[-1]
        retired = snap.get("retired") or {}
        config = snap["config"]
        load_site(ctx, {**config, "services": config.get("services", []) + retired.get("services", []),
                        "counters": config.get("counters", []) + retired.get("counters", [])})
        store.retire(ctx.db, site, [s["code"] for s in retired.get("services", [])],
                     [c["number"] for c in retired.get("counters", [])])
        if snap.get("settings"):
            dossier_store.set_settings(ctx.db, site, snap["settings"])
        counts["devices"] = counts.get("devices", 0) + store.put_devices(ctx.db, snap.get("devices") or [])
    for kind, table, _key in store.TABLES:
        for _site, site_rows in sorted(rows.items()):
            bodies = [r["body"] for r in site_rows if r["kind"] == kind]
            counts[table] = counts.get(table, 0) + store.put_back(ctx.db, table, bodies)
            if kind == "dossier":
                store.key_digests(ctx.db, {b["code"]: b["lookup_key_sha256"] for b in bodies
                                           if b.get("lookup_key_sha256")})
    sync_ops.start_centre(ctx, joined)  # forgets which files were sent: the files go back after it
    counts["files"] = 0
    for site, f, path in files or []:
        data = path.read_bytes()
        if file_rules.whole([data], f["stored_sha256"] or f["sha256"]) is None:
            raise DomainError("conflict", f"file {f['name']!r} of {f['code']} does not match its SHA-256",
                              f"Tệp {f['name']} của hồ sơ {f['code']} không khớp mã kiểm tra SHA-256.")
        store.put_file(ctx.db, site, f, data, ctx.now)
        counts["files"] += 1
    ctx.changed("province.rebuilt", joined["centre"], None, {"epoch": joined["epoch"], **counts})
    return {"sites": sorted(rows), "epoch": joined["epoch"], **counts}
