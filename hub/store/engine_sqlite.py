"""The SQLite engine (the default): one file, WAL, one writer at a time (BEGIN IMMEDIATE).

The connection is in autocommit mode and every write goes through `db.transaction()` so that the
request router can commit a whole batch of requests at once (group commit) while each request still
succeeds or fails alone inside its own savepoint. sqlite-utils' write helpers open their own `with conn:`
blocks, which would commit a batch half-way, so they are used for schema work only.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import sqlite_utils

ENGINE = "sqlite"
IntegrityError = sqlite3.IntegrityError


class SqliteDb(sqlite_utils.Database):
    """sqlite-utils' Database (its `execute`, `conn`, tables) plus the engine hooks `hub.store.db` calls."""

    engine = ENGINE

    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> sqlite3.Cursor:
        return self.conn.executemany(sql, rows)

    def defer(self, sql: str, params: Sequence[object] | None = None) -> None:
        """A write whose answer nobody reads: run at once (in-process, a statement costs no round trip)."""
        self.conn.execute(sql, params or ())

    def defer_returning(self, sql: str, params: Sequence[object] | None = None) -> Callable[[], object]:
        """`INSERT … RETURNING x`, run at once; returns a function giving x."""
        row = self.conn.execute(sql, params or ()).fetchone()
        return lambda: row[0] if row else None

    def read_many(self, reads: Sequence[tuple[str, Sequence[object] | None]]) -> list[list[tuple]]:
        """The rows of each of several independent reads, one after the other."""
        return [self.conn.execute(sql, params or ()).fetchall() for sql, params in reads]

    def read_later(self, reads: Sequence[tuple[str, Sequence[object] | None]]) -> Callable[[], list[list[tuple]]]:
        """`read_many`, run at once; returns a function giving the rows."""
        rows = self.read_many(reads)
        return lambda: rows

    def next_id(self, table: str) -> None:
        """No ids ahead of their rows: an insert's RETURNING is a function call here."""
        return None

    def ids_later(self, table: str) -> None:
        """No ids ahead (`next_id`): nothing to ask for."""

    def migrating(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()  # each migration's BEGIN IMMEDIATE is enough

    def begin(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        if self.conn.in_transaction:  # also when COMMIT itself failed (I/O error, disk full): never leave it open
            self.conn.execute("ROLLBACK")

    def data_version(self) -> int:
        """Moves when another connection commits (not for our own commits)."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def set_schema_version(self, number: int) -> None:
        self.conn.execute(f"PRAGMA user_version = {int(number)}")

    def tune_for_server(self) -> None:
        """The serving hub checkpoints the WAL itself, off the event loop (hub.store.db.checkpoint): the
        automatic checkpoint stays only as a safety net, so it does not run inside a request's commit."""
        self.conn.execute("PRAGMA wal_autocheckpoint=20000")

    @contextlib.contextmanager
    def lazy_commits(self) -> Iterator[None]:
        """Commits that may be lost to a power cut (hub.store.db.lazy_commits): WAL with synchronous=NORMAL
        writes them without an fsync; still atomic, and on disk with the next full commit of any
        connection (the WAL is one sequential file)."""
        before = int(self.conn.execute("PRAGMA synchronous").fetchone()[0])
        self.conn.execute("PRAGMA synchronous=NORMAL")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA synchronous={before}")

    def json_text(self, expr: str, key: str) -> str:
        """SQL for the text of `key` in the JSON object held in column `expr`."""
        return f"json_extract({expr}, '$.{key}')"

    def table_names(self) -> list[str]:  # type: ignore[override]
        return [r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


def connect(path: Path | str, *, synchronous: str = "FULL", busy_timeout_ms: int = 10_000) -> SqliteDb:
    """Open the file. WAL lets readers run beside the single writer.

    synchronous=FULL: a committed ticket survives a power cut, so a retried request never gets a new
    number for a ticket that was already printed. The hub's own connection, which runs on the event loop,
    passes a short busy timeout: waiting for another process's write lock must not freeze the loop (the
    router retries a batch later instead); CLI processes keep the long one.
    """
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False,
                           timeout=busy_timeout_ms / 1000)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA foreign_keys=ON")
    # Sorts and groupings that need a scratch b-tree build it in memory: as files they cost an open, an
    # unlink and a close each (about twenty a second under `motcua bench tickets`), and they are small.
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    return SqliteDb(conn)


def is_busy(exc: BaseException) -> bool:
    """SQLite's "another connection holds the lock" (retry later), not a real failure."""
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


def checkpoint(path: Path | str) -> None:
    """Copy the WAL back into the database from a connection of its own (run it in a worker thread).

    The hub's connection sets a high wal_autocheckpoint so that checkpoints do not run inside a
    request's commit (a multi-millisecond stall at p99); this PASSIVE checkpoint never waits for the
    writer, and the high limit remains a safety net if it stops running.
    """
    conn = sqlite3.connect(str(path), timeout=1)
    try:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    finally:
        conn.close()
