"""Appointment operations (issue #12): free slots, booking (phone page or counter), cancel and move by
link, check-in at the kiosk, the call-next hook, the timer turn (no-shows, reminders) and the leaders'
figures. Run through hub.ops.run like every operation: a booking counts the seats and inserts in one
BEGIN IMMEDIATE transaction, so concurrent bookings cannot overfill a slot.
"""

from __future__ import annotations

import dataclasses
import secrets
from datetime import date, datetime, timedelta

from hub.domain import appointments as rules
from hub.domain.calendar import WorkCalendar
from hub.domain.queue import local_day
from hub.notify import outbox
from hub.ops import queue, security
from hub.ops.appointment_calls import clock_time, view
from hub.ops.context import Ctx
from hub.ops.dossiers import calendar_for
from hub.store import appointments as store
from hub.store import catalogue as cat_store
from hub.store import sites as site_store
from hub.store import tickets as ticket_store
from hub.store.appointments import Appointment
from hub.store.dossiers import get_settings
from hub.store.sites import Service
from motcua_core.cccd import looks_like_cccd_qr, parse_cccd, parse_cccd_qr
from motcua_core.errors import DomainError

MANAGE_PATH = "/hen/q/"


def _cal(ctx: Ctx) -> WorkCalendar:
    return calendar_for(ctx.db, ctx.site.id, ctx.site.tz.key)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise rules.bad("The date is not valid (it must read YYYY-MM-DD).",
                        "Ngày không hợp lệ (cần dạng YYYY-MM-DD).") from None


def _today(ctx: Ctx) -> date:
    return date.fromisoformat(ctx.day)


def seats(ctx: Ctx, service: Service, policy: rules.BookingPolicy) -> int:
    """Seats per slot of a service: the administrator's figure, else derived from the counters serving it
    and the service time the administrator set for it (the site's default otherwise). Not from recent
    service times: Next pressed twice in a row made "minutes" of a few seconds, and a 30-minute slot then
    offered 27 seats."""
    override = store.capacity_override(ctx.db, ctx.site.id, service.code)
    if override is not None:
        return override
    share = rules.counter_share([c.services for c in site_store.list_counters(ctx.db, ctx.site.id)], service.code)
    avg = service.avg_service_s or ctx.site.default_service_s
    return rules.seats_per_slot(share=share, avg_service_s=avg, slot_min=policy.slot_min,
                                walkin_share=policy.walkin_share)


def bookable_days(ctx: Ctx) -> list[str]:
    policy = store.get_policy(ctx.db, ctx.site.id)
    return [d.isoformat() for d in rules.bookable_days(_cal(ctx), _today(ctx), policy.horizon_days)]


def _check_day(ctx: Ctx, d: date, policy: rules.BookingPolicy, cal: WorkCalendar) -> None:
    today = _today(ctx)
    if d < today or d > today + timedelta(days=policy.horizon_days):
        raise rules.bad(f"Bookings are taken from today up to {policy.horizon_days} days ahead only.",
                        f"Chỉ đặt lịch từ hôm nay đến {policy.horizon_days} ngày tới.")
    if not cal.receives_on(d):
        raise rules.bad(f"{d.strftime('%d/%m/%Y')} is a day off: no bookings are taken.",
                        f"Ngày {d.strftime('%d/%m/%Y')} là ngày nghỉ, không nhận đặt lịch.")


def slots(ctx: Ctx, service_code: str, day: str | None) -> dict:
    """Free seats per slot of a service on a day (default: the first bookable day), with the bookable
    days (a view: writes nothing)."""
    service = site_store.get_service(ctx.db, ctx.site.id, service_code)
    policy = store.get_policy(ctx.db, ctx.site.id)
    cal = _cal(ctx)
    days = rules.bookable_days(cal, _today(ctx), policy.horizon_days)
    d = _day(day) if day else (days[0] if days else _today(ctx))
    _check_day(ctx, d, policy, cal)
    n = seats(ctx, service, policy)
    taken = store.taken_by_slot(ctx.db, ctx.site.id, service.code, d.isoformat(), ctx.now, policy.grace_s)
    views = rules.open_slots(rules.day_slots(cal, d, policy.slot_min), n, taken, ctx.now)
    return {"service": service.code, "service_name": service.name, "day": d.isoformat(), "seats_per_slot": n,
            "days": [x.isoformat() for x in days],
            "slots": [{"start": int(v.start.timestamp()), "time": v.start.strftime("%H:%M"),
                       "end_time": v.end.strftime("%H:%M"), "free": v.free} for v in views]}


def _procedure(ctx: Ctx, procedure_id: str | None, service: Service) -> str | None:
    if not procedure_id:
        return None
    doc = cat_store.get(ctx.db, procedure_id)
    if doc is None:
        raise DomainError("not_found", "This administrative procedure was not found.",
                          "Không tìm thấy thủ tục hành chính này.")
    if doc.get("field") != service.field:
        raise rules.bad("This procedure does not belong to the chosen service.",
                        "Thủ tục này không thuộc dịch vụ đã chọn.")
    return doc["id"]


def _count(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


def _cccd(ctx: Ctx, text: str | None) -> str | None:
    return parse_cccd(text, _today(ctx).year).number if text and str(text).strip() else None


def _take_seat(ctx: Ctx, service: Service, d: date, slot_start: float, phone: str, cccd: str | None,
               exclude: int | None = None) -> tuple[float, rules.BookingPolicy]:
    """Check the slot, the seats left and the person's daily limit; inside the booking's transaction."""
    policy = store.get_policy(ctx.db, ctx.site.id)
    cal = _cal(ctx)
    _check_day(ctx, d, policy, cal)
    day_slots = rules.day_slots(cal, d, policy.slot_min)
    rules.check_bookable(slot_start, day_slots, ctx.now)
    taken = store.taken_by_slot(ctx.db, ctx.site.id, service.code, d.isoformat(), ctx.now, policy.grace_s,
                                exclude=exclude)
    if taken.get(slot_start, 0) >= seats(ctx, service, policy):
        raise DomainError("conflict", "This time slot is full now. Please choose another one.",
                          "Khung giờ này vừa hết chỗ. Xin chọn khung giờ khác.")
    if store.held_by_person(ctx.db, ctx.site.id, d.isoformat(), phone, cccd, exclude=exclude) >= policy.per_person_day:
        raise DomainError("conflict", "The daily booking limit is reached: each phone number or citizen ID "
                          f"may book {_count(policy.per_person_day, 'appointment')} a day.",
                          f"Mỗi số điện thoại hoặc CCCD chỉ được đặt {policy.per_person_day} lịch trong một ngày.")
    end = next(b for a, b in day_slots if a.timestamp() == slot_start)
    return end.timestamp(), policy


def book(ctx: Ctx, *, service: str, day: str, slot_start: int | float, name: str, phone: str,
         email: str = "", cccd: str | None = None, procedure: str | None = None, source: str = "web") -> dict:
    """Book a seat. Returns the booking with its code and the secret of the cancel/move link (shown once)."""
    if source == "web":
        security.check_booking_rate(ctx)  # a site-wide ceiling: addresses can be rotated, the site cannot
    svc = site_store.get_service(ctx.db, ctx.site.id, service)
    name, phone, email = rules.contact(name, phone, email)
    cid = _cccd(ctx, cccd)
    proc = _procedure(ctx, procedure, svc)
    d = _day(day)
    try:
        start = float(slot_start)
    except (TypeError, ValueError):
        raise rules.bad("Please choose a time slot.", "Xin chọn một khung giờ.") from None
    end, _policy = _take_seat(ctx, svc, d, start, phone, cid)
    code = rules.new_code()
    while store.code_taken(ctx.db, code):
        code = rules.new_code()
    secret = secrets.token_urlsafe(18)
    a = store.insert(ctx.db, site_id=ctx.site.id, code=code, secret=secret, service=svc.code, procedure_id=proc,
                     day=d.isoformat(), slot_start=start, slot_end=end, name=name, phone=phone, email=email,
                     cccd=cid, source=source, now=ctx.now)
    out = {**view(ctx, a), "manage_path": MANAGE_PATH + secret, "manage_secret": secret}
    _notify(ctx, a, "appointment_booked", "Xác nhận đặt lịch",
            f"Đã đặt lịch {out['service_name']} lúc {out['time']} ngày {_vn_day(a.day)} tại {ctx.site.name}. "
            f"Mã lịch hẹn: {out['code_display']}. Hủy hoặc đổi lịch: {_link(ctx, secret)}")
    return {"appointment": out}


def _vn_day(day: str) -> str:
    return date.fromisoformat(day).strftime("%d/%m/%Y")


def _link(ctx: Ctx, secret: str) -> str:
    base = (get_settings(ctx.db, ctx.site.id).get("public_url") or "").rstrip("/")
    return f"{base}{MANAGE_PATH}{secret}"


def _notify(ctx: Ctx, a: Appointment, kind: str, subject: str, body: str) -> None:
    """SMS to the phone and, when given, an e-mail: through the notification outbox (hub/notify), sent
    after commit by the hub's senders (a log line until SMS/e-mail are configured)."""
    outbox.enqueue(ctx.db, ctx.site.id, None, kind, "sms", a.phone, subject, body, ctx.now)
    if a.email:
        outbox.enqueue(ctx.db, ctx.site.id, None, kind, "email", a.email, f"{subject} – {ctx.site.name}", body, ctx.now)


def _by_secret(ctx: Ctx, secret: str) -> Appointment:
    a = store.by_secret(ctx.db, str(secret or ""))
    if a is None or a.site_id != ctx.site.id:
        raise DomainError("not_found", "There is no such booking (the link is not right).",
                          "Không tìm thấy lịch hẹn (đường dẫn không đúng).")
    return a


def manage_view(ctx: Ctx, secret: str) -> dict:
    return {"appointment": view(ctx, _by_secret(ctx, secret))}


def _changeable(a: Appointment) -> None:
    if a.status != rules.BOOKED:
        raise DomainError("conflict", f"The booking is {rules.STATUS_EN[a.status]}, so it cannot be changed.",
                          f"Lịch hẹn {rules.STATUS_VI[a.status]}, không thể thay đổi.")


def cancel(ctx: Ctx, secret: str) -> dict:
    a = _by_secret(ctx, secret)
    _changeable(a)
    store.update(ctx.db, a, ctx.now, status=rules.CANCELLED)
    return {"appointment": view(ctx, store.by_code(ctx.db, ctx.site.id, a.code))}


def move(ctx: Ctx, secret: str, day: str, slot_start: int | float) -> dict:
    """Move a booking to another slot (same service), checked as a new booking but not counting itself."""
    a = _by_secret(ctx, secret)
    _changeable(a)
    svc = site_store.get_service(ctx.db, ctx.site.id, a.service)
    d = _day(day)
    try:
        start = float(slot_start)
    except (TypeError, ValueError):
        raise rules.bad("Please choose a time slot.", "Xin chọn một khung giờ.") from None
    end, _policy = _take_seat(ctx, svc, d, start, a.phone, a.cccd, exclude=a.id)
    store.update(ctx.db, a, ctx.now, day=d.isoformat(), slot_start=start, slot_end=end, reminded_at=None)
    moved = store.by_code(ctx.db, ctx.site.id, a.code)
    out = view(ctx, moved)
    _notify(ctx, moved, "appointment_moved", "Đổi lịch hẹn",
            f"Lịch hẹn {out['code_display']} đã đổi sang {out['time']} ngày {_vn_day(moved.day)}.")
    return {"appointment": out}


# --- check-in at the kiosk ----------------------------------------------------------------------------

def _find_for_checkin(ctx: Ctx, scan: str) -> Appointment:
    """Today's booking behind a scan: a booking QR / typed code, or the CCCD chip card's front QR."""
    if looks_like_cccd_qr(scan):
        card = parse_cccd_qr(scan, _today(ctx))  # a bad scan is refused here: nothing is stored
        # One still to check in first (a second booking the same day is possible when the site allows it).
        found = sorted(store.for_cccd_today(ctx.db, ctx.site.id, ctx.day, card.number),
                       key=lambda a: (a.status == rules.CHECKED_IN, a.slot_start))
        if not found:
            raise DomainError("not_found", "There is no booking today for this citizen ID. "
                              "Please take an ordinary queue number.",
                              "Không có lịch hẹn hôm nay cho số CCCD này. Xin lấy số thứ tự thường.")
        return found[0]
    code = rules.normalise_code(scan)
    if not code:
        raise rules.bad("A booking code has 6 letters and digits (for example HK7-M2Q). "
                        "Please type it again.",
                        "Mã lịch hẹn gồm 6 chữ và số (ví dụ HK7-M2Q). Xin nhập lại.")
    a = store.by_code(ctx.db, ctx.site.id, code)
    if a is None:
        raise DomainError("not_found", "There is no booking with this code.",
                          "Không tìm thấy lịch hẹn với mã này.")
    if a.status == rules.CANCELLED:  # said before the day: "not today" sent a cancelled citizen to come back
        raise DomainError("conflict", "This booking has been cancelled.", "Lịch hẹn này đã bị hủy.")
    if a.day != ctx.day:
        raise DomainError("conflict", f"This booking is for {_vn_day(a.day)}, not today.",
                          f"Lịch hẹn này vào ngày {_vn_day(a.day)}, không phải hôm nay.")
    return a


def check_in(ctx: Ctx, scan: str, lang: str = "vi") -> dict:
    """Issue the ticket of today's booking. On time (up to the grace window): an appointment ticket,
    queued at its slot time so an early arrival waits for the slot; later: a normal ticket."""
    a = _find_for_checkin(ctx, scan)
    if a.status in (rules.CHECKED_IN, rules.LATE):
        raise DomainError("conflict", "This booking is already checked in and its number was given. "
                          "Please look at the ticket already printed.",
                          "Lịch hẹn này đã được xác nhận và đã lấy số. Xin xem lại phiếu đã in.")
    if a.status == rules.CANCELLED:
        raise DomainError("conflict", "This booking has been cancelled.", "Lịch hẹn này đã bị hủy.")
    policy = store.get_policy(ctx.db, ctx.site.id)
    when = rules.arrival(a.slot_start, ctx.now, policy)
    if when == rules.TOO_EARLY:
        raise DomainError("conflict", "It is too early to check in: the booking is at "
                          f"{clock_time(a.slot_start, ctx)}. "
                          f"Please come back no more than {policy.early_min} minutes before it.",
                          f"Lịch hẹn lúc {clock_time(a.slot_start, ctx)}. Xin quay lại trước giờ hẹn không quá "
                          f"{policy.early_min} phút.")
    issued = queue.issue_ticket(ctx, a.service, "none", lang)["ticket"]
    late = when == rules.LATE
    if not late:
        t = ticket_store.get(ctx.db, issued["id"])
        ticket_store.update(ctx.db, t, queued_at=max(a.slot_start, t.queued_at))
    store.update(ctx.db, a, ctx.now, status=rules.LATE if late else rules.CHECKED_IN, checked_in_at=ctx.now,
                 ticket_id=issued["id"])
    ticket = queue.ticket_status(ctx, issued["id"])["ticket"]
    ticket["site_name"] = ctx.site.name
    at = clock_time(a.slot_start, ctx)
    msg = (f"Ông/bà đến muộn quá {policy.grace_min} phút so với giờ hẹn: số thứ tự được xếp như khách không hẹn."
           if late else f"Đã xác nhận lịch hẹn lúc {at}. Ông/bà sẽ được gọi theo giờ hẹn.")
    msg_en = (f"You are more than {policy.grace_min} minutes late for your booking: your number waits in "
              "line like a walk-in's." if late else
              f"Your booking at {at} is confirmed. You will be called at your time.")
    return {"ticket": ticket, "appointment": view(ctx, store.by_code(ctx.db, ctx.site.id, a.code)),
            "late": late, "early": when == rules.EARLY, "message": msg_en, "message_vi": msg}


def cccd_applicant(ctx: Ctx, scan: str) -> dict:
    """The counter's CCCD scan: the applicant fields of a dossier intake (nothing is stored)."""
    card = parse_cccd_qr(scan, _today(ctx))
    return {"applicant": card.applicant(), "sex": card.sex, "issue_date": card.issue_date.isoformat(),
            "old_number": card.old_number}


# --- settings -----------------------------------------------------------------------------------------

def configure(ctx: Ctx, policy: dict | None, capacity: dict | None) -> dict:
    """Administrator settings: the booking policy (merged into what is stored) and seats per slot per
    service (an integer, or null to derive them again from the counters)."""
    if policy is not None and not isinstance(policy, dict) or capacity is not None and not isinstance(capacity, dict):
        raise rules.bad("The booking settings are not valid.", "Cấu hình đặt lịch không hợp lệ.")
    p = store.set_policy(ctx.db, ctx.site.id, policy or {})
    for service, n in (capacity or {}).items():
        site_store.get_service(ctx.db, ctx.site.id, service)
        if n is not None and (not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= 1000):
            raise rules.bad("Seats per slot must be a whole number from 0 to 1000.",
                            "Số chỗ mỗi khung giờ phải là số nguyên từ 0 đến 1000.")
        store.set_capacity(ctx.db, ctx.site.id, service, n)
    return {"policy": dataclasses.asdict(p),
            "capacity": {s.code: seats(ctx, s, p) for s in site_store.list_services(ctx.db, ctx.site.id)}}


# --- the timer turn -----------------------------------------------------------------------------------

def tick(ctx: Ctx) -> dict:
    """Mark no-shows (their seats are already free: see store.taken_by_slot) and queue the reminders
    for tomorrow's bookings, once each."""
    policy = store.get_policy(ctx.db, ctx.site.id)
    released = store.to_release(ctx.db, ctx.site.id, ctx.now - policy.grace_s)
    for a in released:
        store.update(ctx.db, a, ctx.now, status=rules.NO_SHOW)
    tomorrow = (_today(ctx) + timedelta(days=1)).isoformat()
    local_hour = datetime.fromtimestamp(ctx.now, ctx.site.tz).hour
    reminded = store.to_remind(ctx.db, ctx.site.id, tomorrow) if rules.reminder_hour(local_hour) else []
    for a in reminded:
        v = view(ctx, a)
        _notify(ctx, a, "appointment_reminder", "Nhắc lịch hẹn",
                f"Nhắc lịch: ngày mai {_vn_day(a.day)} lúc {v['time']}, {v['service_name']} tại {ctx.site.name}. "
                f"Mã lịch hẹn: {v['code_display']}. Xin mang theo CCCD.")
        store.update(ctx.db, a, ctx.now, reminded_at=ctx.now)
    return {"no_shows": len(released), "reminders": len(reminded)}


# --- leaders' figures ---------------------------------------------------------------------------------

def summary(ctx: Ctx, day: str) -> dict:
    """Bookings against capacity per service, punctuality and the no-show rate of a day."""
    d = _day(day)
    policy = store.get_policy(ctx.db, ctx.site.id)
    cal = _cal(ctx)
    n_slots = len(rules.day_slots(cal, d, policy.slot_min))
    rows = store.day_rows(ctx.db, ctx.site.id, d.isoformat())
    called = store.first_called(ctx.db, [a.ticket_id for a in rows if a.ticket_id and a.status == rules.CHECKED_IN])
    by_service = []
    for svc in site_store.list_services(ctx.db, ctx.site.id):
        mine = [a for a in rows if a.service == svc.code]
        capacity = seats(ctx, svc, policy) * n_slots
        if not mine and not capacity:
            continue
        by_service.append({"service": svc.code, "name": svc.name, "capacity": capacity, "booked": len(mine),
                           "fill_rate": round(len(mine) / capacity, 3) if capacity else None})
    past = [a for a in rows if a.status != rules.BOOKED or rules.released(a.status, a.slot_start, ctx.now, policy)]
    no_shows = [a for a in past if a.status in (rules.NO_SHOW, rules.BOOKED)]
    arrived = [a for a in rows if a.checked_in_at is not None]
    on_time = [a for a in arrived if a.status == rules.CHECKED_IN]
    waits = sorted(max(0.0, called[a.ticket_id] - max(a.slot_start, a.checked_in_at or 0)) for a in on_time
                   if a.ticket_id in called)
    return {
        "site": ctx.site.id, "day": d.isoformat(), "working_day": cal.is_working_day(d), "slots": n_slots,
        "policy": {"mode": policy.mode, "grace_min": policy.grace_min, "walkin_share": policy.walkin_share},
        "booked": len(rows), "by_service": by_service, "checked_in": len(arrived), "on_time": len(on_time),
        "late": len(arrived) - len(on_time), "no_show": len(no_shows),
        "punctuality": round(len(on_time) / len(arrived), 3) if arrived else None,
        "no_show_rate": round(len(no_shows) / len(past), 3) if past else None,
        "median_wait_after_slot_min": round(waits[len(waits) // 2] / 60, 1) if waits else None,
        "day_is_today": d.isoformat() == local_day(ctx.now, ctx.site.tz),
    }
