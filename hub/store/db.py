"""The one store interface: open a database (SQLite file or PostgreSQL URL) and run explicit
transactions and savepoints on it, whichever engine is behind it (docs/architecture.md, "Store
interface"). Engine differences live in `engine_sqlite.py` and `engine_pg.py`, nowhere else.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hub.store import engine_sqlite, lobby_journal, memo
from hub.store.migrations import migrate

# A `Db` is an engine's database object: `execute(sql, params)` with `?` placeholders, `executemany`,
# `defer(sql, params)` (a write nobody reads the answer of), `read_many([(sql, params), …])` (independent
# reads at once), `read_later(…)` (the same, answered with the next statement that needs an answer),
# `next_id(table)` (the id of a row yet to insert; None on SQLite, where RETURNING costs nothing), `ids_later(table)`
# (the next block of those ids asked for with the next message), `conn`
# (whose `execute` is the same), `engine` ("sqlite" or "postgresql").
Db = Any

ENV = "MOTCUA_DB"  # a PostgreSQL URL here wins over <data>/motcua.db, for the hub and every CLI command


def is_url(target: object) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def target_for(data_dir: Path, explicit: str | None = None) -> Path | str:
    """Where this data directory's database is: `--db`, else $MOTCUA_DB, else <data>/motcua.db."""
    chosen = explicit or os.environ.get(ENV) or ""
    if chosen.startswith("sqlite:///"):
        return Path(chosen[len("sqlite://"):])
    if chosen:
        return chosen
    return data_dir / "motcua.db"


def open_db(target: Path | str, *, synchronous: str = "FULL", busy_timeout_ms: int = 10_000) -> Db:
    """Open (creating and migrating) the database: a SQLite path (or sqlite:///path) or a postgresql:// URL."""
    if is_url(target):
        from hub.store import engine_pg

        db = engine_pg.connect(str(target), busy_timeout_ms=busy_timeout_ms)
    else:
        if isinstance(target, str) and target.startswith("sqlite:///"):
            target = target[len("sqlite://"):]
        db = engine_sqlite.connect(target, synchronous=synchronous, busy_timeout_ms=busy_timeout_ms)
    with db.migrating():
        migrate(db)
    return db


def _engine_module(exc: BaseException) -> Any:
    return type(exc).__module__.split(".")[0]


def is_busy(exc: BaseException) -> bool:
    """True for "another writer holds the lock / try the same work again later" on either engine, never
    for a real failure (SQLite: locked; PostgreSQL: serialization failure, deadlock, lock timeout, a lost
    connection)."""
    if engine_sqlite.is_busy(exc):
        return True
    if _engine_module(exc) == "psycopg":
        from hub.store import engine_pg

        return engine_pg.is_busy(exc)
    return False


def __getattr__(name: str) -> Any:
    """`IntegrityError`: both engines' constraint errors, as a tuple for `except`. Built on first use, so
    that a CLI process on SQLite does not pay for importing the PostgreSQL driver (~0.1 s)."""
    if name != "IntegrityError":
        raise AttributeError(name)
    errors: list[type[BaseException]] = [engine_sqlite.IntegrityError]
    try:
        import psycopg
    except ImportError:  # the PostgreSQL driver is an optional extra
        pass
    else:
        errors.append(psycopg.IntegrityError)
    globals()["IntegrityError"] = value = tuple(errors)
    return value


def checkpoint(target: Path | str) -> None:
    """SQLite: copy the WAL back into the file (see engine_sqlite.checkpoint). PostgreSQL: nothing."""
    if not is_url(target):
        engine_sqlite.checkpoint(target)


def tune_for_server(db: Db) -> None:
    """Settings for the long-running hub's own connection (not for CLI processes)."""
    db.tune_for_server()


@contextmanager
def lazy_commits(db: Db) -> Iterator[None]:
    """Transactions whose loss in a power cut costs nothing but a repeat (the sync link's record of the
    province's acknowledgements: a lost one means a resend, applied as a no-op): on SQLite they commit
    without waiting for the disk, so they hold the write lock a fraction as long. PostgreSQL: unchanged."""
    hook = getattr(db, "lazy_commits", None)
    if hook is None:
        yield
        return
    with hook():
        yield


@contextmanager
def transaction(db: Db) -> Iterator[None]:
    """The one write transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: BEGIN and the writers' row lock)
    … COMMIT, rolled back on any exception, a failed COMMIT included."""
    db.begin()
    memo.write_locked(db, True)
    try:
        yield
        memo.write_locked(db, False)
        rows = lobby_journal.end(db)
        db.commit()
        lobby_journal.carry(db, rows)
    except BaseException:
        memo.write_locked(db, False)
        lobby_journal.end(db)
        db.rollback()
        memo.forget(db)
        raise


@contextmanager
def savepoint(db: Db, name: str = "req") -> Iterator[None]:
    """A nested unit of work inside `transaction()`: undone alone if it raises."""
    conn = db.conn
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield
        # Inside the try: on PostgreSQL the release carries the writes deferred in this savepoint
        # (`defer`), and one of them failing must undo this savepoint alone.
        conn.execute(f"RELEASE SAVEPOINT {name}")
    except BaseException:
        conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
        conn.execute(f"RELEASE SAVEPOINT {name}")
        memo.forget(db)
        lobby_journal.spoil(db)
        raise


@contextmanager
def batch(db: Db, fast: bool = True) -> Iterator[None]:
    """A router batch (many requests, one savepoint each, one transaction). `fast` on PostgreSQL: a
    savepoint's release waits with its deferred writes for the next statement, instead of going at once;
    should one of those writes fail, engine_pg.ReplayCarefully is raised (`is_replay`) and the caller
    runs the batch again with `fast=False`, where it fails its own request alone. Also fast: the registry
    memo is trusted before the transaction's revision has come back, and ReplayCarefully is raised if
    that revision shows another writer. Nothing on SQLite."""
    if not hasattr(db, "batching"):
        yield
        return
    db.batching = fast
    try:
        yield
    finally:
        db.batching = False


def is_replay(exc: BaseException) -> bool:
    """The batch must run again carefully (see `batch`)."""
    return type(exc).__name__ == "ReplayCarefully" and _engine_module(exc) == "hub"


def defer(db: Db, sql: str, params: Sequence[object] | None = None) -> None:
    """Write without reading the answer (no RETURNING, no rowcount): on PostgreSQL it travels with the
    next statement that needs an answer (or its savepoint's end, or the COMMIT); an error it raises is
    raised there, still inside the same savepoint. On SQLite it runs at once. For hot paths only, and
    never where the caller catches that write's own error."""
    db.defer(sql, params)


def defer_returning(db: Db, sql: str, params: Sequence[object] | None = None) -> Callable[[], Any]:
    """`defer` for an `INSERT … RETURNING x` whose x is wanted only later (a call's event id, published
    after the commit): returns a function giving x (on PostgreSQL it sends what waits if it has not gone)."""
    return db.defer_returning(sql, params)


def read_later(db: Db, reads: Sequence[tuple[str, Sequence[object] | None]]) -> Callable[[], list[list[tuple]]]:
    """`read_many` whose rows are wanted only later: on PostgreSQL the reads travel with the next statement
    that needs an answer (a round trip saved); returns a function giving the rows. SQLite reads at once."""
    return db.read_later(reads)


def read_many(db: Db, reads: Sequence[tuple[str, Sequence[object] | None]]) -> list[list[tuple]]:
    """The rows of several reads that do not depend on each other: one round trip on PostgreSQL."""
    return db.read_many(reads)


def get_meta(db: Db, key: str, default: str | None = None) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_meta(db: Db, key: str, value: str) -> None:
    db.execute("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
               [key, value])
