"""The outbound queue to the provincial system / national portal (hub.ops.portal): one row per record,
written in a transaction with the watermark that says which dossier events are already queued, so a
crash loses nothing and queues nothing twice."""

from __future__ import annotations

import json

import sqlite_utils

from hub.store.db import get_meta, set_meta


def watermark(db: sqlite_utils.Database, site_id: str) -> int:
    return int(get_meta(db, f"portal_watermark:{site_id}", "0") or 0)


def events_after(db: sqlite_utils.Database, site_id: str, after: int, limit: int) -> list[tuple]:
    """(event id, code, kind, at) of the site's dossier events not yet queued, oldest first."""
    return db.execute("SELECT id, code, kind, at FROM dossier_events WHERE site_id = ? AND id > ? ORDER BY id "
                      "LIMIT ?", [site_id, after, limit]).fetchall()


def event_ids(db: sqlite_utils.Database, code: str) -> list[int]:
    """A dossier's event ids in order (as hub.store.dossiers.events lists its events)."""
    return [r[0] for r in db.execute("SELECT id FROM dossier_events WHERE code = ? ORDER BY id", [code])]


def enqueue(db: sqlite_utils.Database, site_id: str, records: list[tuple[int, dict]], last_id: int,
            now: float) -> None:
    """Queue records and move the watermark past `last_id`. Call inside a transaction."""
    db.conn.executemany(
        "INSERT OR IGNORE INTO portal_outbox(record_id, site_id, dossier_code, body, created_at, next_at) "
        "VALUES(?,?,?,?,?,?)",
        [(r["id"], site_id, r["dossier_code"], json.dumps(r, ensure_ascii=False), now, now) for _, r in records])
    set_meta(db, f"portal_watermark:{site_id}", str(last_id))


def due(db: sqlite_utils.Database, now: float, limit: int) -> list[dict]:
    cur = db.execute("SELECT id, record_id, site_id, body, attempts FROM portal_outbox WHERE sent_at IS NULL "
                     "AND rejected_at IS NULL AND next_at <= ? ORDER BY id LIMIT ?", [now, limit])
    return [{"id": r[0], "record_id": r[1], "site_id": r[2], "body": json.loads(r[3]), "attempts": r[4]}
            for r in cur.fetchall()]


def mark_sent(db: sqlite_utils.Database, ids: list[int], now: float) -> None:
    db.conn.executemany("UPDATE portal_outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL "
                        "WHERE id = ?", [(now, i) for i in ids])


def mark_rejected(db: sqlite_utils.Database, row_id: int, now: float, error: str) -> None:
    db.execute("UPDATE portal_outbox SET rejected_at = ?, attempts = attempts + 1, last_error = ? WHERE id = ?",
               [now, error[:500], row_id])


def mark_failed(db: sqlite_utils.Database, row_id: int, next_at: float, error: str) -> None:
    db.execute("UPDATE portal_outbox SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?",
               [next_at, error[:500], row_id])


def backlog(db: sqlite_utils.Database, site_id: str | None = None) -> dict:
    """What a technician or leader needs to see: waiting, sent, refused, the oldest waiting, last error."""
    where, args = ("WHERE site_id = ?", [site_id]) if site_id else ("", [])
    row = db.execute(
        "SELECT COUNT(*) FILTER (WHERE sent_at IS NULL AND rejected_at IS NULL), "
        "COUNT(*) FILTER (WHERE sent_at IS NOT NULL), COUNT(*) FILTER (WHERE rejected_at IS NOT NULL), "
        "MIN(CASE WHEN sent_at IS NULL AND rejected_at IS NULL THEN created_at END), "
        f"MAX(CASE WHEN sent_at IS NULL AND rejected_at IS NULL THEN attempts ELSE 0 END) FROM portal_outbox {where}",
        args).fetchone()
    last = db.execute(f"SELECT last_error FROM portal_outbox {where} {'AND' if where else 'WHERE'} "
                      "last_error IS NOT NULL ORDER BY id DESC LIMIT 1", args).fetchone()
    return {"pending": row[0] or 0, "sent": row[1] or 0, "rejected": row[2] or 0, "oldest_pending_at": row[3],
            "max_attempts": row[4] or 0, "last_error": last[0] if last else None}
