"""Rows of "text me when N are ahead" (SQL only)."""

from __future__ import annotations

import sqlite_utils

from hub.store import memo


def put(db: sqlite_utils.Database, site_id: str, ticket_id: int, phone: str, ahead: int, now: float) -> None:
    """One alert per ticket: asking again replaces it (and it is sent again if not yet sent)."""
    db.execute("INSERT INTO ticket_alerts(ticket_id, site_id, phone, ahead, created_at) VALUES(?,?,?,?,?) "
               "ON CONFLICT(ticket_id) DO UPDATE SET phone = excluded.phone, ahead = excluded.ahead",
               [ticket_id, site_id, phone, ahead, now])
    memo.forget(db, ("alerts", site_id))


def pending(db: sqlite_utils.Database, site_id: str) -> list[tuple[int, str, int]]:
    """(ticket id, phone, ahead) of the site's alerts not sent yet. Every call reads them, few change:
    kept in the registry memo (`put` and `mark_sent` forget them)."""
    return memo.lookup(db, ("alerts", site_id), lambda: [tuple(r) for r in db.execute(
        "SELECT ticket_id, phone, ahead FROM ticket_alerts WHERE site_id = ? AND sent_at IS NULL",
        [site_id]).fetchall()])


def mark_sent(db: sqlite_utils.Database, ticket_id: int, now: float) -> None:
    db.execute("UPDATE ticket_alerts SET sent_at = ? WHERE ticket_id = ?", [now, ticket_id])
    memo.forget_kind(db, "alerts")
