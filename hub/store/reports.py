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
    cols = "code, received_at, legal_due_at, finished_at, outcome, status, state, documents"
    # two ranges of the (site, finished_at) index: the open ones, and those ended from `start` on (an OR
    # of the two made SQLite read every dossier received before `end`: a year's, for a month)
    return (db.execute(f"SELECT {cols} FROM dossiers WHERE site_id = ? AND finished_at IS NULL AND received_at < ?",
                       [site_id, end]).fetchall()
            + db.execute(f"SELECT {cols} FROM dossiers WHERE site_id = ? AND finished_at >= ? AND received_at < ?",
                         [site_id, start, end]).fetchall())


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


# --- reports over any period (hub.ops.reports.period_report) ---------------------------------------

def period_tickets(db: Db, site_id: str, first_day: str, last_day: str) -> list[tuple]:
    """The tickets of the site's local days first_day..last_day (YYYY-MM-DD, both included), as the
    dashboard reads a day's: (service, counter, officer, status, issued_at, first_called_at, done_at)."""
    return db.execute(
        "SELECT service, counter, officer, status, issued_at, first_called_at, done_at FROM tickets "
        "WHERE site_id = ? AND day >= ? AND day <= ?", [site_id, first_day, last_day]).fetchall()


def queue_names(db: Db, site_id: str) -> dict[str, dict[str, str]]:
    """Names to print for service codes, counter numbers and officer ids (retired ones included)."""
    return {"service": dict(db.execute("SELECT code, name FROM services WHERE site_id = ?", [site_id]).fetchall()),
            "counter": {str(n): name for n, name in db.execute("SELECT number, name FROM counters WHERE site_id = ?",
                                                                [site_id]).fetchall()},
            "officer": dict(db.execute("SELECT id, name FROM officers WHERE site_id = ?", [site_id]).fetchall())}


REPORTED_EVENTS = ("supplement_requested", "rejected", "withdrawn", "stopped", "apology_issued")


def dossier_event_counts(db: Db, site_id: str, start: float, end: float) -> dict[str, int]:
    """How many of each reported dossier event kind (REPORTED_EVENTS: supplement requests, refusals …)
    happened in [start, end); one range of the (site, kind, at) index per kind."""
    return {kind: db.execute("SELECT COUNT(*) FROM dossier_events WHERE site_id = ? AND kind = ? AND at >= ? "
                             "AND at < ?", [site_id, kind, start, end]).fetchone()[0] for kind in REPORTED_EVENTS}


def intake_refusals_in(db: Db, site_id: str, start: float, end: float) -> int:
    """Papers refused at the counter before any dossier existed (Mẫu 03 at intake) in [start, end)."""
    return db.execute("SELECT COUNT(*) FROM intake_refusals WHERE site_id = ? AND at >= ? AND at < ?",
                      [site_id, start, end]).fetchone()[0]


def in_progress_at(db: Db, site_id: str, end: float) -> int:
    """Dossiers received before `end` and not ended by then (still being handled at the period's end): the
    open ones and those ended later, each through the (site, finished_at) index."""
    still = db.execute("SELECT COUNT(*) FROM dossiers WHERE site_id = ? AND finished_at IS NULL AND received_at < ?",
                       [site_id, end]).fetchone()[0]
    later = db.execute("SELECT COUNT(*) FROM dossiers WHERE site_id = ? AND finished_at >= ? AND received_at < ?",
                       [site_id, end, end]).fetchone()[0]
    return still + later


def ratings_by_counter_agency(db: Db, site_id: str, since: float, until: float, unit: str) -> list[tuple[str, int]]:
    """Each counter vote with the agency it is about: the linked dossier's agency, else `unit` (the
    reception unit whose counter was rated): every vote the officer table counts is counted here too."""
    return db.execute("SELECT COALESCE(d.agency, ?), v.rating FROM votes v LEFT JOIN dossiers d "
                      "ON d.code = v.dossier_code WHERE v.site_id = ? AND v.at >= ? AND v.at < ?",
                      [unit, site_id, since, until]).fetchall()


def dossier_ratings_by_agency(db: Db, site_id: str, since: float, until: float) -> list[tuple[str, int]]:
    """Ratings of a dossier's handling (Decree 118/2025 Art. 33) with the agency rated and the overall answer."""
    return db.execute("SELECT COALESCE(r.agency, d.agency, ''), r.overall FROM dossier_ratings r "
                      "LEFT JOIN dossiers d ON d.code = r.code WHERE r.site_id = ? AND r.at >= ? AND r.at < ?",
                      [site_id, since, until]).fetchall()


# --- numbered reports: the per-site, per-year series of "Số: …/BC-…" ----------------------------------

def next_report_number(db: Db, site_id: str, year: int) -> int:
    """The next number of the site's series for `year` (1 on 1 January): called inside the transaction
    that stores the report, so a number is never skipped nor given twice."""
    return db.execute("SELECT COALESCE(MAX(number), 0) + 1 FROM issued_reports WHERE site_id = ? AND year = ?",
                      [site_id, year]).fetchone()[0]


def add_issued(db: Db, *, site_id: str, year: int, number: int, symbol: str, period: str, title: str,
               issued_at: float, issued_by: str, data: str) -> None:
    db.execute("INSERT INTO issued_reports(site_id, year, number, symbol, period, title, issued_at, issued_by, data) "
               "VALUES(?,?,?,?,?,?,?,?,?)", [site_id, year, number, symbol, period, title, issued_at, issued_by, data])


def issued(db: Db, site_id: str, year: int, number: int) -> tuple | None:
    """(symbol, period, title, issued_at, issued_by, data, pdf) of one numbered report, or None."""
    return db.execute("SELECT symbol, period, title, issued_at, issued_by, data, pdf FROM issued_reports "
                      "WHERE site_id = ? AND year = ? AND number = ?", [site_id, year, number]).fetchone()


def keep_pdf(db: Db, site_id: str, year: int, number: int, pdf: bytes) -> None:
    """The signed PDF of a numbered report, kept once: the first one made is the one issued."""
    db.execute("UPDATE issued_reports SET pdf = ? WHERE site_id = ? AND year = ? AND number = ? AND pdf IS NULL",
               [pdf, site_id, year, number])


def issued_list(db: Db, site_id: str, limit: int = 200) -> list[tuple]:
    """(year, number, symbol, period, title, issued_at, issued_by), newest first."""
    return db.execute("SELECT year, number, symbol, period, title, issued_at, issued_by FROM issued_reports "
                      "WHERE site_id = ? ORDER BY year DESC, number DESC LIMIT ?", [site_id, limit]).fetchall()
