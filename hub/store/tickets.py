"""Ticket rows and their append-only event log."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlite_utils

from hub.domain.kpi import TicketTimes
from hub.domain.queue import DONE, PRIORITY_NONE, WAITING, Candidate
from hub.store import lobby_journal, memo
from hub.store.db import defer, defer_returning, read_many
from motcua_core.errors import DomainError


@dataclass(frozen=True)
class Ticket:
    id: int
    site_id: str
    day: str
    service: str
    seq: int
    number: str
    priority: str
    status: str
    lang: str
    issued_at: float
    queued_at: float
    called_at: float | None
    first_called_at: float | None
    done_at: float | None
    counter: int | None
    officer: str | None
    recalls: int
    target_counter: int | None


_COLS = ("id, site_id, day, service, seq, number, priority, status, lang, issued_at, queued_at, called_at, "
         "first_called_at, done_at, counter, officer, recalls, target_counter")


def get(db: sqlite_utils.Database, ticket_id: int, site_id: str | None = None) -> Ticket:
    """A ticket. One a counter holds (called or held) comes from the registry memo: `update` keeps it there
    as written, so the counter's next action (Next completes it) does not read it again."""
    t = memo.peek(db, ("ticket", ticket_id))
    if t is None:
        row = db.execute(f"SELECT {_COLS} FROM tickets WHERE id = ?", [ticket_id]).fetchone()
        t = Ticket(*row) if row is not None else None
    if t is None or (site_id is not None and t.site_id != site_id):
        raise DomainError("not_found", f"unknown ticket {ticket_id}", "Không tìm thấy vé.")
    return t  # type: ignore[return-value]


_HELD_BY_COUNTER = frozenset({"called", "held"})  # the only tickets kept in the memo: a counter's few


def next_seq(db: sqlite_utils.Database, site_id: str, day: str, service: str) -> int:
    """MAX + 1 of the day's numbers of `service`, exact inside the write transaction (one writer at a
    time). Kept in the registry memo between tickets: `insert` moves it on, anything else that writes
    tickets is another connection (the memo is dropped) or a rollback (dropped too); the unique index
    (site, day, service, seq) stays the last line."""
    def load() -> int:
        row = db.execute(
            "SELECT COALESCE(MAX(seq), 0) FROM tickets WHERE site_id = ? AND day = ? AND service = ?",
            [site_id, day, service],
        ).fetchone()
        return max(row[0], 0) + 1  # tickets transferred in are below 0 (`update`)
    return memo.lookup(db, ("next_seq", site_id, day, service), load)


def insert(db: sqlite_utils.Database, *, site_id: str, day: str, service: str, seq: int, number: str,
           priority: str, lang: str, now: float, device_id: str | None) -> Ticket:
    row = db.execute(
        f"""INSERT INTO tickets(site_id, day, service, seq, number, priority, status, lang, issued_at, queued_at,
                                device_id)
            VALUES(?,?,?,?,?,?,?,?,?,?,?) RETURNING {_COLS}""",
        [site_id, day, service, seq, number, priority, WAITING, lang, now, now, device_id],
    ).fetchone()
    _numbered(db, site_id, day, service, seq)
    memo.forget(db, ("queue_figures", site_id, day, service))
    return Ticket(*row)


def insert_counting(db: sqlite_utils.Database, *, site_id: str, day: str, service: str, seq: int, number: str,
                    priority: str, lang: str, now: float, device_id: str | None,
                    ahead: Sequence[tuple[float, bool]]) -> tuple[Ticket, list[int]]:
    """`insert`, and the `count_ahead(before, only_priority)` of each of `ahead` for the new ticket (as
    just before the insert, so without it: the figure `count_ahead(…, exclude=the new ticket)` gives
    after it).

    On PostgreSQL the id is known ahead (`_new_id`) and the counts come from the service's queue figures
    in the registry memo when they can say them exactly (`_count_from`): then the insert needs no answer
    and waits for the next statement (`db.defer`), so the tickets of a router batch travel together.
    Otherwise (SQLite, or figures that cannot say) the counts are read with the insert (one round trip on
    PostgreSQL) and the row comes back from it."""
    key = ("queue_figures", site_id, day, service)
    tid = _new_id(db)
    figures: Figures | None = None
    counts: list[int | None] = []
    if tid is not None:
        figures = memo.lookup(db, key, lambda: _load_figures(db, site_id, day, service))
        counts = [_count_from(figures, before, only) for before, only in ahead]
    row = [site_id, day, service, seq, number, priority, WAITING, lang, now, now, device_id]
    if tid is not None and None not in counts:
        defer(db, "INSERT INTO tickets(id, site_id, day, service, seq, number, priority, status, lang, issued_at, "
                  "queued_at, device_id) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)", [tid, *row])
        t = Ticket(tid, site_id, day, service, seq, number, priority, WAITING, lang, now, now, None, None, None,
                   None, None, 0, None)
    else:
        reads = [_count_ahead_read(site_id, day, service, before, None, only) for before, only in ahead]
        given = ("id, ", "?,", [tid]) if tid is not None else ("", "", [])
        *read, inserted = read_many(db, [*reads, (
            f"""INSERT INTO tickets({given[0]}site_id, day, service, seq, number, priority, status, lang, issued_at,
                                    queued_at, device_id)
                VALUES({given[1]}?,?,?,?,?,?,?,?,?,?,?) RETURNING {_COLS}""", [*given[2], *row])])
        t = Ticket(*inserted[0])
        counts = [c[0][0] for c in read]
    _numbered(db, site_id, day, service, seq)
    memo.forget(db, key)
    if figures is not None:
        memo.lookup(db, key, lambda: _figures_after_insert(figures, priority, now))
    return t, counts  # type: ignore[return-value]


# A service's queue today, as the memo keeps it between tickets: (waiting, latest queued_at among them,
# priority tickets waiting, latest queued_at among those). The latest times are upper bounds: a count
# "queued no later than t" is the whole count when t is at or past them, and otherwise unknown here.
Figures = tuple[int, float | None, int, float | None]


def _figures_read(site_id: str, day: str, service: str) -> tuple[str, list[object]]:
    waiting = "site_id = ?1 AND day = ?2 AND service = ?3 AND status = 'waiting'"
    return (f"""SELECT COALESCE((SELECT waiting FROM queue_counts WHERE site_id = ?1 AND day = ?2 AND service = ?3), 0),
                       (SELECT MAX(queued_at) FROM tickets WHERE {waiting}),
                       (SELECT COUNT(*) FROM tickets {_PRIORITY_ONLY} {waiting}),
                       (SELECT MAX(queued_at) FROM tickets {_PRIORITY_ONLY} {waiting})""", [site_id, day, service])


def _load_figures(db: sqlite_utils.Database, site_id: str, day: str, service: str) -> Figures:
    return tuple(db.execute(*_figures_read(site_id, day, service)).fetchone())  # type: ignore[return-value]


def _figures_known(db: sqlite_utils.Database, site_id: str, day: str, service: str) -> Figures | None:
    """The memo's queue figures of a service (inside our write transaction), or None."""
    return memo.peek(db, ("queue_figures", site_id, day, service))  # type: ignore[return-value]


def _count_from(figures: Figures, before: float, only_priority: bool) -> int | None:
    """`count_ahead(before, only_priority)` with no ticket excluded, from the figures, or None when they
    cannot say it (someone waiting may have been queued after `before`)."""
    count, latest = (figures[2], figures[3]) if only_priority else (figures[0], figures[1])
    return count if latest is None or before >= latest else None


def _figures_after_insert(figures: Figures, priority: str, now: float) -> Figures:
    waiting, latest, prio, prio_latest = figures
    latest = now if latest is None else max(latest, now)
    if priority != PRIORITY_NONE:
        prio, prio_latest = prio + 1, now if prio_latest is None else max(prio_latest, now)
    return waiting + 1, latest, prio, prio_latest


def _new_id(db: sqlite_utils.Database) -> int | None:
    """An id for a new ticket known before its insert (PostgreSQL: from the identity sequence, a block at
    a time: `next_id`), or None where the insert's own RETURNING costs nothing (SQLite)."""
    return db.next_id("tickets")


def _numbered(db: sqlite_utils.Database, site_id: str, day: str, service: str, seq: int) -> None:
    key = ("next_seq", site_id, day, service)
    memo.forget(db, key)
    memo.lookup(db, key, lambda: seq + 1)


def update(db: sqlite_utils.Database, ticket: Ticket, **cols: object) -> Ticket:
    """Write `cols` and return the ticket as it now stands (no second read on the call path; the write
    itself waits for the next statement on PostgreSQL: `db.defer`)."""
    if cols.get("service", ticket.service) != ticket.service and "seq" not in cols:
        # A ticket moved to another service keeps its number, but its place in that service's series would
        # be taken by the ticket issued there with the same seq (the unique key refused the transfer): it
        # leaves the series, under a seq of its own that no issued ticket has and MAX + 1 skips.
        cols = {**cols, "seq": -ticket.id}
    sets = ", ".join(f"{k} = ?" for k in cols)
    changed = dataclasses.replace(ticket, **cols)
    with lobby_journal.noted(db):
        defer(db, f"UPDATE tickets SET {sets} WHERE id = ?", [*cols.values(), ticket.id])
    lobby_journal.ticket(db, ticket, changed)
    if cols.keys() & _SERVICE_TIME_COLUMNS and DONE in (ticket.status, changed.status) \
            and not _add_service_time(db, ticket, changed):  # only done tickets have a service time
        for service in {ticket.service, changed.service}:
            memo.forget(db, ("service_times", ticket.site_id, service))
            memo.forget(db, ("service_times_newest", ticket.site_id, service))
    if cols.keys() & {"seq", "day"}:  # a number moved into another day's series (a transfer's leaves its own)
        memo.forget_kind(db, "next_seq")
    if cols.keys() & _QUEUE_COLUMNS:
        for service in {ticket.service, cols.get("service", ticket.service)}:
            memo.forget(db, ("queue_figures", ticket.site_id, cols.get("day", ticket.day), service))
            memo.forget(db, ("queue_figures", ticket.site_id, ticket.day, service))
    memo.forget(db, ("ticket", ticket.id))
    if changed.status in _HELD_BY_COUNTER:
        memo.put(db, ("ticket", ticket.id), changed)
    return changed


def add_event(db: sqlite_utils.Database, ticket: Ticket | int, site_id: str, kind: str, now: float, *,
              counter: int | None = None, officer: str | None = None, device_id: str | None = None,
              data: dict | None = None) -> int:
    """A ticket's event, not a call (a call's goes through `add_event_later`: the lobby shows the last)."""
    if kind in lobby_journal.CALL_KINDS:
        raise ValueError("a call's event is written by add_event_later")
    tid = ticket if isinstance(ticket, int) else ticket.id
    with lobby_journal.noted(db):
        return db.execute(
            """INSERT INTO ticket_events(ticket_id, site_id, at, kind, counter, officer, device_id, data)
               VALUES(?,?,?,?,?,?,?,?) RETURNING id""",
            [tid, site_id, now, kind, counter, officer, device_id, json.dumps(data or {}, ensure_ascii=False)],
        ).fetchone()[0]


def add_event_later(db: sqlite_utils.Database, ticket: Ticket, site_id: str, kind: str, now: float, *,
                    counter: int | None = None, officer: str | None = None, device_id: str | None = None,
                    data: dict | None = None) -> Callable[[], int]:
    """`add_event` whose id is wanted only after the commit (a call's id in its announcement), and the one
    way a call, recall or resume event is written: the insert waits for the next statement on PostgreSQL,
    with its id taken ahead (`next_id`: call events' ids then grow with time, which the lobby's last call,
    the highest id, relies on) or else returned (`defer_returning`); returns a function giving the id."""
    values = [ticket.id, site_id, now, kind, counter, officer, device_id, json.dumps(data or {}, ensure_ascii=False)]
    event_id = db.next_id("ticket_events")
    with lobby_journal.noted(db):
        if event_id is None:
            found = defer_returning(
                db, "INSERT INTO ticket_events(ticket_id, site_id, at, kind, counter, officer, device_id, data) "
                    "VALUES(?,?,?,?,?,?,?,?) RETURNING id", values)
        else:
            defer(db, "INSERT INTO ticket_events(id, ticket_id, site_id, at, kind, counter, officer, device_id, data) "
                      "VALUES(?,?,?,?,?,?,?,?,?)", [event_id, *values])
            found = lambda: event_id  # noqa: E731
    if kind in lobby_journal.CALL_KINDS:
        if event_id is None:
            lobby_journal.spoil(db)  # its id is not known yet
        else:
            lobby_journal.call(db, site_id, last_call_of((event_id, now, kind, counter, ticket.number, ticket.service)))
    return found


def note_event(db: sqlite_utils.Database, ticket: Ticket | int, site_id: str, kind: str, now: float, *,
               counter: int | None = None, officer: str | None = None, device_id: str | None = None,
               data: dict | None = None) -> None:
    """`add_event` for a caller that needs no event id: the insert waits for the next statement
    (`db.defer`)."""
    if kind in lobby_journal.CALL_KINDS:
        raise ValueError("a call's event is written by add_event_later")
    tid = ticket if isinstance(ticket, int) else ticket.id
    with lobby_journal.noted(db):
        defer(db, "INSERT INTO ticket_events(ticket_id, site_id, at, kind, counter, officer, device_id, data) "
                  "VALUES(?,?,?,?,?,?,?,?)",
              [tid, site_id, now, kind, counter, officer, device_id, json.dumps(data or {}, ensure_ascii=False)])


def events(db: sqlite_utils.Database, ticket_id: int) -> list[dict]:
    rows = db.execute(
        "SELECT id, at, kind, counter, officer, data FROM ticket_events WHERE ticket_id = ? ORDER BY id", [ticket_id]
    )
    return [{"id": r[0], "at": r[1], "kind": r[2], "counter": r[3], "officer": r[4], "data": json.loads(r[5])}
            for r in rows]


# The priority lookups name their index: the planner would otherwise prefer tickets_queue, whose
# equality on status looks cheaper, and walk every regular ticket waiting to find the few priority ones.
_PRIORITY_ONLY = f"INDEXED BY tickets_queue_priority WHERE priority != '{PRIORITY_NONE}' AND"


def count_ahead(db: sqlite_utils.Database, site_id: str, day: str, service: str, queued_at: float, *,
                exclude: int | None = None, only_priority: bool = False) -> int:
    """Waiting tickets of `service` queued no later than `queued_at` (see rules.people_ahead)."""
    return db.execute(*_count_ahead_read(site_id, day, service, queued_at, exclude, only_priority)).fetchone()[0]


def _count_ahead_read(site_id: str, day: str, service: str, queued_at: float, exclude: int | None,
                      only_priority: bool) -> tuple[str, list[object]]:
    if only_priority:  # few: counted from their own index
        sql = (f"SELECT COUNT(*) FROM tickets {_PRIORITY_ONLY} site_id = ? AND day = ? AND service = ? "
               "AND status = 'waiting' AND queued_at <= ? AND id IS NOT ?")
        return sql, [site_id, day, service, queued_at, exclude]
    # Everyone waiting (queue_counts, kept by triggers) less those queued later, which for a ticket being
    # issued is nobody: the count no longer walks the queue.
    waiting = "site_id = ?1 AND day = ?2 AND service = ?3 AND status = 'waiting'"
    return (f"""SELECT COALESCE((SELECT waiting FROM queue_counts WHERE site_id = ?1 AND day = ?2 AND service = ?3), 0)
                 - (SELECT COUNT(*) FROM tickets WHERE {waiting} AND queued_at > ?4)
                 - (SELECT COUNT(*) FROM tickets WHERE id IS ?5 AND {waiting} AND queued_at <= ?4)""",
            [site_id, day, service, queued_at, exclude])


def next_candidates(db: sqlite_utils.Database, site_id: str, day: str, counter: int,
                    services: Sequence[str]) -> list[Candidate]:
    """The only tickets rules.choose_next can pick for `counter`: the oldest one sent to this counter, and
    per service the oldest priority and oldest regular one. Feeding it these instead of the whole queue
    gives the same pick, at a cost that does not grow with the queue: each query walks a partial index
    of waiting tickets (all of them, or priority ones only) from its oldest entry."""
    return [Candidate(*row) for row in db.execute(*_candidates_read(site_id, day, counter, services))]


@dataclass(frozen=True)
class NextRows:
    """What a counter's Next reads before choosing (`call_next_rows`)."""
    expired: list[int]  # tickets left waiting or held from earlier days, expired now
    candidates: list[Candidate]  # next_candidates
    due: Candidate | None  # appointments.oldest_due
    tickets: dict[int, Ticket]  # the rows of the candidates and of the due ticket: no second read of the pick


def call_next_rows(db: sqlite_utils.Database, site_id: str, day: str, counter: int, services: Sequence[str],
                   now: float) -> NextRows:
    """What a counter's Next reads, in one round trip on PostgreSQL (the reads do not depend on each
    other): tickets left waiting or held from earlier days (expired here, see `expire_before`), the
    queue's candidates for this counter (`next_candidates`) and the oldest due appointment ticket among
    its services (appointments.oldest_due), each candidate with its whole row."""
    from hub.store import appointments

    due_read = appointments.oldest_due_read(site_id, day, tuple(services), now, columns=_COLS_T)
    rows = read_many(db, [*_stale_reads(site_id, day), _candidates_read(site_id, day, counter, services, _COLS),
                          *([due_read] if due_read else [])])
    stale = sorted(r[0] for r in (*rows[0], *rows[1]))
    _expire(db, site_id, stale, now)
    full = [Ticket(*r) for r in (*rows[2], *(rows[3] if due_read else ()))]
    due = Ticket(*rows[3][0]) if due_read and rows[3] else None
    return NextRows(stale, [_candidate(t) for t in full[:len(rows[2])]], _candidate(due) if due else None,
                    {t.id: t for t in full})


def _candidate(t: Ticket) -> Candidate:
    return Candidate(t.id, t.service, t.priority, t.queued_at, t.target_counter)


_COLS_T = ", ".join(f"t.{c.strip()}" for c in _COLS.split(","))


def _candidates_read(site_id: str, day: str, counter: int, services: Sequence[str],
                     columns: str = "id, service, priority, queued_at, target_counter") -> tuple[str, list[object]]:
    waiting = "site_id = ? AND status = 'waiting' AND day = ?"
    oldest = " ORDER BY queued_at, id LIMIT 1"
    select = f"SELECT {columns} FROM tickets"
    parts = [f"{select} WHERE {waiting} AND target_counter IS NOT NULL AND target_counter = ?{oldest}"]
    params: list[object] = [site_id, day, counter]
    for service in services:
        served = f"{waiting} AND service = ? AND target_counter IS NULL"
        parts += [f"{select} WHERE {served} AND priority = '{PRIORITY_NONE}'{oldest}",
                  f"{select} {_PRIORITY_ONLY} {served}{oldest}"]
        params += [site_id, day, service, site_id, day, service]
    # One statement, each part its own indexed LIMIT 1 lookup: a round trip per part cost more than the lookups.
    sql = " UNION ALL ".join(f"SELECT * FROM ({part}) AS p{i}" for i, part in enumerate(parts))
    return sql, params


def waiting_before(db: sqlite_utils.Database, site_id: str, day: str, queued_at: float,
                   exclude: int | None = None, services: Sequence[str] | None = None) -> dict[str, int]:
    """Waiting tickets per service queued no later than `queued_at` (the work ahead of a ticket, for its
    estimated wait). For a ticket just issued that is everyone waiting: read from queue_counts.
    `services`: only those are wanted, and `exclude` is none of theirs; they come from the memo's queue
    figures when these can say them (`_count_from`), read once for those it lacks (one round trip; inside
    a write transaction only, where what is read may be kept)."""
    if services is not None and memo.in_write(db):
        known = {s: _figures_known(db, site_id, day, s) for s in services}
        missing = [s for s, f in known.items() if f is None]
        for s, row in zip(missing, read_many(db, [_figures_read(site_id, day, s) for s in missing]), strict=True):
            known[s] = figures = tuple(row[0])
            memo.lookup(db, ("queue_figures", site_id, day, s), lambda f=figures: f)
        counts = {s: _count_from(f, queued_at, False) for s, f in known.items()}  # type: ignore[arg-type]
        if None not in counts.values():
            return {s: n for s, n in counts.items() if n}  # type: ignore[misc]
    counts = waiting_counts(db, site_id, day)
    later = db.execute("SELECT service, COUNT(*) FROM tickets WHERE site_id = ? AND day = ? AND status = 'waiting' "
                       "AND (queued_at > ? OR id IS ?) GROUP BY service", [site_id, day, queued_at, exclude])
    for service, n in later.fetchall():
        counts[service] = counts.get(service, 0) - n
    return {k: v for k, v in counts.items() if v > 0 and (services is None or k in services)}


def serving_since(db: sqlite_utils.Database, ticket_ids: Sequence[int]) -> dict[int, tuple[str, float]]:
    """Of the tickets counters are serving: their service and when they were called (from the memo, which
    keeps the tickets counters hold as written, when it has them all)."""
    if not ticket_ids:
        return {}
    held = [memo.peek(db, ("ticket", tid)) for tid in ticket_ids]
    if all(held):
        return {t.id: (t.service, t.called_at or 0.0) for t in held}  # type: ignore[union-attr]
    marks = ",".join("?" * len(ticket_ids))
    rows = db.execute(f"SELECT id, service, called_at FROM tickets WHERE id IN ({marks})", list(ticket_ids))
    return {r[0]: (r[1], r[2] or 0.0) for r in rows.fetchall()}


WAITING_COUNTS = "SELECT service, waiting FROM queue_counts WHERE site_id = ? AND day = ? AND waiting > 0"


def waiting_counts(db: sqlite_utils.Database, site_id: str, day: str) -> dict[str, int]:
    """People waiting per service today (queue_counts: kept by triggers on tickets, see migrations)."""
    return dict(db.execute(WAITING_COUNTS, [site_id, day]).fetchall())


def last_no_show(db: sqlite_utils.Database, site_id: str, day: str, counter: int,
                 ticket_id: int | None = None) -> Ticket | None:
    """The ticket skipped as absent at `counter` today (the given one, or the latest)."""
    row = db.execute(
        f"""SELECT {_COLS} FROM tickets WHERE site_id = ? AND day = ? AND status = 'no_show' AND counter = ?
            AND (? IS NULL OR id = ?) ORDER BY done_at DESC, id DESC LIMIT 1""",
        [site_id, day, counter, ticket_id, ticket_id],
    ).fetchone()
    return Ticket(*row) if row else None


def held_at(db: sqlite_utils.Database, site_id: str, counter: int) -> list[Ticket]:
    rows = db.execute(
        f"SELECT {_COLS} FROM tickets WHERE site_id = ? AND status = 'held' AND counter = ? ORDER BY id",
        [site_id, counter],
    )
    return [Ticket(*r) for r in rows]


# A write to any of these may change who waits in a service's queue and when (update() forgets its figures).
_QUEUE_COLUMNS = frozenset({"status", "service", "day", "site_id", "priority", "queued_at"})
# A write to any of these may change a service's recent service times (update() forgets them).
_SERVICE_TIME_COLUMNS = frozenset({"status", "done_at", "first_called_at", "service"})


SERVICE_TIMES = """SELECT done_at - first_called_at, done_at FROM tickets
               WHERE site_id = ? AND service = ? AND status = 'done' AND first_called_at IS NOT NULL
               ORDER BY done_at DESC LIMIT ?"""


def recent_service_times(db: sqlite_utils.Database, site_id: str, service: str, limit: int = 20) -> tuple[float, ...]:
    """The service times of the last `limit` tickets done, newest first. Every ticket issued reads them
    for its wait estimate and they change only when a ticket is done: kept in the registry memo."""
    def load() -> tuple[float, ...]:
        rows = db.conn.execute(SERVICE_TIMES, (site_id, service, limit)).fetchall()
        if limit == 20:
            memo.put(db, ("service_times_newest", site_id, service), rows[0][1] if rows else None)
        return tuple(r[0] for r in rows)
    if limit != 20:
        return load()
    return memo.lookup(db, ("service_times", site_id, service), load)


def service_times_known(db: sqlite_utils.Database, site_id: str, services: Sequence[str]) -> list[str]:
    """Of `services`, those whose recent service times the memo does not hold (the lobby reads them all at
    once: `lobby.lobby_rows`)."""
    return [s for s in services if not memo.holds(db, ("service_times", site_id, s))]


def keep_service_times(db: sqlite_utils.Database, site_id: str, service: str, rows: list[tuple]) -> tuple[float, ...]:
    """Service times read with `SERVICE_TIMES` (limit 20) elsewhere, kept as `recent_service_times` keeps them."""
    times = tuple(r[0] for r in rows)
    if not memo.holds(db, ("service_times", site_id, service)):
        memo.put(db, ("service_times_newest", site_id, service), rows[0][1] if rows else None)
    return memo.lookup(db, ("service_times", site_id, service), lambda: times)


def _add_service_time(db: sqlite_utils.Database, before: Ticket, after: Ticket) -> bool:
    """A ticket just done puts its service time first in its service's recent ones (`SERVICE_TIMES`: newest
    done first) in the memo, instead of forgetting them: every Next completes a ticket, and the lobby
    state and the next ticket's wait estimate would read them again. Only when the result is certain —
    the service's times are held, and this ticket is done strictly later than the newest of them (a
    clock set back, or a tie, and they are read again) — else False (the caller forgets them)."""
    if not (after.status == DONE and before.status != DONE and after.service == before.service
            and after.first_called_at is not None and after.done_at is not None):
        return False
    key = ("service_times", after.site_id, after.service)
    newest_key = ("service_times_newest", after.site_id, after.service)
    if not memo.in_write(db) or not memo.holds(db, key) or not memo.holds(db, newest_key):
        return False
    newest = memo.peek(db, newest_key)
    if newest is not None and not after.done_at > newest:  # type: ignore[operator]
        return False
    times: tuple[float, ...] = memo.peek(db, key)  # type: ignore[assignment]
    memo.put(db, key, ((after.done_at - after.first_called_at), *times)[:20])
    memo.put(db, newest_key, after.done_at)
    return True


# MAX per kind walks the (site_id, kind, id) index once each; one query with IN (…) ORDER BY id
# sorted every call event of the site, after every call.
LAST_CALL = """SELECT e.id, e.at, e.kind, e.counter, t.number, t.service FROM ticket_events e
           JOIN tickets t ON t.id = e.ticket_id
           WHERE e.id = (SELECT MAX(m) FROM (
               SELECT MAX(id) AS m FROM ticket_events WHERE site_id = ?1 AND kind = 'call'
               UNION ALL SELECT MAX(id) FROM ticket_events WHERE site_id = ?1 AND kind = 'recall'
               UNION ALL SELECT MAX(id) FROM ticket_events WHERE site_id = ?1 AND kind = 'resume') AS latest)"""


def last_call(db: sqlite_utils.Database, site_id: str) -> dict | None:
    """The newest call, recall or resume event of a site, as the displays show and announce it."""
    return last_call_of(db.execute(LAST_CALL, [site_id]).fetchone())


def last_call_of(row: tuple | None) -> dict | None:
    """A `LAST_CALL` row as `last_call` returns it."""
    if row is None:
        return None
    kind = "recall" if row[2] == "recall" else "call"  # a resumed ticket is called again
    return {"call_id": row[0], "at": row[1], "kind": kind, "counter": row[3], "ticket": row[4], "service": row[5]}


def day_times(db: sqlite_utils.Database, site_id: str, day: str) -> list[TicketTimes]:
    rows = db.execute(
        """SELECT service, counter, officer, status, issued_at, first_called_at, done_at FROM tickets
           WHERE site_id = ? AND day = ?""",
        [site_id, day],
    )
    return [TicketTimes(*r) for r in rows]


def expire_before(db: sqlite_utils.Database, site_id: str, day: str, now: float) -> list[int]:
    """Expire tickets still waiting or held from earlier days (the office closed on them)."""
    waiting, held = read_many(db, _stale_reads(site_id, day))
    ids = sorted(r[0] for r in (*waiting, *held))
    _expire(db, site_id, ids, now)
    return ids


def _stale_reads(site_id: str, day: str) -> list[tuple[str, list[object]]]:
    # Two queries, one per partial index (tickets_queue, tickets_held): `status IN (…)` would use neither.
    # The held one names its index: left to itself the planner walks (site_id, day < ?) of the UNIQUE
    # index, every ticket of every past day (150 ms at a year of history, on every Next; issue #15).
    return [("SELECT id FROM tickets WHERE site_id = ? AND status = 'waiting' AND day < ?", [site_id, day]),
            ("SELECT id FROM tickets INDEXED BY tickets_held WHERE site_id = ? AND status = 'held' AND day < ?",
             [site_id, day])]


def _expire(db: sqlite_utils.Database, site_id: str, ids: list[int], now: float) -> None:
    for tid in ids:
        defer(db, "UPDATE tickets SET status = 'expired' WHERE id = ?", [tid])
        memo.forget(db, ("ticket", tid))
        memo.forget_kind(db, "queue_figures")
        note_event(db, tid, site_id, "expire", now)


def site_of(db: sqlite_utils.Database, ticket_id: int) -> str | None:
    """The site a ticket was issued at, or None for an unknown ticket (authorisation)."""
    row = db.execute("SELECT site_id FROM tickets WHERE id = ?", [ticket_id]).fetchone()
    return row[0] if row else None


def served_at_counter(db: sqlite_utils.Database, site_id: str, day: str, counter: int) -> dict[str, int]:
    """How many tickets this counter finished today, by outcome: {"done": n, "no_show": m}."""
    return dict(db.execute(
        """SELECT status, COUNT(*) FROM tickets WHERE site_id = ? AND day = ? AND counter = ?
           AND status IN ('done', 'no_show') GROUP BY status""",
        [site_id, day, counter]).fetchall())


def waiting_for_counter(db: sqlite_utils.Database, site_id: str, day: str, counter: int) -> int:
    """Tickets transferred to this very counter and still waiting."""
    return db.execute(
        "SELECT COUNT(*) FROM tickets WHERE site_id = ? AND status = 'waiting' AND day = ? AND target_counter = ?",
        [site_id, day, counter]).fetchone()[0]
