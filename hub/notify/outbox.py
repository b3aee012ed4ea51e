"""The notification outbox: a row per message, written in the same transaction as the dossier event that
caused it, delivered later by `deliver()` through the configured senders, retried until sent.

A secret in the text (a booking's manage link, a dossier's lookup key) is stored sealed (hub.notify.seal),
rendered in clear only for the sender, and stripped once the message is sent or given up: neither the
database nor a backup of it holds it in clear."""

from __future__ import annotations

import logging

import sqlite_utils

from hub.notify import seal
from hub.notify.senders import Sender, SendError

log = logging.getLogger("motcua.notify")
MAX_ATTEMPTS = 10


def enqueue(db: sqlite_utils.Database, site_id: str, code: str | None, kind: str, channel: str, recipient: str,
            subject: str, body: str, now: float) -> int:
    cur = db.execute(
        "INSERT INTO notifications(site_id, dossier_code, kind, channel, recipient, subject, body, created_at) "
        "VALUES(?,?,?,?,?,?,?,?)", [site_id, code, kind, channel, recipient, subject, seal.seal(db, body), now])
    return cur.lastrowid


def pending(db: sqlite_utils.Database, limit: int = 100) -> list[dict]:
    cur = db.execute("SELECT id, site_id, dossier_code, kind, channel, recipient, subject, body, attempts "
                     "FROM notifications WHERE sent_at IS NULL AND attempts < ? ORDER BY id LIMIT ?",
                     [MAX_ATTEMPTS, limit])
    cols = [c[0] for c in cur.description]
    out = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    for n in out:
        n["body"] = seal.unseal(db, n["body"])
    return out


def for_dossier(db: sqlite_utils.Database, code: str) -> list[dict]:
    cur = db.execute("SELECT id, kind, channel, recipient, subject, body, created_at, sent_at, last_error "
                     "FROM notifications WHERE dossier_code = ? ORDER BY id", [code])
    cols = [c[0] for c in cur.description]
    out = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    for n in out:
        n["body"] = seal.strip(n["body"])
    return out


def record(db: sqlite_utils.Database, notification_id: int, now: float, error: str | None) -> None:
    """Store one delivery attempt. Call inside a transaction. A message sent, or given up after
    MAX_ATTEMPTS, keeps no secret (its body is stripped)."""
    if error is None:
        db.execute("UPDATE notifications SET attempts = attempts + 1, sent_at = ?, last_error = NULL WHERE id = ?",
                   [now, notification_id])
    else:
        db.execute("UPDATE notifications SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                   [error[:500], notification_id])
    row = db.execute("SELECT body, sent_at, attempts FROM notifications WHERE id = ?", [notification_id]).fetchone()
    if row is not None and (row[1] is not None or row[2] >= MAX_ATTEMPTS):
        db.execute("UPDATE notifications SET body = ? WHERE id = ?", [seal.strip(row[0]), notification_id])


def send_one(n: dict, senders: dict[str, Sender]) -> str | None:
    """Send one notification (no database access, so it can run in a worker thread). Returns the error."""
    sender = senders.get(n["channel"]) or senders["log"]
    try:
        sender.send(n["recipient"], n["subject"], n["body"])
    except SendError as exc:
        log.warning("notification %s via %s failed: %s", n["id"], n["channel"], exc)
        return str(exc)
    return None


def deliver(db: sqlite_utils.Database, senders: dict[str, Sender], now: float) -> dict:
    """Send what is pending, synchronously (CLI and tests; the hub does the same with sending in a
    worker thread). A channel with no configured sender uses senders['log']."""
    from hub.store.db import transaction

    sent = failed = 0
    for n in pending(db):
        error = send_one(n, senders)
        with transaction(db):
            record(db, n["id"], now, error)
        sent += error is None
        failed += error is not None
    return {"sent": sent, "failed": failed}
