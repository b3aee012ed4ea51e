"""Ratings of a dossier's handling (Decree 118/2025 Art. 33): one row per dossier."""

from __future__ import annotations

import json

import sqlite_utils


def get(db: sqlite_utils.Database, code: str) -> dict | None:
    r = db.execute("SELECT code, channel, answers, overall, comment, agency, at FROM dossier_ratings WHERE code = ?",
                   [code]).fetchone()
    if r is None:
        return None
    return {"code": r[0], "channel": r[1], "answers": json.loads(r[2]), "overall": r[3], "comment": r[4],
            "agency": r[5], "at": r[6]}


def insert(db: sqlite_utils.Database, *, site_id: str, code: str, channel: str, answers: dict, overall: int,
           comment: str | None, agency: str | None, device_id: str | None, at: float) -> None:
    db.execute("INSERT INTO dossier_ratings(site_id, code, channel, answers, overall, comment, agency, device_id, at) "
               "VALUES(?,?,?,?,?,?,?,?,?)", [site_id, code, channel, json.dumps(answers, ensure_ascii=False), overall,
                                             comment, agency, device_id, at])


def code_for_ticket(db: sqlite_utils.Database, site_id: str, ticket_id: int) -> tuple[str, str] | None:
    """(code, procedure name) of the dossier returned to the citizen of this ticket, if any."""
    r = db.execute("SELECT code, procedure_name FROM dossiers WHERE site_id = ? AND return_ticket_id = ? "
                   "ORDER BY returned_at DESC LIMIT 1", [site_id, ticket_id]).fetchone()
    return (r[0], r[1]) if r else None
