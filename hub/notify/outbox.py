"""The notification outbox: a row per message, written in the same transaction as the dossier event that
caused it, delivered later by `deliver()` through the configured senders, retried until sent."""

from __future__ import annotations

import logging

import sqlite_utils

from hub.notify.senders import Sender, SendError
from hub.store.notifications import MAX_ATTEMPTS, enqueue, for_dossier, pending, record

__all__ = ["MAX_ATTEMPTS", "deliver", "enqueue", "for_dossier", "pending", "record", "send_one"]

log = logging.getLogger("motcua.notify")


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
