"""Appointments at the counter (issue #12): the call-next hook that puts a due appointment ahead of a
walk-in, and what an officer sees of a ticket's booking. Apart from hub.ops.appointments so the queue
operations can use it without importing the booking operations (which issue tickets through them)."""

from __future__ import annotations

from datetime import date, datetime

from hub.domain import appointments as rules
from hub.domain.queue import Candidate
from hub.ops.context import Ctx
from hub.store import appointments as store
from hub.store import catalogue as cat_store
from hub.store import sites as site_store
from hub.store.appointments import Appointment
from hub.store.sites import Counter


def clock_time(ts: float, ctx: Ctx) -> str:
    return datetime.fromtimestamp(ts, ctx.site.tz).strftime("%H:%M")


def view(ctx: Ctx, a: Appointment) -> dict:
    service = site_store.get_service(ctx.db, ctx.site.id, a.service)
    proc = cat_store.get(ctx.db, a.procedure_id) if a.procedure_id else None
    return {"code": a.code, "code_display": rules.show_code(a.code), "service": a.service,
            "service_name": service.name, "procedure": a.procedure_id, "procedure_name": proc["name"] if proc else None,
            "day": a.day, "slot_start": int(a.slot_start), "time": clock_time(a.slot_start, ctx),
            "end_time": clock_time(a.slot_end, ctx), "status": a.status, "status_vi": rules.STATUS_VI[a.status]}


_UNREAD = Candidate(0, "", "", 0.0, None)


def prefer_due(ctx: Ctx, counter: Counter, pick: Candidate | None,
               due: Candidate | None = _UNREAD) -> tuple[Candidate | None, bool]:
    """The call-next hook: replace the queue rules' pick by the oldest due appointment ticket when the
    site's appointment policy says so. A ticket sent to this very counter and a priority ticket (the
    law's priority groups) are kept. `due`: store.oldest_due's answer when the caller read it already
    (with the queue's candidates). Returns (candidate or None, replaced?)."""
    if pick is not None and (pick.target_counter == counter.number or pick.is_priority):
        return pick, False
    if due is _UNREAD:
        due = store.oldest_due(ctx.db, ctx.site.id, ctx.day, counter.services, ctx.now)
    if due is None or (pick is not None and due.ticket_id == pick.ticket_id):
        # An appointment ticket is queued at its slot time, after every walk-in: the rules pick it
        # before its slot only when no one else waits, and then it waits unless the site says otherwise.
        if pick is not None and pick.queued_at > ctx.now and not store.get_policy(ctx.db, ctx.site.id).idle_serves_early:
            return None, False
        return pick, False
    policy = store.get_policy(ctx.db, ctx.site.id)
    since = None
    if pick is not None and policy.mode == "interleave":
        day_start = datetime.combine(date.fromisoformat(ctx.day), datetime.min.time(), ctx.site.tz).timestamp()
        since = store.walkins_since_appointment(ctx.db, ctx.site.id, counter.number, day_start, policy.every)
    if rules.prefer_appointment(due=True, walkin_waiting=pick is not None, policy=policy,
                                walkins_since_appointment=since):
        return due, True
    return pick, False


def ticket_flag(ctx: Ctx, ticket_id: int, day: str | None = None) -> dict | None:
    """What an officer sees of a ticket's booking: the flag, the slot and the booked procedure. With the
    ticket's `day`, from the day's check-ins the memo holds."""
    a = store.by_ticket(ctx.db, ticket_id) if day is None else store.checked_in(ctx.db, ctx.site.id, day).get(ticket_id)
    if a is None:
        return None
    v = view(ctx, a)
    return {"code": v["code_display"], "time": v["time"], "procedure": v["procedure"],
            "procedure_name": v["procedure_name"]}
