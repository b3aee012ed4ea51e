"""Schema versions. Each migration runs once, in order, recorded in PRAGMA user_version.

Add a migration by appending a function; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils


def _run(db: sqlite_utils.Database, script: str) -> None:
    """Run DDL statement by statement: executescript() would COMMIT the migration's transaction."""
    for statement in script.split(";"):
        if statement.strip():
            db.conn.execute(statement)


def _v1(db: sqlite_utils.Database) -> None:
    _run(
        db,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE sites (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, name_en TEXT, timezone TEXT NOT NULL,
            policy TEXT NOT NULL, default_service_s REAL NOT NULL, notice TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE fields (
            site_id TEXT NOT NULL REFERENCES sites(id), code TEXT NOT NULL, name TEXT NOT NULL, name_en TEXT,
            PRIMARY KEY (site_id, code)
        );
        CREATE TABLE services (
            site_id TEXT NOT NULL REFERENCES sites(id), code TEXT NOT NULL, field TEXT NOT NULL,
            name TEXT NOT NULL, name_en TEXT, prefix TEXT NOT NULL DEFAULT '',
            num_start INTEGER NOT NULL, num_end INTEGER NOT NULL, num_width INTEGER NOT NULL,
            avg_service_s REAL, active INTEGER NOT NULL DEFAULT 1, position INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (site_id, code)
        );
        CREATE TABLE officers (
            site_id TEXT NOT NULL REFERENCES sites(id), id TEXT NOT NULL, name TEXT NOT NULL,
            PRIMARY KEY (site_id, id)
        );
        CREATE TABLE counters (
            site_id TEXT NOT NULL REFERENCES sites(id), number INTEGER NOT NULL, name TEXT NOT NULL,
            services TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'closed', officer TEXT,
            current_ticket INTEGER, regular_streak INTEGER, streak_day TEXT,
            PRIMARY KEY (site_id, number)
        );
        CREATE TABLE devices (
            id TEXT PRIMARY KEY, site_id TEXT NOT NULL REFERENCES sites(id), role TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '', secret_hash TEXT NOT NULL, counter INTEGER,
            hardware TEXT NOT NULL DEFAULT '{}', created_at REAL NOT NULL, revoked_at REAL,
            status TEXT NOT NULL DEFAULT 'never', version TEXT, last_seen REAL, health TEXT
        );
        CREATE TABLE tickets (
            id INTEGER PRIMARY KEY AUTOINCREMENT, site_id TEXT NOT NULL, day TEXT NOT NULL,
            service TEXT NOT NULL, seq INTEGER NOT NULL, number TEXT NOT NULL,
            priority TEXT NOT NULL DEFAULT 'none', status TEXT NOT NULL, lang TEXT NOT NULL DEFAULT 'vi',
            issued_at REAL NOT NULL, queued_at REAL NOT NULL, called_at REAL, first_called_at REAL,
            done_at REAL, counter INTEGER, officer TEXT, recalls INTEGER NOT NULL DEFAULT 0,
            target_counter INTEGER, device_id TEXT,
            UNIQUE (site_id, day, service, seq)
        );
        CREATE INDEX tickets_waiting ON tickets(site_id, status, day, queued_at);
        CREATE INDEX tickets_service_waiting ON tickets(site_id, day, service, status, queued_at);
        CREATE TABLE ticket_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT, ticket_id INTEGER NOT NULL REFERENCES tickets(id),
            site_id TEXT NOT NULL, at REAL NOT NULL, kind TEXT NOT NULL, counter INTEGER, officer TEXT,
            device_id TEXT, data TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id);
        CREATE INDEX ticket_events_site_kind ON ticket_events(site_id, kind, id);
        CREATE TABLE requests (
            device_id TEXT NOT NULL, request_id TEXT NOT NULL, verb TEXT NOT NULL,
            response TEXT NOT NULL, at REAL NOT NULL,
            PRIMARY KEY (device_id, request_id)
        );
        CREATE INDEX requests_at ON requests(at);
        CREATE TABLE procedures (
            id TEXT PRIMARY KEY, code TEXT, name TEXT NOT NULL, name_en TEXT, field TEXT NOT NULL,
            level TEXT, agency TEXT, processing_days REAL, search_text TEXT NOT NULL, doc TEXT NOT NULL
        );
        """
    )


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: sqlite_utils.Database) -> int:
    """Bring the schema up to date; refuse a database written by a newer motcua."""
    current = schema_version(db)
    if current > SCHEMA_VERSION:
        raise RuntimeError(f"database schema v{current} is newer than this motcua (v{SCHEMA_VERSION})")
    for number in range(current, SCHEMA_VERSION):
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[number](db)
            db.conn.execute(f"PRAGMA user_version = {number + 1}")
        except BaseException:
            db.conn.execute("ROLLBACK")
            raise
        db.conn.execute("COMMIT")
    return SCHEMA_VERSION
