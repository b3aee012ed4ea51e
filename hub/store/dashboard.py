"""The few reads of the leaders' dashboard that no other module makes (hub.ops.dashboard)."""

from __future__ import annotations

import sqlite_utils

OPEN = ("received", "transferred", "processing", "awaiting_transfer")  # a dossier on supplement is paused


def due_before(db: sqlite_utils.Database, site_id: str, until: float, limit: int = 200) -> list[tuple]:
    """Open dossiers whose legal due time is before `until` (the overdue ones too), most urgent first:
    (code, procedure, holder, status, legal_due_at, apologies). One range of the (site, status, due) index
    per status: a year of finished dossiers, all due in the past, is never read."""
    rows: list[tuple] = []
    for status in OPEN:
        rows += db.execute("SELECT code, procedure_name, holder, status, legal_due_at, apologies FROM dossiers "
                           "WHERE site_id = ? AND status = ? AND legal_due_at < ? ORDER BY legal_due_at LIMIT ?",
                           [site_id, status, until, limit]).fetchall()
    return sorted(rows, key=lambda r: r[4])[:limit]


def officer_names(db: sqlite_utils.Database, site_id: str) -> dict[str, str]:
    return dict(db.execute("SELECT id, name FROM officers WHERE site_id = ?", [site_id]).fetchall())


def post_returns(db: sqlite_utils.Database, site_id: str, limit: int = 500) -> list[tuple]:
    """Results ready to go back by post (oldest first): (code, procedure, applicant JSON, ready_at)."""
    return db.execute("SELECT code, procedure_name, applicant, ready_at FROM dossiers WHERE site_id = ? "
                      "AND status = 'ready' AND return_method = 'post' ORDER BY ready_at LIMIT ?",
                      [site_id, limit]).fetchall()
