"""Refusals at intake (table `intake_refusals`, append-only): papers the counter did not take in, with
who, when, which procedure, whose and why, and the number of the sheet the citizen was given."""

from __future__ import annotations

import json

import sqlite_utils

COLUMNS = ("site_id", "at", "officer_id", "officer", "counter", "ticket_id", "procedure_id", "procedure_name",
           "applicant_name", "reasons")


def insert(db: sqlite_utils.Database, row: dict) -> int:
    """Record one refusal at intake; its id. Call inside a transaction."""
    values = {**row, "reasons": json.dumps(row["reasons"], ensure_ascii=False)}
    return db.execute(f"INSERT INTO intake_refusals({', '.join(COLUMNS)}) "
                      f"VALUES({', '.join('?' for _ in COLUMNS)}) RETURNING id", [values[c] for c in COLUMNS]).fetchone()[0]


def get(db: sqlite_utils.Database, site_id: str, refusal_id: int) -> dict | None:
    cur = db.execute("SELECT * FROM intake_refusals WHERE site_id = ? AND id = ?", [site_id, refusal_id])
    row = cur.fetchone()
    if row is None:
        return None
    d = dict(zip([c[0] for c in cur.description], row, strict=True))
    d["reasons"] = json.loads(d["reasons"])
    return d


def sheet_number(db: sqlite_utils.Database, site_id: str, refusal_id: int, since: float) -> int:
    """Số N/TCHS of an intake refusal: refusal sheets are one series per site and year, whether the
    counter refused the papers or an agency a dossier (those count up to the same moment)."""
    return db.execute(
        "WITH me AS (SELECT at FROM intake_refusals WHERE id = ?) "
        "SELECT (SELECT COUNT(*) FROM intake_refusals WHERE site_id = ? AND at >= ? AND id <= ?) + "
        "(SELECT COUNT(*) FROM dossier_events, me WHERE site_id = ? AND kind = 'rejected' AND dossier_events.at >= ? "
        "AND dossier_events.at <= me.at)",
        [refusal_id, site_id, since, refusal_id, site_id, since]).fetchone()[0]


def before(db: sqlite_utils.Database, site_id: str, since: float, at: float) -> int:
    """Intake refusals of the site from `since` to just before `at`: what an agency's refusal sheet of
    that moment counts before its own number."""
    return db.execute("SELECT COUNT(*) FROM intake_refusals WHERE site_id = ? AND at >= ? AND at < ?",
                      [site_id, since, at]).fetchone()[0]
