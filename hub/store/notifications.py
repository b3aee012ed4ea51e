"""The notification outbox table: a row per message, written in the transaction of the event that caused
it, marked sent (or its error kept) by the delivery loop in hub.notify.outbox."""

from __future__ import annotations

from hub.store.db import Db

MAX_ATTEMPTS = 10


def enqueue(db: Db, site_id: str, code: str | None, kind: str, channel: str, recipient: str,
            subject: str, body: str, now: float) -> int:
    return db.execute(
        "INSERT INTO notifications(site_id, dossier_code, kind, channel, recipient, subject, body, created_at) "
        "VALUES(?,?,?,?,?,?,?,?) RETURNING id",
        [site_id, code, kind, channel, recipient, subject, body, now]).fetchone()[0]


def pending(db: Db, limit: int = 100) -> list[dict]:
    cur = db.execute("SELECT id, site_id, dossier_code, kind, channel, recipient, subject, body, attempts "
                     "FROM notifications WHERE sent_at IS NULL AND attempts < ? ORDER BY id LIMIT ?",
                     [MAX_ATTEMPTS, limit])
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def for_dossier(db: Db, code: str) -> list[dict]:
    cur = db.execute("SELECT id, kind, channel, recipient, subject, body, created_at, sent_at, last_error "
                     "FROM notifications WHERE dossier_code = ? ORDER BY id", [code])
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def record(db: Db, notification_id: int, now: float, error: str | None) -> dict | None:
    """Store one delivery attempt (call inside a transaction); the row's body, sent_at and attempts after it."""
    if error is None:
        db.execute("UPDATE notifications SET attempts = attempts + 1, sent_at = ?, last_error = NULL WHERE id = ?",
                   [now, notification_id])
    else:
        db.execute("UPDATE notifications SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                   [error[:500], notification_id])
    row = db.execute("SELECT body, sent_at, attempts FROM notifications WHERE id = ?", [notification_id]).fetchone()
    return None if row is None else {"body": row[0], "sent_at": row[1], "attempts": row[2]}


def set_body(db: Db, notification_id: int, body: str) -> None:
    db.execute("UPDATE notifications SET body = ? WHERE id = ?", [body, notification_id])
