"""Queue operations: what the hub does for ticket.* and counter.* requests.

Each function loads rows, asks hub.domain.queue what the rules say, writes the result and records an
event; publishing is left to the caller through `ctx.effects`, after the transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from hub.domain import queue as rules
from hub.ops import appointment_calls, votes
from hub.ops.context import Ctx
from hub.ops.dossiers import calendar_for
from hub.store import sites as site_store
from hub.store import tickets as ticket_store
from hub.store.sites import Counter, Service
from hub.store.tickets import Ticket
from motcua_core.errors import DomainError
from motcua_core.i18n import counter_name


def ticket_view(ctx: Ctx, t: Ticket, service: Service | None = None, *, new: bool = False) -> dict:
    """`new`: the ticket was inserted by this operation, so no booking points at it yet (a check-in links
    its booking afterwards): its booking is not looked up."""
    service = service or site_store.get_service(ctx.db, ctx.site.id, t.service, retired=True)
    return {
        "id": t.id,
        "number": t.number,
        "service": t.service,
        "service_name": service.name,
        "service_name_en": service.name_en,
        "priority": t.priority,
        "status": t.status,
        "issued_at": ctx.iso(t.issued_at),
        "counter": t.counter,
        "recalls": t.recalls,
        # issue #12: booked slot and procedure
        "appointment": None if new else appointment_calls.ticket_flag(ctx, t.id, t.day if t.site_id == ctx.site.id else None),
    }


def _wait_info(ctx: Ctx, service: Service, priority: str, queued_at: float, exclude: int | None = None,
               counted: list[int] | None = None) -> dict:
    """`counted`: count_ahead(queued_at, only-priority as the policy says) and, under interleave,
    count_ahead(∞, priority only), already read (issue_ticket reads them with its insert)."""
    # rules.people_ahead without loading the queue: see ticket_store.count_ahead.
    if counted:
        ahead = counted[0]
    else:
        ahead = ticket_store.count_ahead(ctx.db, ctx.site.id, ctx.day, service.code, queued_at, exclude=exclude,
                                         only_priority=rules.only_priority_ahead(priority, ctx.site.policy))
    if ctx.site.policy.mode == "interleave":
        ahead = _interleaved_ahead(ctx, service, priority, queued_at, exclude, ahead,
                                   counted[1] if counted and len(counted) > 1 else None)
    wait = _estimate_wait_s(ctx, service, priority, queued_at, exclude, ahead)
    return {"people_ahead": ahead, "est_wait_min": None if wait is None else round(wait / 60),
            "est_wait_s": None if wait is None else round(wait)}


def _avg_s(ctx: Ctx, service: Service) -> float:
    return rules.average_service_s(ticket_store.recent_service_times(ctx.db, ctx.site.id, service.code),
                                   service.avg_service_s or ctx.site.default_service_s)


def _estimate_wait_s(ctx: Ctx, service: Service, priority: str, queued_at: float, exclude: int | None,
                     ahead: int) -> float | None:
    """rules.pooled_wait_s over the open counters serving the ticket's service: the ticket's own service
    counts `ahead` (the ordering rule's figure); other services' earlier tickets count for a regular ticket
    (the counters call the oldest first), not for a priority one (the rule lets it pass them)."""
    opened = [c for c in site_store.list_counters(ctx.db, ctx.site.id) if c.status == rules.COUNTER_OPEN]
    pool = [c for c in opened if service.code in c.services]
    if not pool:
        return None
    services = {s.code: s for s in site_store.list_services(ctx.db, ctx.site.id)}
    codes = {code for c in pool for code in c.services if code in services}
    priority_passes = priority != rules.PRIORITY_NONE and ctx.site.policy.mode != "fifo"
    others = sorted(codes - {service.code})  # its own service counts `ahead`; `exclude` is one of its tickets
    before = {} if priority_passes or not others else ticket_store.waiting_before(
        ctx.db, ctx.site.id, ctx.day, queued_at, exclude, services=others)
    counts = {code: before.get(code, 0) for code in others}
    counts[service.code] = ahead
    numbers = {c.number for c in pool}
    share = {code: sum(1 for c in opened if code in c.services and c.number in numbers)
             / max(1, sum(1 for c in opened if code in c.services)) for code in codes}
    avg = {code: _avg_s(ctx, services[code]) for code in codes}
    serving = ticket_store.serving_since(ctx.db, [c.current_ticket for c in pool if c.current_ticket])
    left = []
    for code, called_at in serving.values():
        mean = avg.get(code) or _avg_s(ctx, services[code]) if code in services else ctx.site.default_service_s
        left.append(max(mean - (ctx.now - called_at), 0.25 * mean))
    return rules.pooled_wait_s(counts, avg_s=avg, share=share, busy_left_s=left, counters=len(pool))


def _interleaved_ahead(ctx: Ctx, service: Service, priority: str, queued_at: float, exclude: int | None,
                       earlier: int, prio_all: int | None = None) -> int:
    """People ahead under the interleave rule (one priority ticket after every `every` regular ones): a
    priority ticket passes regular ones, a regular one is passed by the priority tickets waiting. Counted
    from the per-service totals and the few priority tickets (no walk of the queue). `prio_all`: the
    priority tickets waiting, when the caller read it already."""
    def count(before: float, only_priority: bool) -> int:
        return ticket_store.count_ahead(ctx.db, ctx.site.id, ctx.day, service.code, before, exclude=exclude,
                                        only_priority=only_priority)

    if prio_all is None:
        prio_all = count(float("inf"), True)
    if prio_all == 0 and priority == rules.PRIORITY_NONE:
        return earlier
    every, streak = ctx.site.policy.every, _best_streak(ctx, service.code, priority != rules.PRIORITY_NONE)
    prio_earlier = count(queued_at, True)
    if priority != rules.PRIORITY_NONE:
        regular_all = count(float("inf"), False) - prio_all
        return prio_earlier + rules.regulars_before_priority(prio_earlier, regular_all, every, streak)
    regular_earlier = earlier - prio_earlier
    return regular_earlier + rules.priorities_before_regular(regular_earlier, prio_all, every, streak)


def _best_streak(ctx: Ctx, service: str, for_priority: bool) -> int | None:
    """The regular streak of the open counter serving `service` that takes a priority ticket soonest (for a
    priority ticket) or latest (for a regular one); None when such a counter has called no one today."""
    streaks = [c.regular_streak if c.streak_day == ctx.day else None
               for c in site_store.list_counters(ctx.db, ctx.site.id)
               if c.status == rules.COUNTER_OPEN and service in c.services]
    if not streaks:
        return None
    every = ctx.site.policy.every
    ranked = sorted(streaks, key=lambda s: every if s is None else min(s, every))
    return ranked[-1] if for_priority else ranked[0]


# --- citizens -------------------------------------------------------------------------------------

def issue_ticket(ctx: Ctx, service_code: str, priority: str = "none", lang: str = "vi") -> dict:
    service = site_store.get_service(ctx.db, ctx.site.id, service_code)
    refusal = None
    if ctx.site.ticket_hours is not None:
        cal = calendar_for(ctx.db, ctx.site.id, ctx.site.tz.key)
        refusal = rules.ticket_hours_refusal(ctx.site.ticket_hours, datetime.fromtimestamp(ctx.now, ctx.site.tz),
                                             cal.days_off, cal.working_days)
    if refusal is not None:  # the kiosk shows its message: opening hours, last ticket before closing
        raise refusal
    day = ctx.day
    seq = ticket_store.next_seq(ctx.db, ctx.site.id, day, service.code)
    number = service.numbering.number(seq)
    # The counts its people-ahead figure starts from are read with the insert (one round trip on PostgreSQL).
    wanted = [(ctx.now, rules.only_priority_ahead(priority, ctx.site.policy))]
    if ctx.site.policy.mode == "interleave":
        wanted.append((float("inf"), True))
    t, counted = ticket_store.insert_counting(
        ctx.db, site_id=ctx.site.id, day=day, service=service.code, seq=seq, number=number, priority=priority,
        lang=lang, now=ctx.now, device_id=ctx.device.id if ctx.device else None, ahead=wanted)
    ticket_store.note_event(ctx.db, t, ctx.site.id, "issue", ctx.now, device_id=ctx.device.id if ctx.device else None)
    ctx.effects.display_sites.add(ctx.site.id)
    return {"ticket": {**ticket_view(ctx, t, service, new=True),
                       **_wait_info(ctx, service, priority, ctx.now, exclude=t.id, counted=counted),
                       "site_name": ctx.site.name}}


def ticket_status(ctx: Ctx, ticket_id: int) -> dict:
    t = ticket_store.get(ctx.db, ticket_id, ctx.site.id)
    view = ticket_view(ctx, t)
    if t.status == rules.WAITING:
        service = site_store.get_service(ctx.db, ctx.site.id, t.service)
        view.update(_wait_info(ctx, service, t.priority, t.queued_at, exclude=t.id))
    return {"ticket": view}


# --- "your turn is near" -------------------------------------------------------------------------

ALERT_AHEAD_MAX = 10


def ask_alert(ctx: Ctx, ticket_id: int, phone: str, ahead: int) -> dict:
    """The citizen's phone number for one SMS when `ahead` or fewer people are before their ticket (sent
    through the notification outbox and the site's SMS gateway). Only a waiting ticket; one per ticket."""
    from hub.store import ticket_alerts

    number = "".join(ch for ch in phone if ch.isdigit())
    if number.startswith("84"):
        number = "0" + number[2:]
    if not (len(number) == 10 and number.startswith("0") and number[1] in "35789"):
        raise DomainError("bad_request", "A Vietnamese mobile number has 10 digits and starts with 03, 05, 07, 08 "
                          "or 09.", "Số di động gồm 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09.")
    if not 1 <= ahead <= ALERT_AHEAD_MAX:
        raise DomainError("bad_request", f"Choose from 1 to {ALERT_AHEAD_MAX} people ahead.",
                          f"Hãy chọn từ 1 đến {ALERT_AHEAD_MAX} người phía trước.")
    t = ticket_store.get(ctx.db, ticket_id, ctx.site.id)
    if t.status != rules.WAITING:
        raise DomainError("conflict", "This number is no longer waiting.", "Số này không còn đang chờ.")
    ticket_alerts.put(ctx.db, ctx.site.id, t.id, number, ahead, ctx.now)
    _alerts_due(ctx)  # already that close: sent at once
    return {"ticket": t.number, "phone": number[:3] + "****" + number[-3:], "ahead": ahead}


def _alerts_due(ctx: Ctx) -> None:
    """Queue the SMS of every alert whose ticket now has its number of people ahead or fewer (in the same
    transaction as the call that moved the queue: durable through the outbox, sent once)."""
    from hub.notify import outbox
    from hub.store import ticket_alerts

    for ticket_id, phone, ahead in ticket_alerts.pending(ctx.db, ctx.site.id):
        t = ticket_store.get(ctx.db, ticket_id)
        if t.status != rules.WAITING:
            ticket_alerts.mark_sent(ctx.db, ticket_id, ctx.now)  # called, skipped or gone: nothing to say
            continue
        service = site_store.get_service(ctx.db, ctx.site.id, t.service)
        info = _wait_info(ctx, service, t.priority, t.queued_at, exclude=t.id)
        if info["people_ahead"] > ahead:
            continue
        wait = f", khoảng {max(1, info['est_wait_min'])} phút" if info["est_wait_min"] is not None else ""
        body = (f"{ctx.site.name}: sắp đến lượt số {t.number} ({service.name}). Còn {info['people_ahead']} "
                f"người phía trước{wait}. Xin mời ông/bà đến gần quầy.")
        outbox.enqueue(ctx.db, ctx.site.id, None, "turn_near", "sms", phone, f"Sắp đến lượt số {t.number}", body,
                       ctx.now)
        ticket_alerts.mark_sent(ctx.db, ticket_id, ctx.now)


# --- counters -------------------------------------------------------------------------------------

def _counter(ctx: Ctx) -> Counter:
    if ctx.device is None or ctx.device.counter is None:
        raise DomainError("forbidden", "This device is not assigned to any counter yet.",
                          "Thiết bị chưa gắn với quầy nào.")
    counter = site_store.get_counter(ctx.db, ctx.site.id, ctx.device.counter)
    if not counter.active:
        raise DomainError("conflict", f"Counter {counter.number} is retired.",
                          f"Quầy {counter.number} đã ngừng hoạt động; hãy gắn thiết bị với quầy khác.")
    return counter


def _current(ctx: Ctx, counter: Counter) -> Ticket:
    if counter.current_ticket is None:
        raise DomainError("conflict", "No number is being served at this counter.",
                          "Quầy chưa gọi số nào.")
    return ticket_store.get(ctx.db, counter.current_ticket)


def _set_counter(ctx: Ctx, counter: Counter, **cols: object) -> None:
    site_store.update_counter(ctx.db, ctx.site.id, counter.number, **cols)
    ctx.effects.display_sites.add(ctx.site.id)


def _event(ctx: Ctx, t: Ticket | int, kind: str, counter: Counter, data: dict | None = None) -> int:
    return ticket_store.add_event(ctx.db, t, ctx.site.id, kind, ctx.now, counter=counter.number,
                                  officer=counter.officer, device_id=ctx.device.id if ctx.device else None,
                                  data=data)


def _call_event(ctx: Ctx, t: Ticket, kind: str, counter: Counter, data: dict | None = None) -> Callable[[], int]:
    """A call's event, whose id the announcement carries after the commit (the id is not waited for)."""
    return ticket_store.add_event_later(ctx.db, t, ctx.site.id, kind, ctx.now, counter=counter.number,
                                        officer=counter.officer, device_id=ctx.device.id if ctx.device else None,
                                        data=data)


def _announce(ctx: Ctx, event_id: int | Callable[[], int], t: Ticket, counter: Counter, kind: str) -> None:
    ctx.effects.calls.append({
        "site": ctx.site.id, "call_id": event_id, "ticket": t.number, "service": t.service,
        "counter": counter.number, "counter_name": counter.name, "kind": kind, "at": ctx.now,
    })


def _finish_current(ctx: Ctx, counter: Counter, *, free_counter: bool = True) -> dict | None:
    """Complete the ticket a counter is serving (pressing Next means the citizen before is done).

    `free_counter=False` leaves the counter row alone for a caller that rewrites it next anyway."""
    if counter.current_ticket is None:
        return None
    t = ticket_store.get(ctx.db, counter.current_ticket)
    if t.status != rules.CALLED:
        return None
    rules.transition(t.status, "complete")
    t = ticket_store.update(ctx.db, t, status=rules.DONE, done_at=ctx.now)
    ticket_store.note_event(ctx.db, t, ctx.site.id, "complete", ctx.now, counter=counter.number,
                            officer=counter.officer, device_id=ctx.device.id if ctx.device else None)
    if free_counter:
        _set_counter(ctx, counter, current_ticket=None)
    votes.open_vote(ctx, t, counter.number, counter.officer)  # the counter's tablet asks the citizen (#3)
    return ticket_view(ctx, t)


def counter_open(ctx: Ctx, officer: str | None = None) -> dict:
    counter = _counter(ctx)
    if officer is not None and site_store.officer_name(ctx.db, ctx.site.id, officer) is None:
        raise DomainError("not_found", f"No officer {officer!r} was found.", "Không tìm thấy cán bộ.")
    _set_counter(ctx, counter, status=rules.COUNTER_OPEN, officer=officer or counter.officer)
    return counter_state(ctx)


def counter_pause(ctx: Ctx) -> dict:
    _set_counter(ctx, _counter(ctx), status=rules.COUNTER_PAUSED)
    return counter_state(ctx)


def counter_close(ctx: Ctx) -> dict:
    counter = _counter(ctx)
    if counter.current_ticket is not None:
        raise DomainError("conflict",
                          "Finish, skip or hold the number being served before closing the counter.",
                          "Hãy hoàn thành, bỏ qua hoặc tạm giữ số đang phục vụ trước khi đóng quầy.")
    _set_counter(ctx, counter, status=rules.COUNTER_CLOSED)
    return counter_state(ctx)


def call_next(ctx: Ctx) -> dict:
    counter = _counter(ctx)
    finished = _finish_current(ctx, counter, free_counter=False)  # both branches below rewrite the counter
    day = ctx.day
    # Earlier days' leftovers expired, the queue's candidates and the oldest due booking: read at once.
    read = ticket_store.call_next_rows(ctx.db, ctx.site.id, day, counter.number, counter.services, ctx.now)
    streak = counter.regular_streak if counter.streak_day == day else None
    pick, new_streak = rules.choose_next(
        read.candidates, counter=counter.number, services=counter.services, policy=ctx.site.policy,
        regular_streak=streak,
    )
    pick, appointment = appointment_calls.prefer_due(ctx, counter, pick, due=read.due)  # issue #12: due bookings first
    if appointment:
        new_streak = streak  # an appointment call does not count in the priority interleave
    if pick is None:
        _set_counter(ctx, counter, status=rules.COUNTER_OPEN, current_ticket=None)
        return {"ticket": None, "completed": finished}
    t = read.tickets.get(pick.ticket_id) or ticket_store.get(ctx.db, pick.ticket_id)
    rules.transition(t.status, "call")
    t = ticket_store.update(ctx.db, t, status=rules.CALLED, called_at=ctx.now,
                            first_called_at=t.first_called_at or ctx.now, counter=counter.number,
                            officer=counter.officer, target_counter=None)
    _set_counter(ctx, counter, status=rules.COUNTER_OPEN, current_ticket=t.id, regular_streak=new_streak,
                 streak_day=day)
    _announce(ctx, _call_event(ctx, t, "call", counter), t, counter, "call")
    _alerts_due(ctx)
    return {"ticket": ticket_view(ctx, t), "completed": finished}


def recall(ctx: Ctx) -> dict:
    counter = _counter(ctx)
    t = _current(ctx, counter)
    rules.transition(t.status, "recall")
    if t.recalls >= ctx.site.policy.max_recalls:
        raise DomainError("recall_limit", f"Number {t.number} has already been recalled {t.recalls} times. "
                          "Mark it absent (No-show).",
                          f"Đã gọi lại số {t.number} đủ {t.recalls} lần. Hãy bỏ qua (vắng mặt).")
    t = ticket_store.update(ctx.db, t, recalls=t.recalls + 1, called_at=ctx.now)
    _announce(ctx, _call_event(ctx, t, "recall", counter, {"recalls": t.recalls}), t, counter, "recall")
    ctx.effects.display_sites.add(ctx.site.id)
    return {"ticket": ticket_view(ctx, t), "recalls_left": ctx.site.policy.max_recalls - t.recalls}


def skip(ctx: Ctx) -> dict:
    counter = _counter(ctx)
    t = _current(ctx, counter)
    status = rules.transition(t.status, "skip")
    t = ticket_store.update(ctx.db, t, status=status, done_at=ctx.now)
    _event(ctx, t, "no_show", counter, {"recalls": t.recalls})
    _set_counter(ctx, counter, current_ticket=None)
    return {"ticket": ticket_view(ctx, t)}


def transfer(ctx: Ctx, to_service: str | None = None, to_counter: int | None = None, force: bool = False) -> dict:
    """Send the current citizen to another service's queue or to a given counter, keeping their place.
    A closed counter, or one with no officer, is refused unless the officer confirms (`force`)."""
    counter = _counter(ctx)
    if (to_service is None) == (to_counter is None):
        raise DomainError("bad_request", "Choose one service or one counter to transfer to.",
                          "Chọn chuyển sang một dịch vụ hoặc một quầy.")
    t = _current(ctx, counter)
    status = rules.transition(t.status, "transfer")
    service = t.service
    if to_service is not None:
        service = site_store.get_service(ctx.db, ctx.site.id, to_service).code
    if to_counter is not None:
        if to_counter == counter.number:
            raise DomainError("bad_request", "The citizen cannot be transferred to this same counter.",
                              "Không thể chuyển về chính quầy này.")
        target = site_store.get_counter(ctx.db, ctx.site.id, to_counter)
        if not target.active:  # retired: as if it did not exist
            raise DomainError("not_found", f"Unknown counter {to_counter}.", f"Không có quầy số {to_counter}.")
        problem = rules.transfer_target_problem(target.status, target.officer)
        if problem is not None and not force:
            vi, en = problem
            raise DomainError("conflict", f"{counter_name(target.name, target.number, 'en')} {en}: the "
                              "citizen would wait at a counter where no one serves them. Choose another "
                              "counter, or choose this one again to transfer anyway.",
                              f"{target.name} {vi}: công dân sẽ phải chờ ở quầy không có người phục vụ. "
                              "Chọn quầy khác, hoặc chọn lại quầy này để vẫn chuyển.")
    moved = ticket_store.update(ctx.db, t, status=status, service=service, target_counter=to_counter,
                                counter=None, called_at=None, recalls=0)
    _event(ctx, t, "transfer", counter, {"from_service": t.service, "to_service": service, "to_counter": to_counter})
    _set_counter(ctx, counter, current_ticket=None)
    return {"ticket": ticket_view(ctx, moved)}


def reinstate(ctx: Ctx, ticket_id: int | None = None) -> dict:
    """Put a citizen skipped as absent at this counter back in line (they turned up a minute later): the
    ticket waits again for this counter, ahead of the queue, its place kept. Default: the last one skipped."""
    counter = _counter(ctx)
    t = ticket_store.last_no_show(ctx.db, ctx.site.id, ctx.day, counter.number, ticket_id)
    if t is None:
        raise DomainError("not_found", "This counter has marked no number absent today.",
                          "Quầy chưa bỏ qua số nào hôm nay.")
    if not rules.may_reinstate(t.done_at, ctx.now):
        raise DomainError("conflict", f"Number {t.number} was marked absent more than "
                          f"{rules.REINSTATE_WINDOW_S // 60} minutes ago: please ask the citizen to take a "
                          "new number.",
                          f"Số {t.number} đã bị bỏ qua quá {rules.REINSTATE_WINDOW_S // 60} phút: "
                          "mời công dân lấy số mới.")
    status = rules.transition(t.status, "reinstate")
    t = ticket_store.update(ctx.db, t, status=status, done_at=None, counter=None, called_at=None, recalls=0,
                            target_counter=counter.number)
    _event(ctx, t, "reinstate", counter)
    ctx.effects.display_sites.add(ctx.site.id)
    return {"ticket": ticket_view(ctx, t)}


def hold(ctx: Ctx) -> dict:
    counter = _counter(ctx)
    t = _current(ctx, counter)
    status = rules.transition(t.status, "hold")
    t = ticket_store.update(ctx.db, t, status=status)
    _event(ctx, t, "hold", counter)
    _set_counter(ctx, counter, current_ticket=None)
    return {"ticket": ticket_view(ctx, t)}


def resume(ctx: Ctx, ticket_id: int | None = None) -> dict:
    counter = _counter(ctx)
    if counter.current_ticket is not None:
        raise DomainError("conflict", "Finish the number being served before resuming one on hold.",
                          "Hãy hoàn thành số đang phục vụ trước khi tiếp tục số đang tạm giữ.")
    held = ticket_store.held_at(ctx.db, ctx.site.id, counter.number)
    t = next((h for h in held if ticket_id is None or h.id == ticket_id), None)
    if t is None:
        raise DomainError("not_found", "This counter has no number on hold.",
                          "Quầy không có số nào đang tạm giữ.")
    status = rules.transition(t.status, "resume")
    t = ticket_store.update(ctx.db, t, status=status, called_at=ctx.now)
    _set_counter(ctx, counter, current_ticket=t.id, status=rules.COUNTER_OPEN)
    _announce(ctx, _call_event(ctx, t, "resume", counter), t, counter, "call")
    return {"ticket": ticket_view(ctx, t)}


def complete(ctx: Ctx, ticket_id: int | None = None) -> dict:
    """Finish the current ticket. With `ticket_id` (sent from a device's outbox, maybe late) it finishes
    that ticket only, and changes nothing if the counter has moved on (Next already finished it)."""
    counter = _counter(ctx)
    if ticket_id is not None and ticket_id != counter.current_ticket:
        t = ticket_store.get(ctx.db, ticket_id, ctx.site.id)
        if not any(e["counter"] == counter.number for e in ticket_store.events(ctx.db, t.id)):
            raise DomainError("not_found", f"Number {t.number} was never served at counter {counter.number}.",
                              f"Số {t.number} chưa từng được phục vụ tại quầy này.")
        return {"ticket": ticket_view(ctx, t), "already": True}
    _current(ctx, counter)
    return {"ticket": _finish_current(ctx, counter)}


def counter_state(ctx: Ctx) -> dict:
    counter = site_store.get_counter(ctx.db, ctx.site.id, _counter(ctx).number)
    waiting = ticket_store.waiting_counts(ctx.db, ctx.site.id, ctx.day)
    current = ticket_store.get(ctx.db, counter.current_ticket) if counter.current_ticket else None
    served = ticket_store.served_at_counter(ctx.db, ctx.site.id, ctx.day, counter.number)
    direct = ticket_store.waiting_for_counter(ctx.db, ctx.site.id, ctx.day, counter.number)
    return {
        "counter": {"number": counter.number, "name": counter.name, "status": counter.status,
                    "officer": counter.officer,
                    "officer_name": site_store.officer_name(ctx.db, ctx.site.id, counter.officer),
                    "services": list(counter.services)},
        "current": ticket_view(ctx, current) if current else None,
        "held": [ticket_view(ctx, h) for h in ticket_store.held_at(ctx.db, ctx.site.id, counter.number)],
        "waiting": {s: waiting.get(s, 0) for s in counter.services},
        "waiting_for_this_counter": direct,
        "today": {"done": served.get("done", 0), "no_show": served.get("no_show", 0)},
    }
