"""Where an open hub database lives on disk: the data directory, which also holds the hub's private files
(the centre's signing certificate). A database without a file (in memory, or a server engine) has none."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils


def data_dir(db: sqlite_utils.Database) -> Path | None:
    """The directory `open_data_dir` opened the database for (a PostgreSQL hub has one too, for its private
    files), else the folder of the SQLite file."""
    given = getattr(db, "data_dir", None)
    if given is not None:
        return Path(given)
    if getattr(db, "engine", "sqlite") != "sqlite":
        return None
    for row in db.execute("PRAGMA database_list").fetchall():
        if row[1] == "main" and row[2]:
            return Path(row[2]).parent
    return None
