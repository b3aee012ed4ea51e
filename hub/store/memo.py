"""Registry rows every request reads (its device, its site, a service or two), kept in memory, and two
per-service figures every ticket's wait estimate reads (open counters, recent service times).

They change a few times a year, yet each request read them again: a handful of queries and object
builds, a quarter of the hub's work on the call path. Values are cached per `Database` (one per
connection, as `db.open_db` makes them) and dropped whenever they may be stale:

- another process committed to the database (`motcua hub device add`, `site load`): the engine's
  `data_version()` moves (SQLite's `PRAGMA data_version`; on PostgreSQL the `hub_revision` row every
  writer updates), checked on every lookup outside our own write transaction;
- this connection changed the registry: every such write goes through `devices.bump_revision`,
  `devices.record_*` or `sites.load_config`, which call `forget` (and `sites.update_counter` for a
  counter's status, `tickets.update` for a ticket's completion);
- a transaction or savepoint was rolled back: what it read may never have existed (`db.transaction`).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import TypeVar

import sqlite_utils

T = TypeVar("T")


class _Memo:
    __slots__ = ("data_version", "values", "locked")

    def __init__(self, data_version: int) -> None:
        self.data_version = data_version
        self.values: dict[Hashable, object] = {}
        self.locked = False  # inside our own write transaction: no other connection can commit


_memos: weakref.WeakKeyDictionary[sqlite_utils.Database, _Memo] = weakref.WeakKeyDictionary()


def _current(db: sqlite_utils.Database) -> _Memo:
    memo = _memos.get(db)
    if memo is not None and memo.locked:
        return memo
    version = db.data_version()
    if memo is None or memo.data_version != version:
        memo = _memos[db] = _Memo(version)
    return memo


def write_locked(db: sqlite_utils.Database, locked: bool) -> None:
    """Called by `db.transaction` after BEGIN IMMEDIATE (True) and at its end (False): while we hold the
    write lock the database cannot change under us, so lookups skip the data_version check."""
    memo = _current(db) if locked else _memos.get(db)
    if memo is not None:
        memo.locked = locked


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
