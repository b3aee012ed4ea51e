"""The outbound queue of electronic results to the citizen's data store on the national portal
(hub.ops.datastore): one row per result, unique by its document code, written in the transaction that
signs the result, so a result signed is a result queued, whatever happens to the process after."""

from __future__ import annotations

import sqlite_utils

COLS = "id, doc_code, file_id, site_id, code, created_at, next_at, attempts, sent_at, rejected_at, last_error, receipt"


def _row(r) -> dict:
    return dict(zip([c.strip() for c in COLS.split(",")], r, strict=True))


def enqueue(db: sqlite_utils.Database, doc_code: str, file_id: int, site_id: str, code: str, now: float) -> None:
    """Queue a result once: the same document code again (a retried signing) changes nothing."""
    db.execute("INSERT INTO datastore_outbox(doc_code, file_id, site_id, code, created_at, next_at) "
               "VALUES(?,?,?,?,?,?) ON CONFLICT(doc_code) DO NOTHING", [doc_code, file_id, site_id, code, now, now])


def due(db: sqlite_utils.Database, now: float, limit: int = 20) -> list[dict]:
    rows = db.execute(f"SELECT {COLS} FROM datastore_outbox WHERE sent_at IS NULL AND rejected_at IS NULL "
                      "AND next_at <= ? ORDER BY id LIMIT ?", [now, limit])
    return [_row(r) for r in rows]


def mark_sent(db: sqlite_utils.Database, row_id: int, now: float, receipt: str) -> None:
    db.execute("UPDATE datastore_outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL, receipt = ? "
               "WHERE id = ? AND sent_at IS NULL", [now, receipt[:200], row_id])


def mark_failed(db: sqlite_utils.Database, row_id: int, next_at: float, error: str) -> None:
    db.execute("UPDATE datastore_outbox SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?",
               [next_at, error[:500], row_id])


def mark_rejected(db: sqlite_utils.Database, row_id: int, now: float, error: str) -> None:
    db.execute("UPDATE datastore_outbox SET rejected_at = ?, attempts = attempts + 1, last_error = ? WHERE id = ?",
               [now, error[:500], row_id])


def requeue(db: sqlite_utils.Database, doc_code: str, now: float) -> bool:
    """Send a refused result again (after the cause was fixed)."""
    cur = db.execute("UPDATE datastore_outbox SET rejected_at = NULL, next_at = ? WHERE doc_code = ? "
                     "AND sent_at IS NULL", [now, doc_code])
    return cur.rowcount > 0


def for_dossier(db: sqlite_utils.Database, code: str) -> list[dict]:
    return [_row(r) for r in db.execute(f"SELECT {COLS} FROM datastore_outbox WHERE code = ? ORDER BY id", [code])]


def listing(db: sqlite_utils.Database, site_id: str | None = None, limit: int = 200) -> list[dict]:
    where, args = ("WHERE site_id = ?", [site_id]) if site_id else ("", [])
    rows = db.execute(f"SELECT {COLS} FROM datastore_outbox {where} ORDER BY id DESC LIMIT ?", [*args, limit])
    return [_row(r) for r in rows]
