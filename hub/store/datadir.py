"""The hub's data directory at rest: private modes, and a guard against starting on the wrong database.

The directory holds citizens' CCCD numbers, phones and addresses and the officers' PIN hashes, so it is
0700 and its files 0600 (the hub sets its umask too, so files SQLite and Mosquitto create later follow).

A zero-length, truncated or foreign `motcua.db` must never become a fresh empty hub: that would look
healthy while every device is locked out and the day's queue is gone. The database carries an identity
(meta `db_id`, written by a migration) that is also kept beside it in `hub.id`; when the directory shows
it had data and the database does not match, the hub refuses to start and changes nothing.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from motcua_core.private import make_private

__all__ = ["DataDirError", "check", "db_problem", "make_private", "remember_id", "stored_id"]

DB_NAME = "motcua.db"
ID_NAME = "hub.id"
# Files whose presence shows that this directory once belonged to a working hub.
EVIDENCE = ("hub.id", "hub.secret", "broker/passwd")


class DataDirError(RuntimeError):
    """The data directory is not one the hub may start on; the message says what to do."""


def db_problem(path: Path) -> str | None:
    """Why the file at `path` is not a whole SQLite database, or None if it looks whole.

    Only stat() and SQLite itself touch the file: opening and closing a descriptor of our own on a
    database this process has open would drop SQLite's POSIX locks on it (another process could then
    reset the WAL under the hub). SQLite refuses a file shorter than its header's page count as
    malformed, which is how a truncated copy shows."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return "is missing"
    if size == 0:
        return "is empty (0 bytes)"
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc):
            return "is not an SQLite database"
        return f"is truncated or damaged ({exc}, {size} bytes)"
    return None


def stored_id(path: Path) -> str | None:
    """The identity written inside the database (meta db_id), read without changing the file."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'db_id'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def check(data_dir: Path) -> None:
    """Refuse (DataDirError) a directory that had a hub's data but whose database is missing, empty,
    truncated or another hub's. A fresh directory, or one whose database is whole and its own, passes."""
    db = data_dir / DB_NAME
    had_data = [name for name in EVIDENCE if (data_dir / name).exists()]
    if not had_data:
        return
    problem = db_problem(db)
    expected = (data_dir / ID_NAME).read_text().strip() if (data_dir / ID_NAME).exists() else None
    if problem is None and expected is not None:
        got = stored_id(db)
        if got != expected:
            problem = f"belongs to another hub (id {got}, this directory's is {expected})"
    if problem is not None:
        raise DataDirError(
            f"{db} {problem}, but {data_dir} shows it had data ({', '.join(had_data)}). The hub will not "
            f"start on it and has changed nothing (the broker's password file is untouched). Restore the "
            f"latest backup with `motcua hub restore --data {data_dir} FILE` (backups are in "
            f"{data_dir / 'backups'}), or move the directory away to start a new, empty hub.")


def remember_id(data_dir: Path, db_id: str) -> None:
    """Keep the database's identity beside it (written once; the check above compares the two)."""
    path = data_dir / ID_NAME
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(db_id + "\n")
