"""Rows the weekly report, the satisfaction figures and the tracking register (Sổ theo dõi hồ sơ) are
built from (hub.ops.reports): read-only queries over dossiers, their events, fields, officers and votes."""

from __future__ import annotations

import json
from collections.abc import Iterator

from hub.store.db import Db


def week_dossiers(db: Db, site_id: str, start: float, end: float) -> list[tuple]:
    """Dossiers that can count in [start, end): received, finished or falling due in it. Each row:
    (agency, field, officer name, received_at, legal_due_at, finished_at, first_apology_at,
    is_supplement, code)."""
    return db.execute(
        "SELECT agency, field, COALESCE(o.name, d.officer, ''), received_at, legal_due_at, finished_at, "
        "first_apology_at, status = 'supplement', code FROM dossiers d "
        "LEFT JOIN officers o ON o.site_id = d.site_id AND o.id = d.officer "
        "WHERE d.site_id = ? AND ((received_at >= ? AND received_at < ?) OR "
        "(finished_at >= ? AND finished_at < ?) OR (legal_due_at >= ? AND legal_due_at < ?))",
        [site_id, start, end, start, end, start, end]).fetchall()


def field_names(db: Db, site_id: str) -> list[tuple[str, str]]:
    return db.execute("SELECT code, name FROM fields WHERE site_id = ?", [site_id]).fetchall()


def ratings_by_officer(db: Db, site_id: str, since: float, until: float) -> list[tuple[str, int]]:
    return db.execute("SELECT COALESCE(o.name, v.officer, '—'), v.rating FROM votes v LEFT JOIN officers o "
                      "ON o.site_id = v.site_id AND o.id = v.officer WHERE v.site_id = ? AND v.at >= ? AND v.at < ?",
                      [site_id, since, until]).fetchall()


def ratings_by_agency(db: Db, site_id: str, since: float, until: float) -> list[tuple[str, int]]:
    return db.execute("SELECT d.agency, v.rating FROM votes v JOIN dossiers d ON d.code = v.dossier_code "
                      "WHERE v.site_id = ? AND v.at >= ? AND v.at < ?", [site_id, since, until]).fetchall()


def vote_reasons(db: Db, site_id: str, since: float, until: float) -> Iterator[tuple[str, str]]:
    """(reason id, officer name) for each reason of each vote in the period (reasons: a JSON list)."""
    for reasons, officer in db.execute(
            "SELECT v.reasons, COALESCE(o.name, v.officer, '—') FROM votes v "
            "LEFT JOIN officers o ON o.site_id = v.site_id AND o.id = v.officer "
            "WHERE v.site_id = ? AND v.at >= ? AND v.at < ?", [site_id, since, until]).fetchall():
        for reason in json.loads(reasons or "[]"):
            yield reason, officer


def register_rows(db: Db, site_id: str, lo: float, hi: float, field: str | None) -> list[tuple]:
    """Dossiers received in [lo, hi) in book order, each with the time of its first transfer (last column)."""
    sql = ("SELECT code, procedure_name, sets, applicant_name, applicant, agency, received_at, legal_due_at, "
           "ready_at, returned_at, status, postal_tracking, apologies, register_no, register_year, field, "
           "(SELECT MIN(e.at) FROM dossier_events e WHERE e.code = d.code AND e.kind = 'transferred') "
           "FROM dossiers d WHERE site_id = ? AND received_at >= ? AND received_at < ?")
    args: list = [site_id, lo, hi]
    if field:
        sql += " AND field = ?"
        args.append(field)
    return db.execute(sql + " ORDER BY register_year, field, register_no", args).fetchall()


def dossiers_in_period(db: Db, site_id: str, start: float, end: float) -> list[tuple]:
    """Dossiers received before `end` and not finished before `start` (the Decision 766 period's):
    (code, received_at, legal_due_at, finished_at, outcome, status, state, documents)."""
    return db.execute(
        "SELECT code, received_at, legal_due_at, finished_at, outcome, status, state, documents FROM dossiers "
        "WHERE site_id = ? AND received_at < ? AND (finished_at IS NULL OR finished_at >= ?)",
        [site_id, end, start]).fetchall()


def unsatisfied_dossiers(db: Db, site_id: str, at_most: int) -> set[str]:
    """Dossiers with an "unsatisfied" rating (at most `at_most`): of their counter visit (votes linked to
    the dossier) or of their handling (dossier ratings)."""
    out = {r[0] for r in db.execute("SELECT DISTINCT dossier_code FROM votes WHERE site_id = ? AND "
                                    "dossier_code IS NOT NULL AND rating <= ?", [site_id, at_most])}
    return out | {r[0] for r in db.execute("SELECT DISTINCT code FROM dossier_ratings WHERE site_id = ? AND "
                                           "overall <= ?", [site_id, at_most])}


def ratings_in(db: Db, site_id: str, since: float, until: float, satisfied_from: int) -> tuple[int, int]:
    """(ratings, satisfied ratings) of a period: the queue's votes and the dossier ratings' overall answer."""
    n = ok = 0
    for table, col in (("votes", "rating"), ("dossier_ratings", "overall")):
        a, b = db.execute(f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN {col} >= ? THEN 1 ELSE 0 END), 0) FROM {table} "
                          "WHERE site_id = ? AND at >= ? AND at < ?", [satisfied_from, site_id, since, until]).fetchone()
        n, ok = n + a, ok + b
    return n, ok
