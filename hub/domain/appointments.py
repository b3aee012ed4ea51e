"""Appointment rules (issue #12): the slots of a day, how many seats a slot has, when a booked citizen
is early, due or late, and whether a counter calls a due appointment before a walk-in.

Pure functions over plain values (no clock: pass `now`, no database). The working calendar
(hub.domain.calendar) says which days are bookable and the office hours the slots are cut from.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from hub.domain.calendar import WorkCalendar
from hub.domain.intake import EMAIL_RE
from motcua_core.errors import DomainError

# Booking statuses. `booked` holds a seat; `checked_in` holds it and has an appointment ticket; `late`
# came after the grace window and got a normal ticket; `no_show` never came (the seat was released).
BOOKED, CHECKED_IN, LATE, NO_SHOW, CANCELLED = "booked", "checked_in", "late", "no_show", "cancelled"
HOLDS_SEAT = (BOOKED, CHECKED_IN)
STATUS_VI = {BOOKED: "đã đặt lịch", CHECKED_IN: "đã đến, đang chờ gọi", LATE: "đến muộn (lấy số thường)",
             NO_SHOW: "không đến", CANCELLED: "đã hủy"}
STATUS_EN = {BOOKED: "booked", CHECKED_IN: "checked in, waiting to be called",
             LATE: "checked in late (an ordinary ticket)", NO_SHOW: "missed", CANCELLED: "cancelled"}

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on a kiosk
CODE_LEN = 6
CODE_RE = re.compile(f"^[{CODE_ALPHABET}]{{{CODE_LEN}}}$")
PHONE_RE = re.compile(r"^0\d{9}$")
MIN_SERVICE_S, MAX_SERVICE_S = 60.0, 3600.0  # bounds on the service time seats are derived from


def bad(message: str, message_vi: str) -> DomainError:
    return DomainError("bad_request", message, message_vi)


@dataclass(frozen=True)
class BookingPolicy:
    """How a site takes appointments (administrator settings; docs/appointments.md).

    slot_min: length of a slot. walkin_share: share of each hour's derived capacity kept for walk-ins.
    grace_min: how late a booked citizen may check in and still be called as an appointment.
    mode: strict (due appointments before every walk-in) or interleave (one appointment after every
    `every` walk-ins at a counter). per_person_day: bookings one phone or CCCD may hold on one day.
    horizon_days: how far ahead one may book. early_min: how early the kiosk checks someone in.
    idle_serves_early: whether a counter with nobody else to call may take an early arrival before
    the slot (off by default: early arrivals wait for their slot). web_per_minute: new online bookings
    the site takes in a minute, whatever the addresses; past it a booking is refused and the office is
    alerted (hub.ops.security).
    """

    slot_min: int = 30
    walkin_share: float = 0.5
    grace_min: int = 15
    mode: str = "strict"
    every: int = 2
    per_person_day: int = 1
    horizon_days: int = 14
    early_min: int = 120
    idle_serves_early: bool = False
    web_per_minute: int = 10

    def __post_init__(self) -> None:
        if not 5 <= self.slot_min <= 240:
            raise ValueError("slot_min must be 5–240 minutes")
        if not 0 <= self.walkin_share < 1:
            raise ValueError("walkin_share must be ≥ 0 and < 1")
        if self.mode not in ("strict", "interleave"):
            raise ValueError(f"unknown appointment mode {self.mode!r} (strict or interleave)")
        if self.every < 1 or self.per_person_day < 1 or self.horizon_days < 1 or self.web_per_minute < 1:
            raise ValueError("every, per_person_day, horizon_days and web_per_minute must be ≥ 1")
        if self.grace_min < 0 or self.early_min < 0:
            raise ValueError("grace_min and early_min must be ≥ 0")

    @classmethod
    def from_config(cls, cfg: dict | None) -> BookingPolicy:
        known = {f.name for f in fields(cls)}
        cfg = dict(cfg or {})
        unknown = set(cfg) - known
        if unknown:
            raise ValueError(f"unknown appointment setting(s): {', '.join(sorted(unknown))}")
        return cls(**cfg)

    @property
    def grace_s(self) -> float:
        return self.grace_min * 60.0


# --- slots and capacity -------------------------------------------------------------------------------

def day_slots(cal: WorkCalendar, d: date, slot_min: int) -> list[tuple[datetime, datetime]]:
    """The slots of a day, cut from its office sessions (none on a day off). A piece shorter than a slot
    at the end of a session is not offered."""
    step = timedelta(minutes=slot_min)
    out = []
    for a, b in cal.receiving_sessions(d):  # office hours, or reception hours on a day that is not one
        start, end = datetime.combine(d, a, cal.tz), datetime.combine(d, b, cal.tz)
        while start + step <= end:
            out.append((start, start + step))
            start += step
    return out


def counter_share(counters: Sequence[Sequence[str]], service: str) -> float:
    """How many counters' worth of time a service gets: a counter serving k services gives 1/k to each."""
    return sum(1 / len(s) for s in counters if service in s)


def seats_per_slot(*, share: float, avg_service_s: float, slot_min: int, walkin_share: float,
                   override: int | None = None) -> int:
    """Seats bookable in one slot: the citizens the service's counters serve in a slot at the recent
    service time, less the share kept for walk-ins; an administrator's figure replaces the derivation."""
    if override is not None:
        return max(0, override)
    if share <= 0 or avg_service_s <= 0:
        return 0
    # A mean under a minute comes from Next pressed twice, not from service: it must not open 100 seats.
    service_s = min(max(avg_service_s, MIN_SERVICE_S), MAX_SERVICE_S)
    return math.floor(share * slot_min * 60 / service_s * (1 - walkin_share))


def bookable_days(cal: WorkCalendar, today: date, horizon_days: int) -> list[date]:
    """Days the office receives from today to the horizon (working days, and reception hours on other
    days such as a Saturday morning); days off are never offered."""
    return [d for d in (today + timedelta(days=i) for i in range(horizon_days + 1)) if cal.receives_on(d)]


@dataclass(frozen=True)
class SlotView:
    start: datetime
    end: datetime
    seats: int
    taken: int

    @property
    def free(self) -> int:
        return max(0, self.seats - self.taken)


def open_slots(slots: Sequence[tuple[datetime, datetime]], seats: int, taken: dict[float, int],
               now: float) -> list[SlotView]:
    """The slots one may still book (ending after `now`), with what is free in each."""
    return [SlotView(a, b, seats, taken.get(a.timestamp(), 0)) for a, b in slots if b.timestamp() > now]


def check_bookable(slot_start: float, slots: Sequence[tuple[datetime, datetime]], now: float) -> None:
    """Refuse a slot that is not one of the day's slots (a forged form, a day off) or already over."""
    match = next(((a, b) for a, b in slots if a.timestamp() == slot_start), None)
    if match is None:
        raise bad("This time is not a slot for bookings (outside working hours or a day off).",
                  "Khung giờ này không nhận đặt lịch (ngoài giờ làm việc hoặc ngày nghỉ).")
    if match[1].timestamp() <= now:
        raise bad("This time slot is over. Please choose another one.",
                  "Khung giờ này đã qua. Xin chọn khung giờ khác.")


# --- arriving -----------------------------------------------------------------------------------------

EARLY, DUE, TOO_EARLY = "early", "due", "too_early"


def arrival(slot_start: float, now: float, policy: BookingPolicy) -> str:
    """early: before the slot (the ticket waits for it); due: from the slot start to the end of the
    grace window (called as an appointment); late: past it (a normal ticket); too_early: more than
    `early_min` before the slot (the kiosk asks to come back)."""
    if now < slot_start - policy.early_min * 60:
        return TOO_EARLY
    if now < slot_start:
        return EARLY
    if now <= slot_start + policy.grace_s:
        return DUE
    return LATE


def released(status: str, slot_start: float, now: float, policy: BookingPolicy) -> bool:
    """A booking nobody checked in for by the end of the grace window no longer holds its seat."""
    return status == BOOKED and now > slot_start + policy.grace_s


REMIND_HOURS = (8, 20)  # reminders go out the day before between 08:00 and 20:00, never at night


def reminder_hour(local_hour: int) -> bool:
    """Whether the day-before reminder may be sent at this site-local hour."""
    return REMIND_HOURS[0] <= local_hour < REMIND_HOURS[1]


# --- calling ------------------------------------------------------------------------------------------

def prefer_appointment(*, due: bool, walkin_waiting: bool, policy: BookingPolicy,
                       walkins_since_appointment: int | None) -> bool:
    """Whether a counter calls its oldest due appointment instead of the walk-in the queue rules chose.

    strict: any due appointment goes first. interleave: one appointment after every `every` walk-ins
    called at this counter (None: the counter called no appointment yet today, so it may take one)."""
    if not due:
        return False
    if not walkin_waiting or policy.mode == "strict":
        return True
    return walkins_since_appointment is None or walkins_since_appointment >= policy.every


# --- codes and people ---------------------------------------------------------------------------------

def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LEN))


def normalise_code(text: str) -> str:
    """What a citizen types or a scanner reads ('hk7-m2q', 'MCH:HK7M2Q') → 'HK7M2Q', or ''."""
    raw = str(text or "").strip().upper()
    if raw.startswith("MCH:"):
        raw = raw[4:]
    raw = re.sub(r"[\s\-.]", "", raw)
    return raw if CODE_RE.match(raw) else ""


def show_code(code: str) -> str:
    return f"{code[:3]}-{code[3:]}"


def contact(name: str, phone: str, email: str = "") -> tuple[str, str, str]:
    """Name, phone and e-mail of a booking, checked; the reasons in Vietnamese (the booking page) and
    English (the counter's booking screen in English)."""
    name = " ".join(str(name or "").split())
    if len(name) < 2:
        raise bad("Please type the full name.", "Xin nhập họ và tên.")
    if len(name) > 100:
        raise bad("The full name is too long (100 characters at most).",
                  "Họ và tên quá dài (tối đa 100 ký tự).")
    phone = re.sub(r"[\s.\-]", "", str(phone or ""))
    if phone.startswith("+84"):
        phone = "0" + phone[3:]
    if not PHONE_RE.match(phone):
        raise bad("The phone number must have 10 digits and start with 0.",
                  "Số điện thoại phải có 10 chữ số, bắt đầu bằng 0.")
    email = str(email or "").strip()
    if email and (len(email) > 200 or not EMAIL_RE.match(email)):
        raise bad("The e-mail address is not valid.", "Địa chỉ email không hợp lệ.")
    return name, phone, email
