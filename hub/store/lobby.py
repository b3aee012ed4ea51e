"""The rows of a site's lobby state (hub.ops.views.display_state), read together: after every call the
state is rebuilt before the commit, and on PostgreSQL its half-dozen independent reads are one round
trip (`read_many`) instead of one each.

On PostgreSQL a router batch of counter requests asks for them ahead, with its first message
(`read_ahead`), and the lobby state after its Next is those rows with the batch's own changes applied
(`apply_changes`, from hub.store.lobby_journal): no message between the Next's reads and the display.
Whatever the journal cannot account for, the rows are read as before. When the connection's last batch
built its state from rows nothing has changed since, the batch starts from those and reads none
(`lobby_journal.carried`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from hub.store import appointments, dossiers, lobby_journal, memo, sites, tickets
from hub.store.db import Db, read_later, read_many

# How each lobby state's rows came: read ahead (or carried from the last batch, also counted in "carried")
# and followed through the batch's changes, or read.
stats = {"ahead": 0, "carried": 0, "read": 0}


@dataclass(frozen=True)
class LobbyRows:
    waiting: dict[str, int]  # people waiting per service today
    counters: list[tuple]  # sites.counters_with_current's rows
    booked: set[int]  # which current tickets are appointment tickets
    service_times: dict[str, tuple[float, ...]]  # per service, as tickets.recent_service_times
    last_call: dict | None  # as tickets.last_call
    ready_dossiers: int  # as dossiers.ready_count


def _reads(site_id: str, day: str) -> list[tuple[str, list[object]]]:
    return [(tickets.WAITING_COUNTS, [site_id, day]), (sites.COUNTERS_WITH_CURRENT, [site_id]),
            (appointments.CURRENT_BOOKED, [site_id]), (tickets.LAST_CALL, [site_id]),
            (dossiers.READY_COUNT, [site_id])]


def read_ahead(db: Db, site_id: str, day: str, services: Sequence[str]) -> None:
    """Ask for the lobby's rows with the transaction's next message (PostgreSQL, in a router batch that
    may change what the lobby shows); nothing on SQLite. Once per site and batch."""
    if not lobby_journal.begin(db) or lobby_journal.has_ahead(db, site_id):
        return
    key = (day, tuple(services))
    carried = lobby_journal.carried(db, site_id, key)
    if carried is not None:
        lobby_journal.keep_ahead(db, site_id, key, lambda: _from_last_batch(db, site_id, services, carried))
    else:
        found = read_later(db, _reads(site_id, day))
        lobby_journal.keep_ahead(db, site_id, key, lambda: _lobby(db, site_id, services, found(), {}))
    db.ids_later("ticket_events")  # a call's event id (tickets.add_event_later), without a trip of its own


def lobby_rows(db: Db, site_id: str, day: str, services: Sequence[str]) -> LobbyRows:
    key = (day, tuple(services))
    ahead = lobby_journal.taken(db, site_id, key)
    unknown = tickets.service_times_known(db, site_id, services)  # the rest come from the memo
    if ahead is not None and not unknown:
        rows, changes = ahead
        patched = apply_changes(rows(), changes, site_id, day, lambda: _checked_in(db, site_id, day))
        if patched is not None:
            stats["ahead"] += 1
            lobby_journal.built(db, site_id, key, patched)
            return patched
    stats["read"] += 1
    reads = [*_reads(site_id, day), *((tickets.SERVICE_TIMES, [site_id, code, 20]) for code in unknown)]
    found = read_many(db, reads)
    fresh = {code: tickets.keep_service_times(db, site_id, code, rows)
             for code, rows in zip(unknown, found[len(found) - len(unknown):], strict=True)}
    out = _lobby(db, site_id, services, found[:len(found) - len(unknown)], fresh)
    lobby_journal.built(db, site_id, key, out)
    return out


def _from_last_batch(db: Db, site_id: str, services: Sequence[str], rows: LobbyRows) -> LobbyRows:
    """Rows carried from the last batch, with the service times the memo holds now (the memo moves them
    on when a ticket is done, and forgets them when it cannot)."""
    stats["carried"] += 1
    return replace(rows, service_times=_service_times(db, site_id, services, {}))


def _service_times(db: Db, site_id: str, services: Sequence[str],
                   fresh: dict[str, tuple[float, ...]]) -> dict[str, tuple[float, ...]]:
    """Each service's recent service times: from `fresh` (just read), else from the memo."""
    return {code: fresh[code] if code in fresh else tickets.recent_service_times(db, site_id, code)
            for code in services}


def _lobby(db: Db, site_id: str, services: Sequence[str], found: list[list[tuple]],
           fresh: dict[str, tuple[float, ...]]) -> LobbyRows:
    """LobbyRows from the answers to `_reads`; service times from `fresh`, else from the memo."""
    waiting, counters, booked, last, ready = found
    return LobbyRows(
        waiting={service: n for service, n in waiting},
        counters=counters,
        booked={r[0] for r in booked},
        service_times=_service_times(db, site_id, services, fresh),
        last_call=tickets.last_call_of(last[0] if last else None),
        ready_dossiers=ready[0][0],
    )


def _checked_in(db: Db, site_id: str, day: str) -> set[int] | None:
    """Today's checked-in appointment tickets when the memo holds them (no read), else None."""
    if not memo.holds(db, ("checked_in", site_id, day)):
        return None
    return set(appointments.checked_in(db, site_id, day))


# A counter's columns whose change `apply_changes` can follow (the officer's name, its services or its
# retirement need a read: the rows are read again).
_COUNTER_FOLLOWED = frozenset({"status", "current_ticket", "regular_streak", "streak_day"})


def apply_changes(rows: LobbyRows, changes: Sequence[tuple], site_id: str, day: str,
                  checked_in: Callable[[], set[int] | None]) -> LobbyRows | None:
    """The lobby rows of `site_id` after `changes` (hub.store.lobby_journal's, in order), as the lobby's
    reads would return them once written; None when a change is one this cannot follow exactly (the
    caller reads the rows). `checked_in()`: today's checked-in appointment tickets, or None if unknown."""
    waiting = dict(rows.waiting)
    counters = [list(r) for r in rows.counters]
    last = rows.last_call
    written: dict[int, object] = {}  # ticket id → the ticket as last written in the batch
    for change in changes:
        kind = change[0]
        if kind == "ticket":
            before, after = change[1], change[2]
            if after.site_id != site_id:
                continue
            if (before.service, before.day, before.number) != (after.service, after.day, after.number):
                return None  # a transfer or a renumbering: moves counts and the calls' labels
            if before.status != after.status and after.day == day:
                if before.status == tickets.WAITING:
                    waiting[after.service] = waiting.get(after.service, 0) - 1
                if after.status == tickets.WAITING:
                    waiting[after.service] = waiting.get(after.service, 0) + 1
            for r in counters:
                if r[9] == after.id:
                    r[5:9] = [after.number, after.service, after.called_at, after.day]
            written[after.id] = after
        elif kind == "counter":
            _, site, number, cols = change
            if site != site_id:
                continue
            if set(cols) - _COUNTER_FOLLOWED:
                return None
            row = next((r for r in counters if r[0] == number), None)
            if row is None:
                return None  # a counter the lobby does not list (retired): read again
            if "status" in cols:
                row[2] = cols["status"]
            if "current_ticket" in cols:
                tid = cols["current_ticket"]
                if tid is None:
                    row[5:10] = [None] * 5
                else:
                    t = written.get(tid)  # type: ignore[assignment]
                    if t is None:
                        return None  # a ticket this batch did not write: its row is not known here
                    row[5:10] = [t.number, t.service, t.called_at, t.day, t.id]  # type: ignore[attr-defined]
        elif kind == "call":
            _, site, event = change
            if site == site_id and (last is None or event["call_id"] > last["call_id"]):
                last = event
        else:
            return None
    if any(n < 0 for n in waiting.values()):
        return None  # the rows and the changes disagree: read them
    current = {r[9] for r in counters if r[9] is not None}
    booked = rows.booked & current
    new = current - {r[9] for r in rows.counters if r[9] is not None}
    if new:
        today = checked_in()
        if today is None:
            return None
        booked |= new & today
    return LobbyRows(waiting={s: n for s, n in waiting.items() if n > 0}, counters=[tuple(r) for r in counters],
                     booked=booked, service_times=rows.service_times, last_call=last,
                     ready_dossiers=rows.ready_dossiers)

