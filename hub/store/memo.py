"""Registry rows every request reads (its device, its site, a service or two), kept in memory, and the
per-service figures every ticket's wait estimate reads (open counters, recent service times, the
queue's figures that `tickets.insert_counting` moves on and every other ticket write forgets).

They change a few times a year, yet each request read them again: a handful of queries and object
builds, a quarter of the hub's work on the call path. Values are cached per `Database` (one per
connection, as `db.open_db` makes them) and dropped whenever they may be stale:

- another process committed to the database (`motcua hub device add`, `site load`): the engine's
  `data_version()` moves (SQLite's `PRAGMA data_version`; on PostgreSQL the `hub_revision` row every
  writer updates), checked on every lookup outside our own write transaction;
- this connection changed the registry: every such write goes through `devices.bump_revision`,
  `devices.record_*` or `sites.load_config`, which call `forget` (and `sites.update_counter` for a
  counter's status, `tickets.update` for a ticket's completion); `sites.update_counter` rewrites the
  cached counter row it changed (`update`) rather than reading it again;
- a transaction or savepoint was rolled back: what it read may never have existed (`db.transaction`).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import TypeVar

import sqlite_utils

T = TypeVar("T")


class _Memo:
    __slots__ = ("data_version", "values", "locked", "checked")

    def __init__(self, data_version: int | None) -> None:
        self.data_version = data_version
        self.values: dict[Hashable, object] = {}
        self.locked = False  # inside our own write transaction: no other connection can commit
        self.checked = False  # … and data_version was compared once since it began


_memos: weakref.WeakKeyDictionary[sqlite_utils.Database, _Memo] = weakref.WeakKeyDictionary()


def _current(db: sqlite_utils.Database) -> _Memo:
    memo = _memos.get(db)
    if memo is not None and memo.locked and memo.checked:
        return memo
    version = db.data_version()
    if memo is None or memo.data_version != version:
        locked = memo is not None and memo.locked
        memo = _memos[db] = _Memo(version)
        memo.locked = locked
    memo.checked = memo.locked
    return memo


def write_locked(db: sqlite_utils.Database, locked: bool) -> None:
    """Called by `db.transaction` after BEGIN (True) and at its end (False): while we hold the write lock
    the database cannot change under us, so lookups skip the data_version check after the first one of
    the transaction (made at that first lookup, not here: on PostgreSQL the BEGIN travels with the
    transaction's first statement, and asking for the version at once would cost it a round trip)."""
    memo = _memos.get(db)
    if memo is None:
        if not locked:
            return
        memo = _memos[db] = _Memo(None)
    memo.locked = locked
    memo.checked = False


def lookup(db: sqlite_utils.Database, key: Hashable, load: Callable[[], T]) -> T:
    """The cached value for `key`, or `load()` (cached unless it raises)."""
    memo = _current(db)
    try:
        return memo.values[key]  # type: ignore[return-value]
    except KeyError:
        value = memo.values[key] = load()
        return value


def forget(db: sqlite_utils.Database, key: Hashable | None = None) -> None:
    """Drop one cached value, or all of this database's."""
    memo = _memos.get(db)
    if memo is None:
        return
    if key is None:
        memo.values.clear()
    else:
        memo.values.pop(key, None)


def holds(db: sqlite_utils.Database, key: Hashable) -> bool:
    """Whether `key` is cached (and still valid)."""
    return key in _current(db).values


def update(db: sqlite_utils.Database, key: Hashable, change: Callable[[T], T]) -> None:
    """Replace a cached value by `change(value)` after this connection wrote what changes it (a counter's
    status or current ticket): the row as now written, with no read. Nothing happens if it is not cached."""
    memo = _memos.get(db)
    if memo is not None and key in memo.values:
        memo.values[key] = change(memo.values[key])  # type: ignore[arg-type]


def forget_kind(db: sqlite_utils.Database, kind: str) -> None:
    """Drop every cached value whose key is a tuple starting with `kind` (a write that cannot name the
    exact keys it changes: signing out every session of an officer)."""
    memo = _memos.get(db)
    if memo is None:
        return
    for key in [k for k in memo.values if isinstance(k, tuple) and k and k[0] == kind]:
        del memo.values[key]


def peek(db: sqlite_utils.Database, key: Hashable) -> object | None:
    """The cached value for `key` inside our own write transaction, or None (nothing is loaded). Outside
    one, None without asking: checking the version would cost PostgreSQL a round trip of its own, as much
    as the read it would save."""
    memo = _memos.get(db)
    if memo is None or not memo.locked:
        return None
    return _current(db).values.get(key)


def in_write(db: sqlite_utils.Database) -> bool:
    """Inside our own write transaction: what is read now may be kept (`lookup`) without asking whether
    another process wrote (none can until the COMMIT)."""
    memo = _memos.get(db)
    return memo is not None and memo.locked


def put(db: sqlite_utils.Database, key: Hashable, value: object) -> None:
    """Cache `value` as what `key` now holds: a row this connection has just written."""
    _current(db).values[key] = value
