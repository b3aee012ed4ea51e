"""Opening the hub's SQLite database and running explicit transactions on it.

The connection is in autocommit mode and every write goes through `transaction()` so that the
request router can commit a whole batch of requests at once (group commit) while each request
still succeeds or fails alone inside its own savepoint. sqlite-utils' write helpers open their own
`with conn:` blocks, which would commit a batch half-way, so they are used for schema work only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from hub.store import memo
from hub.store.migrations import migrate


def open_db(path: Path | str, *, synchronous: str = "FULL", busy_timeout_ms: int = 10_000) -> sqlite_utils.Database:
    """Open (creating and migrating) the database. WAL lets readers run beside the single writer.

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
    db = sqlite_utils.Database(conn)
    migrate(db)
    return db


def is_busy(exc: BaseException) -> bool:
    """True for SQLite's "another connection holds the lock" (retry later), not for a real failure."""
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


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception, a failed COMMIT included."""
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    memo.write_locked(db, True)
    try:
        yield
        memo.write_locked(db, False)
        conn.execute("COMMIT")
    except BaseException:
        memo.write_locked(db, False)
        if conn.in_transaction:  # also when COMMIT itself failed (I/O error, disk full): never leave it open
            conn.execute("ROLLBACK")
        memo.forget(db)
        raise


@contextmanager
def savepoint(db: sqlite_utils.Database, name: str = "req") -> Iterator[None]:
    """A nested unit of work inside `transaction()`: undone alone if it raises."""
    conn = db.conn
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        conn.execute(f"ROLLBACK TO {name}")
        conn.execute(f"RELEASE {name}")
        memo.forget(db)
        raise
    conn.execute(f"RELEASE {name}")


def get_meta(db: sqlite_utils.Database, key: str, default: str | None = None) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_meta(db: sqlite_utils.Database, key: str, value: str) -> None:
    db.execute("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
               [key, value])
