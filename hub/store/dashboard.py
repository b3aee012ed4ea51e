"""The few reads of the leaders' dashboard that no other module makes (hub.ops.dashboard)."""

from __future__ import annotations

import sqlite_utils

OPEN = ("received", "transferred", "processing", "awaiting_transfer")  # a dossier on supplement is paused


def due_before(db: sqlite_utils.Database, site_id: str, until: float, limit: int = 200) -> list[tuple]:
    """Open dossiers whose legal due time is before `until` (the overdue ones too), most urgent first:
    (code, procedure, holder, status, legal_due_at, apologies)."""
    marks = ",".join("?" * len(OPEN))
    return db.execute(f"SELECT code, procedure_name, holder, status, legal_due_at, apologies FROM dossiers "
                      f"WHERE site_id = ? AND status IN ({marks}) AND legal_due_at < ? "
                      f"ORDER BY legal_due_at LIMIT ?", [site_id, *OPEN, until, limit]).fetchall()


def officer_names(db: sqlite_utils.Database, site_id: str) -> dict[str, str]:
    return dict(db.execute("SELECT id, name FROM officers WHERE site_id = ?", [site_id]).fetchall())
