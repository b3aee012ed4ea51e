"""Read-only lists of dossiers for the deadline scan, the progress board and an agency's queue, and the
link of a returned dossier to its votes (hub.ops.dossiers)."""

from __future__ import annotations

from hub.store.db import Db


def open_due_before(db: Db, site_id: str, horizon: float) -> list[tuple]:
    """Unfinished dossiers not yet flagged late and not waiting on the citizen, due before `horizon`:
    (code, legal_due_at, holder, at_risk_alerted_at, late_alerted_at, apologies)."""
    return db.execute(
        "SELECT code, legal_due_at, holder, at_risk_alerted_at, late_alerted_at, apologies FROM dossiers "
        "WHERE site_id = ? AND finished_at IS NULL AND late_alerted_at IS NULL "
        "AND status NOT IN ('ready','returned','supplement','obligation','correction') AND legal_due_at < ?",
        [site_id, horizon]).fetchall()


def link_votes(db: Db, ticket_id: int, code: str) -> None:
    """Votes already given for the ticket a dossier was returned during are counted for that dossier."""
    db.execute("UPDATE votes SET dossier_code = ? WHERE ticket_id = ? AND dossier_code IS NULL", [code, ticket_id])


def ready(db: Db, site_id: str, limit: int = 200) -> list[tuple]:
    """Results waiting to be collected, newest first: (code, applicant_name, procedure_name, ready_at)."""
    return db.execute("SELECT code, applicant_name, procedure_name, ready_at FROM dossiers "
                      "WHERE site_id = ? AND status = 'ready' ORDER BY ready_at DESC LIMIT ?",
                      [site_id, limit]).fetchall()


def finished_between(db: Db, site_id: str, lo: float, hi: float) -> list[tuple[float, float]]:
    """(finished_at, legal_due_at) of the dossiers finished in [lo, hi]."""
    return db.execute("SELECT finished_at, legal_due_at FROM dossiers WHERE site_id = ? AND finished_at >= ? "
                      "AND finished_at <= ?", [site_id, lo, hi]).fetchall()


def held_by(db: Db, site_id: str, agency: str, limit: int = 500) -> list[tuple]:
    """Dossiers an agency holds or must act on, most urgent first — the site's own, and those received at
    another centre of the province and held here (`sync_held`):
    (code, procedure_name, status, legal_due_at, promised_due_at, apologies)."""
    return db.execute(
        "SELECT code, procedure_name, status, legal_due_at, promised_due_at, apologies FROM dossiers "
        "WHERE (site_id = ? OR code IN (SELECT code FROM sync_held)) AND holder = ? AND status IN ('transferred','processing','supplement',"
        "'obligation','correction','awaiting_transfer') ORDER BY legal_due_at LIMIT ?",
        [site_id, agency, limit]).fetchall()
