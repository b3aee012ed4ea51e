"""Satisfaction votes, one row per served ticket (the `votes` table)."""

from __future__ import annotations

import json

import sqlite_utils

from motcua_core.collation import vi_sorted


def get(db: sqlite_utils.Database, ticket_id: int) -> dict | None:
    row = db.execute("SELECT ticket_id, counter, officer, service, rating, reasons, answers, comment, at "
                     "FROM votes WHERE ticket_id = ?", [ticket_id]).fetchone()
    if row is None:
        return None
    return {"ticket_id": row[0], "counter": row[1], "officer": row[2], "service": row[3], "rating": row[4],
            "reasons": json.loads(row[5]), "answers": json.loads(row[6]), "comment": row[7], "at": row[8]}


def insert(db: sqlite_utils.Database, *, site_id: str, ticket_id: int, counter: int, officer: str | None,
           service: str, rating: int, reasons: list[str], answers: dict, comment: str | None,
           device_id: str | None, at: float, dossier_code: str | None = None) -> None:
    db.execute(
        """INSERT INTO votes(site_id, ticket_id, counter, officer, service, rating, reasons, answers, comment,
                             dossier_code, device_id, at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)""",
        [site_id, ticket_id, counter, officer, service, rating, json.dumps(reasons), json.dumps(answers),
         comment, dossier_code, device_id, at],
    )


def day_summary(db: sqlite_utils.Database, site_id: str, day: str) -> dict:
    """Satisfaction for the tickets of one site-local day: overall and per counter, officer and service."""
    from hub.domain.votes import summarize

    rows = db.execute("""SELECT v.counter, v.officer, v.service, v.rating FROM votes v
                         JOIN tickets t ON t.id = v.ticket_id WHERE v.site_id = ? AND t.day = ?""",
                      [site_id, day]).fetchall()

    def by(col: int) -> dict:
        groups: dict = {}
        for r in rows:
            groups.setdefault(str(r[col]), []).append(r[3])
        return {k: summarize(v) for k, v in vi_sorted(groups.items(), key=lambda kv: kv[0])}

    return {"overall": summarize([r[3] for r in rows]), "by_counter": by(0), "by_officer": by(1),
            "by_service": by(2)}
