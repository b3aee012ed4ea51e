"""Copying a hub's whole database from one engine to another (`motcua hub db migrate`): an office that
grows into the provincial hub keeps its history, its identity (meta: db_id, hub_id, the lookup secret,
so devices and printed lookup links keep working) and its numbering.

Both sides are migrated to the same schema first. Tables are copied parents first (foreign keys), with
the target's own triggers off during the copy (the counts they keep are copied as they are), identity
counters moved past the copied ids, all in one target transaction. Each table is then read back and
compared: row count and a SHA-256 over its rows in key order, numbers compared as numbers (SQLite keeps
5 in a REAL column as an integer; PostgreSQL gives 5.0)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from hub.store.db import Db

ENGINE_TABLES = {"schema_version", "hub_revision"}  # the PostgreSQL engine's own bookkeeping


def _tables(db: Db) -> list[str]:
    return sorted(t for t in db.table_names() if not t.startswith("sqlite_") and t not in ENGINE_TABLES)


def _columns(db: Db, table: str) -> list[str]:
    cur = db.execute(f"SELECT * FROM {table} LIMIT 0")
    return [c[0] for c in cur.description]


def _parents(db: Db, table: str) -> set[str]:
    """Tables `table` references (SQLite's foreign-key list)."""
    return {r[2] for r in db.execute(f"PRAGMA foreign_key_list({table})").fetchall()} - {table}


def _order(src: Db, tables: list[str]) -> list[str]:
    done: list[str] = []
    pending = {t: _parents(src, t) & set(tables) for t in tables}
    while pending:
        ready = sorted(t for t, ps in pending.items() if ps <= set(done))
        if not ready:  # a cycle: copy the rest as they come (none in today's schema)
            ready = sorted(pending)
        for t in ready:
            done.append(t)
            pending.pop(t)
    return done


def _norm(value: object) -> str:
    if isinstance(value, bool):
        return repr(int(value))
    if isinstance(value, int | float):
        return format(float(value), ".17g")
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return repr(value)


def checksum(db: Db, table: str, columns: list[str]) -> tuple[int, str]:
    """(rows, SHA-256 over the sorted digests of the rows): the same on both engines, whatever order and
    text collation each reads them in."""
    digests = sorted(hashlib.sha256("\x1f".join(_norm(v) for v in row).encode()).digest()
                     for row in db.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall())
    return len(digests), hashlib.sha256(b"".join(digests)).hexdigest()


def copy(src: Db, dst: Db, progress: Callable[[str], None] = lambda _m: None) -> list[dict]:
    """Copy every table of `src` (SQLite) into `dst` (PostgreSQL, migrated, holding no site yet) and
    check it; returns per table {"table", "rows", "checksum", "ok"}. Raises ValueError when `dst` is in use."""
    from hub.store.db import transaction

    if src.engine != "sqlite" or dst.engine != "postgresql":
        raise ValueError("copies a SQLite hub into PostgreSQL")
    if dst.execute("SELECT COUNT(*) FROM sites").fetchone()[0]:
        raise ValueError("the target database already holds a hub (sites): give an empty database")
    tables = _order(src, _tables(src))
    missing = sorted(set(tables) - set(_tables(dst)))
    if missing:
        raise ValueError(f"the target lacks tables {missing}: is it the same motcua version?")
    with transaction(dst):
        for table in reversed(tables):  # what migrations wrote (meta's fresh identity) gives way to the source's
            dst.execute(f"DELETE FROM {table}")
        for table in tables:
            cols = _columns(src, table)
            rows = src.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall()
            dst.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            with dst.raw.cursor().copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)
            dst.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            if "id" in cols and dst.execute("SELECT pg_get_serial_sequence(?, 'id')", [table]).fetchone()[0]:
                # identity keys continue after the copied ones
                dst.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"GREATEST((SELECT MAX(id) FROM {table}), 1), (SELECT MAX(id) FROM {table}) IS NOT NULL)")
            progress(f"{table}: {len(rows)}")
    report = []
    for table in tables:
        cols = _columns(src, table)
        a, b = checksum(src, table, cols), checksum(dst, table, cols)
        report.append({"table": table, "rows": a[0], "checksum": a[1][:16], "ok": a == b})
    return report
