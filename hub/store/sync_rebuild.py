"""Rebuilding a dead centre from the province's copy (docs/province.md, "A centre rebuilt"): at the
province, a centre's copied rows page by page; at the rebuilt centre, those rows put back in their own
tables under their own ids (so events still point at their tickets and dossiers, and every numbering
series — ticket numbers per day and service, dossier codes per day, register numbers per book —
continues from what it had reached), devices with their secret hashes, and the digests of earlier
receipts' lookup keys.

Portable SQL. Writes run in the caller's transaction."""

from __future__ import annotations

import json

import sqlite_utils

from hub.store import dossier_files as files
from hub.store import memo
from hub.store import sync_route as route_store

# The province's kind of a copied row → the centre's table and its key column, in the order they are put
# back (tickets before their events, dossiers before theirs).
TABLES = (("ticket", "tickets", "id"), ("ticket_event", "ticket_events", "id"), ("dossier", "dossiers", "code"),
          ("dossier_event", "dossier_events", "id"), ("vote", "votes", "id"), ("audit", "audit_log", "id"),
          ("intake_refusal", "intake_refusals", "id"))
KINDS = tuple(k for k, _t, _c in TABLES) + ("site_config",)


# --- at the province --------------------------------------------------------------------------------

def copied_page(db: sqlite_utils.Database, site: str, after_kind: str, after_key: str, limit: int) -> list[dict]:
    """A site's copied rows after (kind, key), in that order: what a rebuilt centre fetches."""
    marks = ",".join("?" * len(KINDS))
    return [{"kind": k, "key": key, "body": json.loads(body)} for k, key, body in db.execute(
        f"SELECT kind, key, body FROM sync_rows WHERE site_id = ? AND kind IN ({marks}) AND "
        "(kind > ? OR (kind = ? AND key > ?)) ORDER BY kind, key LIMIT ?",
        [site, *KINDS, after_kind, after_kind, after_key, limit]).fetchall()]


FILE_COLS = ("id", "code", "kind", "doc_index", "name", "sha256", "stored_sha256", "size", "pages", "doc_code",
             "signed_by")


def copied_files(db: sqlite_utils.Database, site: str, after: int, limit: int) -> list[dict]:
    """A site's complete dossier files after id `after` (their descriptions, not their bytes)."""
    return [dict(zip(FILE_COLS, r, strict=True)) for r in db.execute(
        f"SELECT {', '.join(FILE_COLS)} FROM dossier_files WHERE site_id = ? AND id > ? AND completed_at IS NOT NULL "
        "AND data IS NOT NULL AND (kind <> 'result' OR doc_code IS NOT NULL) ORDER BY id LIMIT ?",
        [site, after, limit]).fetchall()]


def file_slice(db: sqlite_utils.Database, site: str, file_id: int, start: int, length: int) -> bytes | None:
    """`length` bytes of a site's complete file from byte `start` (0-based); None: no such file of the site."""
    r = db.execute("SELECT SUBSTR(data, CAST(? AS INTEGER), CAST(? AS INTEGER)) FROM dossier_files "
                   "WHERE id = ? AND site_id = ? AND completed_at IS NOT NULL AND data IS NOT NULL",
                   [start + 1, length, file_id, site]).fetchone()
    return None if r is None else bytes(r[0] or b"")


def centre_sites(db: sqlite_utils.Database, centre: str) -> list[dict]:
    """A centre's sites with the province's mark and the last sequence the centre said it had written
    (`centre_seq` above `hwm`: rows the centre wrote that never reached the province)."""
    cols = ("site_id", "epoch", "hwm", "centre_seq", "last_contact")
    return [dict(zip(cols, r, strict=True)) for r in db.execute(
        "SELECT site_id, epoch, hwm, centre_seq, last_contact FROM sync_hwm WHERE centre_id = ? ORDER BY site_id",
        [centre]).fetchall()]


# --- at the rebuilt centre --------------------------------------------------------------------------

def is_empty(db: sqlite_utils.Database) -> bool:
    """A fresh data directory: no site, no ticket, no dossier (a rebuild never writes over records)."""
    return all(db.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() is None for t in ("sites", "tickets", "dossiers"))


def columns(db: sqlite_utils.Database, table: str) -> list[str]:
    return [d[0] for d in db.execute(f"SELECT * FROM {table} LIMIT 0").description]


def put_back(db: sqlite_utils.Database, table: str, rows: list[dict]) -> int:
    """Rows of one table as the centre had them (the province's copy is the row, column → value); a row
    already there is left alone."""
    cols = columns(db, table)
    n = 0
    for body in rows:
        row = {c: body[c] for c in cols if c in body}
        if not row:
            continue
        cur = db.execute(f"INSERT INTO {table}({', '.join(row)}) VALUES({', '.join('?' for _ in row)}) "
                         "ON CONFLICT DO NOTHING", list(row.values()))
        n += cur.rowcount or 0
    return n


def put_devices(db: sqlite_utils.Database, devices: list[dict]) -> int:
    """The site's devices as the centre registered them, with their secret hashes (PBKDF2 of a random
    secret, as the broker keeps it): each device connects again with the secret it holds."""
    return put_back(db, "devices", [{**d, "status": "never"} for d in devices])


def key_digests(db: sqlite_utils.Database, digests: dict[str, str]) -> None:
    for code, sha in digests.items():
        db.execute("INSERT INTO dossier_key_digests(code, sha256) VALUES(?, ?) ON CONFLICT(code) DO NOTHING",
                   [code, sha])


def key_digest(db: sqlite_utils.Database, code: str) -> str | None:
    """The digest of an earlier receipt's lookup key (a centre rebuilt from the province), or None."""
    row = db.execute("SELECT sha256 FROM dossier_key_digests WHERE code = ?", [code]).fetchone()
    return row[0] if row else None


def put_file(db: sqlite_utils.Database, site: str, f: dict, data: bytes, now: float) -> int:
    """A dossier's file as the province kept it, complete and marked sent (it does not go up again)."""
    fid = files.declare(db, {"site_id": site, "code": f["code"], "kind": f["kind"], "doc_index": f["doc_index"],
                             "name": f["name"], "sha256": f["sha256"], "size": len(data), "pages": f["pages"] or 0,
                             "chunks": 1, "declared_at": now})
    files.complete(db, fid, data, now, stored_sha256=f["stored_sha256"] or f["sha256"], doc_code=f["doc_code"],
                   signed_by=f["signed_by"])
    route_store.mark_sent(db, fid, now)
    return fid


def retire(db: sqlite_utils.Database, site: str, services: list[str], counters: list[int]) -> None:
    """Services and counters put back retired (as the centre had them: kept for their history's names)."""
    for code in services:
        db.execute("UPDATE services SET active = 0 WHERE site_id = ? AND code = ?", [site, code])
    for number in counters:
        db.execute("UPDATE counters SET active = 0 WHERE site_id = ? AND number = ?", [site, number])
    memo.forget(db)


def device_rows(db: sqlite_utils.Database, site: str) -> list[dict]:
    """A site's device registry as the province keeps it: no presence, no health (those change by the
    second and come up as presence summaries)."""
    cols = ("id", "site_id", "role", "name", "secret_hash", "counter", "hardware", "created_at", "revoked_at")
    return [dict(zip(cols, r, strict=True)) for r in db.execute(
        f"SELECT {', '.join(cols)} FROM devices WHERE site_id = ? ORDER BY id", [site]).fetchall()]


def officer_usernames(db: sqlite_utils.Database, site: str) -> dict[str, str]:
    return {r[0]: r[1] for r in db.execute("SELECT id, username FROM officers WHERE site_id = ? AND username IS NOT NULL",
                                           [site]).fetchall()}
