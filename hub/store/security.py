"""Wrong public lookup keys per dossier code, and the security alerts the office sees (a dossier code
locked for public lookup, a burst of online bookings) until it passes or an administrator releases it."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import sqlite_utils


@dataclass(frozen=True)
class Alert:
    id: int
    site_id: str
    kind: str
    subject: str  # the dossier code, or "" for a site-wide burst
    since: float
    at: float
    until: float | None
    count: int
    released_at: float | None
    released_by: str | None

    def public(self) -> dict:
        return asdict(self)


_COLS = "id, site_id, kind, subject, since, at, until, count, released_at, released_by"


def lookup_failure(db: sqlite_utils.Database, code: str, now: float, window_s: float) -> int:
    """Count one wrong key for `code`; returns the wrong keys of its last `window_s` seconds."""
    db.execute("DELETE FROM lookup_failures WHERE at <= ?", [now - window_s])
    db.execute("INSERT INTO lookup_failures(code, at) VALUES(?, ?)", [code, now])
    return lookup_failures(db, code, now, window_s)


def lookup_failures(db: sqlite_utils.Database, code: str, now: float, window_s: float) -> int:
    return db.execute("SELECT COUNT(*) FROM lookup_failures WHERE code = ? AND at > ?",
                      [code, now - window_s]).fetchone()[0]


def open_alert(db: sqlite_utils.Database, site_id: str, kind: str, subject: str, now: float) -> Alert | None:
    """The alert of this kind and subject still in force (not released, not expired)."""
    row = db.execute(f"SELECT {_COLS} FROM security_alerts WHERE site_id = ? AND kind = ? AND subject = ? "
                     "AND released_at IS NULL AND (until IS NULL OR until > ?) ORDER BY id DESC LIMIT 1",
                     [site_id, kind, subject, now]).fetchone()
    return Alert(*row) if row else None


def in_force(db: sqlite_utils.Database, kind: str, subject: str, now: float) -> bool:
    """An alert of this kind and subject, of any site, not released and not expired."""
    return db.execute("SELECT 1 FROM security_alerts WHERE kind = ? AND subject = ? AND released_at IS NULL "
                      "AND (until IS NULL OR until > ?) LIMIT 1", [kind, subject, now]).fetchone() is not None


def raise_alert(db: sqlite_utils.Database, site_id: str, kind: str, subject: str, since: float, now: float,
                until: float | None, count: int) -> Alert:
    row = db.execute(f"INSERT INTO security_alerts(site_id, kind, subject, since, at, until, count) "
                     f"VALUES(?,?,?,?,?,?,?) RETURNING {_COLS}", [site_id, kind, subject, since, now, until, count]
                     ).fetchone()
    return Alert(*row)


def bump(db: sqlite_utils.Database, alert_id: int, now: float) -> None:
    db.execute("UPDATE security_alerts SET count = count + 1, at = ? WHERE id = ?", [now, alert_id])


def active(db: sqlite_utils.Database, site_id: str | None, now: float) -> list[Alert]:
    """Alerts in force, of one site (or every site), newest first."""
    where, params = "released_at IS NULL AND (until IS NULL OR until > ?)", [now]
    if site_id is not None:
        where += " AND site_id = ?"
        params.append(site_id)
    rows = db.execute(f"SELECT {_COLS} FROM security_alerts WHERE {where} ORDER BY id DESC", params)
    return [Alert(*r) for r in rows]


def get(db: sqlite_utils.Database, alert_id: int) -> Alert | None:
    row = db.execute(f"SELECT {_COLS} FROM security_alerts WHERE id = ?", [alert_id]).fetchone()
    return Alert(*row) if row else None


def release(db: sqlite_utils.Database, alert_id: int, now: float, by: str) -> None:
    db.execute("UPDATE security_alerts SET released_at = ?, released_by = ? WHERE id = ?", [now, by, alert_id])


def web_bookings_since(db: sqlite_utils.Database, site_id: str, since: float) -> list[tuple[str, float]]:
    """(code, created_at) of the site's online bookings made since `since`, still booked."""
    return [(r[0], r[1]) for r in db.execute(
        "SELECT code, created_at FROM appointments WHERE site_id = ? AND source = 'web' AND created_at >= ? "
        "AND status = 'booked' ORDER BY created_at", [site_id, since])]


def web_bookings_in(db: sqlite_utils.Database, site_id: str, since: float) -> int:
    """Online bookings the site took since `since` (whatever became of them)."""
    return db.execute("SELECT COUNT(*) FROM appointments WHERE site_id = ? AND source = 'web' AND created_at > ?",
                      [site_id, since]).fetchone()[0]
