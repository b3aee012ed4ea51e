"""Stored replies (`requests`): a retried request_id gets the bytes it was answered with, not a second run."""

from __future__ import annotations

from hub.store.db import Db, defer, read_many


def stored(db: Db, device_id: str, request_id: str) -> tuple[str, str] | None:
    """(response text, verb) of an earlier answer to this device's request_id, or None."""
    row = db.execute("SELECT response, verb FROM requests WHERE device_id = ? AND request_id = ?",
                     [device_id, request_id]).fetchone()
    return (row[0], row[1]) if row is not None else None


def stored_many(db: Db, keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str] | None]:
    """`stored` for each (device_id, request_id) of a batch, read at once (one round trip on PostgreSQL)."""
    rows = read_many(db, [("SELECT response, verb FROM requests WHERE device_id = ? AND request_id = ?", list(k))
                          for k in keys])
    return {k: ((r[0][0], r[0][1]) if r else None) for k, r in zip(keys, rows, strict=True)}


def remember(db: Db, device_id: str, request_id: str, verb: str, response: str, at: float) -> None:
    """Store a reply; on PostgreSQL the insert travels with the next statement (its savepoint's end or the
    COMMIT: `defer`), before the reply is sent."""
    defer(db, "INSERT INTO requests(device_id, request_id, verb, response, at) VALUES(?,?,?,?,?)",
          [device_id, request_id, verb, response, at])


def purge(db: Db, before: float) -> int:
    """Forget replies older than `before`; returns how many. Call inside a transaction."""
    return db.execute("DELETE FROM requests WHERE at < ?", [before]).rowcount
