"""Appointment rows, the site's booking settings and per-service capacity (issue #12)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import sqlite_utils

from hub.domain.appointments import BOOKED, CHECKED_IN, HOLDS_SEAT, BookingPolicy
from hub.domain.queue import WAITING, Candidate
from hub.store import memo
from motcua_core.collation import vi_sorted
from motcua_core.errors import DomainError


@dataclass(frozen=True)
class Appointment:
    id: int
    site_id: str
    code: str
    service: str
    procedure_id: str | None
    day: str
    slot_start: float
    slot_end: float
    name: str
    phone: str
    email: str | None
    cccd: str | None
    status: str
    source: str
    created_at: float
    reminded_at: float | None
    checked_in_at: float | None
    ticket_id: int | None


_COLS = ("id, site_id, code, service, procedure_id, day, slot_start, slot_end, name, phone, email, cccd, status, "
         "source, created_at, reminded_at, checked_in_at, ticket_id")
_HOLDS = "status IN ('booked', 'checked_in')"
assert HOLDS_SEAT == (BOOKED, CHECKED_IN)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _one(db: sqlite_utils.Database, where: str, params: list) -> Appointment | None:
    row = db.execute(f"SELECT {_COLS} FROM appointments WHERE {where}", params).fetchone()
    return None if row is None else Appointment(*row)


def by_code(db: sqlite_utils.Database, site_id: str, code: str) -> Appointment | None:
    return _one(db, "code = ? AND site_id = ?", [code, site_id])


def by_secret(db: sqlite_utils.Database, secret: str) -> Appointment | None:
    return _one(db, "manage_hash = ?", [secret_hash(secret)])


def by_ticket(db: sqlite_utils.Database, ticket_id: int) -> Appointment | None:
    """The appointment a ticket was issued for (checked in on time), if any."""
    return _one(db, "ticket_id = ? AND status = 'checked_in'", [ticket_id])


def checked_in(db: sqlite_utils.Database, site_id: str, day: str) -> dict[int, Appointment]:
    """A site's appointments checked in on `day`, by ticket: what `by_ticket` answers for that day's
    tickets. A counter's every call and completion asks it of its ticket; bookings change a few times an
    hour: kept in the registry memo (`insert` and `update` forget the day's)."""
    def load() -> dict[int, Appointment]:
        rows = db.execute(f"SELECT {_COLS} FROM appointments INDEXED BY appointments_due "
                          "WHERE site_id = ? AND day = ? AND status = 'checked_in'", [site_id, day])
        return {a.ticket_id: a for a in (Appointment(*r) for r in rows) if a.ticket_id is not None}
    return memo.lookup(db, ("checked_in", site_id, day), load)


def for_cccd_today(db: sqlite_utils.Database, site_id: str, day: str, cccd: str) -> list[Appointment]:
    rows = db.execute(f"SELECT {_COLS} FROM appointments WHERE site_id = ? AND day = ? AND cccd = ? "
                      f"AND status IN ('booked', 'no_show', 'checked_in') ORDER BY slot_start", [site_id, day, cccd])
    return [Appointment(*r) for r in rows]


def insert(db: sqlite_utils.Database, *, site_id: str, code: str, secret: str, service: str,
           procedure_id: str | None, day: str, slot_start: float, slot_end: float, name: str, phone: str,
           email: str | None, cccd: str | None, source: str, now: float) -> Appointment:
    row = db.execute(
        f"""INSERT INTO appointments(site_id, code, manage_hash, service, procedure_id, day, slot_start, slot_end,
                name, phone, email, cccd, status, source, created_at, updated_at)
            VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING {_COLS}""",
        [site_id, code, secret_hash(secret), service, procedure_id, day, slot_start, slot_end, name, phone,
         email or None, cccd or None, BOOKED, source, now, now],
    ).fetchone()
    memo.forget(db, ("checked_in", site_id, day))
    return Appointment(*row)


def update(db: sqlite_utils.Database, appt: Appointment, now: float, **cols: object) -> None:
    sets = ", ".join(f"{k} = ?" for k in cols)
    db.execute(f"UPDATE appointments SET {sets}, updated_at = ? WHERE id = ?", [*cols.values(), now, appt.id])
    for day in {appt.day, cols.get("day", appt.day)}:
        memo.forget(db, ("checked_in", appt.site_id, day))


def code_taken(db: sqlite_utils.Database, code: str) -> bool:
    return db.execute("SELECT 1 FROM appointments WHERE code = ?", [code]).fetchone() is not None


def taken_by_slot(db: sqlite_utils.Database, site_id: str, service: str, day: str, now: float,
                  grace_s: float, exclude: int | None = None) -> dict[float, int]:
    """Seats held per slot start: checked in, or booked and not yet past the grace window (a no-show's
    seat is free again the moment the window closes, whether or not the timer has marked it)."""
    rows = db.execute(
        f"""SELECT slot_start, COUNT(*) FROM appointments INDEXED BY appointments_slot
            WHERE site_id = ? AND service = ? AND day = ? AND {_HOLDS}
              AND NOT (status = 'booked' AND slot_start + ? < ?) AND id IS NOT ?
            GROUP BY slot_start""",
        [site_id, service, day, grace_s, now, exclude],
    )
    return dict(rows.fetchall())


def held_by_person(db: sqlite_utils.Database, site_id: str, day: str, phone: str, cccd: str | None,
                   exclude: int | None = None) -> int:
    """Bookings holding a seat that day under this phone number or CCCD."""
    n = db.execute(f"SELECT COUNT(*) FROM appointments WHERE site_id = ? AND day = ? AND phone = ? AND {_HOLDS} "
                   "AND id IS NOT ?", [site_id, day, phone, exclude]).fetchone()[0]
    if cccd:
        n = max(n, db.execute(f"SELECT COUNT(*) FROM appointments WHERE site_id = ? AND day = ? AND cccd = ? "
                              f"AND {_HOLDS} AND id IS NOT ?", [site_id, day, cccd, exclude]).fetchone()[0])
    return n


# --- the queue's view of appointments -----------------------------------------------------------------

def oldest_due(db: sqlite_utils.Database, site_id: str, day: str, services: tuple[str, ...],
               now: float) -> Candidate | None:
    """The checked-in appointment ticket whose slot started first (and has started), among `services`."""
    read = oldest_due_read(site_id, day, services, now)
    if read is None:
        return None
    row = db.execute(*read).fetchone()
    return None if row is None else Candidate(*row)


def oldest_due_read(site_id: str, day: str, services: tuple[str, ...], now: float,
                    columns: str = "t.id, t.service, t.priority, t.queued_at, t.target_counter") -> tuple[str, list] | None:
    """`oldest_due`'s query and parameters (None: no services, nothing to read), for a caller that sends
    it with other reads and wants other `columns` of the ticket (tickets.call_next_rows)."""
    if not services:
        return None
    marks = ",".join("?" * len(services))
    return (f"""SELECT {columns}
            FROM appointments a INDEXED BY appointments_due JOIN tickets t ON t.id = a.ticket_id
            WHERE a.site_id = ? AND a.day = ? AND a.status = 'checked_in' AND t.status = '{WAITING}'
              AND t.target_counter IS NULL AND a.slot_start <= ? AND t.service IN ({marks})
            ORDER BY a.slot_start, t.id LIMIT 1""", [site_id, day, now, *services])


def walkins_since_appointment(db: sqlite_utils.Database, site_id: str, counter: int, since: float,
                              limit: int) -> int | None:
    """Tickets called at a counter since its last appointment call (at most `limit` looked at); None when
    it called no appointment among its calls since `since` (the start of the day)."""
    rows = db.execute(
        """SELECT a.id IS NOT NULL FROM ticket_events e
           LEFT JOIN appointments a ON a.ticket_id = e.ticket_id AND a.status = 'checked_in'
           WHERE e.site_id = ? AND e.kind = 'call' AND e.counter = ? AND e.at >= ?
           ORDER BY e.id DESC LIMIT ?""",
        [site_id, counter, since, limit],
    ).fetchall()
    for i, (is_appt,) in enumerate(rows):
        if is_appt:
            return i
    return limit if len(rows) == limit else None


# The tickets counters of a site are serving that are appointment tickets (the lobby marks them): read
# with the lobby's other rows (lobby.lobby_rows), from the few counters to the ticket_id index.
CURRENT_BOOKED = """SELECT a.ticket_id FROM counters c JOIN appointments a ON a.ticket_id = c.current_ticket
                    WHERE c.site_id = ? AND a.status = 'checked_in'"""


def appointment_ticket_ids(db: sqlite_utils.Database, ticket_ids: list[int]) -> set[int]:
    """Which of these tickets are appointment tickets (the lobby marks them)."""
    if not ticket_ids:
        return set()
    marks = ",".join("?" * len(ticket_ids))
    rows = db.execute(f"SELECT ticket_id FROM appointments WHERE ticket_id IN ({marks}) AND status = 'checked_in'",
                      ticket_ids)
    return {r[0] for r in rows}


# --- timers and reports -------------------------------------------------------------------------------

def to_release(db: sqlite_utils.Database, site_id: str, before: float) -> list[Appointment]:
    """Bookings still `booked` whose grace window closed before `before` (no-shows)."""
    rows = db.execute(f"SELECT {_COLS} FROM appointments WHERE site_id = ? AND status = 'booked' "
                      "AND slot_start < ? ORDER BY id", [site_id, before])
    return [Appointment(*r) for r in rows]


def to_remind(db: sqlite_utils.Database, site_id: str, day: str) -> list[Appointment]:
    rows = db.execute(f"SELECT {_COLS} FROM appointments WHERE site_id = ? AND day = ? AND status = 'booked' "
                      "AND reminded_at IS NULL ORDER BY id", [site_id, day])
    return [Appointment(*r) for r in rows]


def day_rows(db: sqlite_utils.Database, site_id: str, day: str) -> list[Appointment]:
    rows = db.execute(f"SELECT {_COLS} FROM appointments WHERE site_id = ? AND day = ? AND status != 'cancelled'",
                      [site_id, day])
    return [Appointment(*r) for r in rows]


def first_called(db: sqlite_utils.Database, ticket_ids: list[int]) -> dict[int, float]:
    if not ticket_ids:
        return {}
    marks = ",".join("?" * len(ticket_ids))
    rows = db.execute(f"SELECT id, first_called_at FROM tickets WHERE id IN ({marks}) AND first_called_at IS NOT NULL",
                      ticket_ids)
    return dict(rows.fetchall())


# --- settings -----------------------------------------------------------------------------------------

def get_policy(db: sqlite_utils.Database, site_id: str) -> BookingPolicy:
    row = db.execute("SELECT config FROM appointment_settings WHERE site_id = ?", [site_id]).fetchone()
    return BookingPolicy.from_config(json.loads(row[0]) if row else None)


def set_policy(db: sqlite_utils.Database, site_id: str, cfg: dict) -> BookingPolicy:
    """Merge `cfg` into the stored settings; an unusable value is refused before anything is written."""
    row = db.execute("SELECT config FROM appointment_settings WHERE site_id = ?", [site_id]).fetchone()
    merged = {**(json.loads(row[0]) if row else {}), **cfg}
    try:
        policy = BookingPolicy.from_config(merged)
    except (TypeError, ValueError) as exc:
        raise DomainError("bad_request", f"appointment settings: {exc}", f"Cấu hình đặt lịch không hợp lệ: {exc}") from None
    db.execute("INSERT INTO appointment_settings(site_id, config) VALUES(?, ?) "
               "ON CONFLICT(site_id) DO UPDATE SET config = excluded.config",
               [site_id, json.dumps(merged, ensure_ascii=False)])
    return policy


def capacity_override(db: sqlite_utils.Database, site_id: str, service: str) -> int | None:
    row = db.execute("SELECT seats FROM appointment_capacity WHERE site_id = ? AND service = ?",
                     [site_id, service]).fetchone()
    return None if row is None else row[0]


def set_capacity(db: sqlite_utils.Database, site_id: str, service: str, seats: int | None) -> None:
    """Seats per slot set by an administrator (None: derive them again)."""
    if seats is None:
        db.execute("DELETE FROM appointment_capacity WHERE site_id = ? AND service = ?", [site_id, service])
        return
    db.execute("INSERT INTO appointment_capacity(site_id, service, seats) VALUES(?,?,?) "
               "ON CONFLICT(site_id, service) DO UPDATE SET seats = excluded.seats", [site_id, service, seats])


def procedures_of_field(db: sqlite_utils.Database, field: str) -> list[tuple[str, str]]:
    """(id, name) of the catalogue's procedures in a field: what the booking page offers for a service."""
    rows = db.execute("SELECT id, name FROM procedures WHERE field = ?", [field]).fetchall()
    return vi_sorted(rows, key=lambda r: r[1])  # Vietnamese order, not code points


def booked_ahead(db: sqlite_utils.Database, site_id: str, service: str, day: str) -> int:
    """Bookings still to be honoured for `service` from `day` on (a service cannot be retired under them)."""
    return db.execute("SELECT COUNT(*) FROM appointments WHERE site_id = ? AND service = ? AND day >= ? "
                      "AND status = 'booked'", [site_id, service, day]).fetchone()[0]
