"""Stored replies (`requests`): a retried request_id gets the bytes it was answered with, not a second run."""

from __future__ import annotations

from collections.abc import Callable

from hub.store.db import Db, defer, read_later

_STORED = "SELECT response, verb FROM requests WHERE device_id = ? AND request_id = ?"


def stored(db: Db, device_id: str, request_id: str) -> tuple[str, str] | None:
    """(response text, verb) of an earlier answer to this device's request_id, or None."""
    row = db.execute(_STORED, [device_id, request_id]).fetchone()
    return (row[0], row[1]) if row is not None else None


def stored_later(db: Db, keys: list[tuple[str, str]]) -> Callable[[], dict[tuple[str, str], tuple[str, str] | None]]:
    """`stored` for each (device_id, request_id) of a batch, asked at once: on PostgreSQL the reads travel
    with the next statement that needs an answer (hub.store.db.read_later); returns a function giving
    {key: (response text, verb) or None}."""
    rows = read_later(db, [(_STORED, list(k)) for k in keys])
    answer: list[dict] = []

    def value() -> dict[tuple[str, str], tuple[str, str] | None]:
        if not answer:
            answer.append({k: ((r[0][0], r[0][1]) if r else None) for k, r in zip(keys, rows(), strict=True)})
        return answer[0]
    return value


def remember(db: Db, device_id: str, request_id: str, verb: str, response: str, at: float) -> None:
    """Store a reply; on PostgreSQL the insert travels with the next statement (its savepoint's end or the
    COMMIT: `defer`), before the reply is sent."""
    defer(db, "INSERT INTO requests(device_id, request_id, verb, response, at) VALUES(?,?,?,?,?)",
          [device_id, request_id, verb, response, at])


def purge(db: Db, before: float) -> int:
    """Forget replies older than `before`; returns how many. Call inside a transaction."""
    return db.execute("DELETE FROM requests WHERE at < ?", [before]).rowcount
