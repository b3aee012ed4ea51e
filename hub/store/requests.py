"""Stored replies (`requests`): a retried request_id gets the bytes it was answered with, not a second run."""

from __future__ import annotations

from collections.abc import Callable

from hub.store.db import Db, defer, read_later

_STORED = "SELECT response, verb FROM requests WHERE device_id = ? AND request_id = ?"


def stored(db: Db, device_id: str, request_id: str) -> tuple[str, str] | None:
    """(response text, verb) of an earlier answer to this device's request_id, or None."""
    row = db.execute(_STORED, [device_id, request_id]).fetchone()
    return (row[0], row[1]) if row is not None else None


_CHUNK = 32  # keys per statement in `stored_later` (each count of keys is a statement of its own shape)


def _stored_read(keys: list[tuple[str, str]]) -> tuple[str, list[object]]:
    """One statement for several keys: a primary-key lookup each, joined by UNION ALL (each part keeps its
    index lookup whatever the planner thinks of the others), tagged with the key's position."""
    parts = [f"SELECT {i}, response, verb FROM requests WHERE device_id = ? AND request_id = ?"
             for i in range(len(keys))]
    return " UNION ALL ".join(parts), [v for k in keys for v in k]


def stored_later(db: Db, keys: list[tuple[str, str]]) -> Callable[[], dict[tuple[str, str], tuple[str, str] | None]]:
    """`stored` for each (device_id, request_id) of a batch, asked at once (one statement per 32 keys): on
    PostgreSQL the reads travel with the next statement that needs an answer (hub.store.db.read_later);
    returns a function giving {key: (response text, verb) or None}."""
    chunks = [keys[i:i + _CHUNK] for i in range(0, len(keys), _CHUNK)]
    rows = read_later(db, [_stored_read(c) for c in chunks])
    answer: list[dict] = []

    def value() -> dict[tuple[str, str], tuple[str, str] | None]:
        if not answer:
            found: dict[tuple[str, str], tuple[str, str] | None] = dict.fromkeys(keys)
            for chunk, got in zip(chunks, rows(), strict=True):
                for i, response, verb in got:
                    found[chunk[i]] = (response, verb)
            answer.append(found)
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
