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
from hub.store import notifications
from hub.store.notifications import MAX_ATTEMPTS

__all__ = ["MAX_ATTEMPTS", "deliver", "enqueue", "for_dossier", "pending", "record", "send_one"]

log = logging.getLogger("motcua.notify")


def enqueue(db: sqlite_utils.Database, site_id: str, code: str | None, kind: str, channel: str, recipient: str,
            subject: str, body: str, now: float) -> int:
    """Queue a message; a secret in its text is stored sealed."""
    return notifications.enqueue(db, site_id, code, kind, channel, recipient, subject, seal.seal(db, body), now)


def pending(db: sqlite_utils.Database, limit: int = 100) -> list[dict]:
    """Messages to send, their secrets rendered for the sender."""
    out = notifications.pending(db, limit)
    for n in out:
        n["body"] = seal.unseal(db, n["body"])
    return out


def for_dossier(db: sqlite_utils.Database, code: str) -> list[dict]:
    """A dossier's messages as people may see them: secrets shown only in their masked form."""
    out = notifications.for_dossier(db, code)
    for n in out:
        n["body"] = seal.strip(n["body"])
    return out


def record(db: sqlite_utils.Database, notification_id: int, now: float, error: str | None) -> None:
    """Store one delivery attempt. Call inside a transaction. A message sent, or given up after
    MAX_ATTEMPTS, keeps no secret (its body is stripped)."""
    row = notifications.record(db, notification_id, now, error)
    if row is not None and (row["sent_at"] is not None or row["attempts"] >= MAX_ATTEMPTS):
        notifications.set_body(db, notification_id, seal.strip(row["body"]))


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
