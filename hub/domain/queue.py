"""Queue rules: ticket states, who is called next, numbering, people ahead and wait estimates.

Pure functions over plain values; the hub's store loads rows, calls these, and writes the result.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from motcua_core.errors import DomainError

PRIORITY_CLASSES = ("elderly", "disability", "pregnant", "merit")
PRIORITY_NONE = "none"

# Ticket lifecycle. `called` means the ticket is at a counter (called and being served).
WAITING, CALLED, HELD, DONE, NO_SHOW, EXPIRED = "waiting", "called", "held", "done", "no_show", "expired"
TRANSITIONS: dict[str, dict[str, str]] = {
    WAITING: {"call": CALLED, "expire": EXPIRED},
    CALLED: {"recall": CALLED, "skip": NO_SHOW, "hold": HELD, "complete": DONE, "transfer": WAITING},
    HELD: {"resume": CALLED, "expire": EXPIRED},
    DONE: {},
    NO_SHOW: {"reinstate": WAITING},  # the citizen turned up just after being skipped (may_reinstate)
    EXPIRED: {},
}

COUNTER_OPEN, COUNTER_PAUSED, COUNTER_CLOSED = "open", "paused", "closed"


def transition(status: str, action: str) -> str:
    """The ticket state after `action`, or DomainError('conflict') if the action is not allowed now."""
    nxt = TRANSITIONS.get(status, {}).get(action)
    if nxt is None:
        doing = ACTIONS_EN.get(action, f"the action “{action}”")
        raise DomainError("conflict", f"{doing[0].upper()}{doing[1:]} is not possible for a ticket that is "
                          f"{STATUS_EN.get(status, status)}.",
                          f"Không thể thực hiện thao tác với vé đang ở trạng thái {STATUS_VI.get(status, status)}.")
    return nxt


STATUS_VI = {
    WAITING: "đang chờ", CALLED: "đang phục vụ", HELD: "tạm giữ", DONE: "đã xong",
    NO_SHOW: "vắng mặt", EXPIRED: "hết hạn",
}
STATUS_EN = {
    WAITING: "waiting", CALLED: "being served", HELD: "on hold", DONE: "done",
    NO_SHOW: "marked absent", EXPIRED: "expired",
}
ACTIONS_EN = {  # what a refused transition names, in an English sentence (and the hub's log)
    "call": "calling", "recall": "recalling", "skip": "marking absent", "hold": "holding",
    "complete": "finishing", "transfer": "transferring", "resume": "resuming",
    "reinstate": "putting back in line", "expire": "expiring",
}


# --- numbering ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Numbering:
    """How a service numbers its tickets: a range (1001–1999) or a letter prefix (A001–A999).

    Numbers restart at `start` each site-local day and wrap around after `end`.
    """

    prefix: str = ""
    start: int = 1
    end: int = 999
    width: int = 3

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"bad number range {self.start}–{self.end}")
        if not 1 <= self.width <= 6:
            raise ValueError(f"ticket number width must be 1–6, got {self.width}")
        if len(self.prefix) > 3 or not all(c.isalpha() for c in self.prefix):
            raise ValueError(f"bad ticket prefix {self.prefix!r}")

    def number(self, seq: int) -> str:
        """Display number of the `seq`-th ticket of the day (seq starts at 1)."""
        if seq < 1:
            raise ValueError("seq starts at 1")
        size = self.end - self.start + 1
        value = self.start + (seq - 1) % size
        return self.prefix + str(value).zfill(self.width)


def local_day(ts: float, tz: ZoneInfo) -> str:
    """The site-local calendar day of a timestamp; tickets and numbering reset when it changes."""
    return datetime.fromtimestamp(ts, tz).date().isoformat()


# --- choosing the next ticket --------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    ticket_id: int
    service: str
    priority: str
    queued_at: float
    target_counter: int | None = None

    @property
    def is_priority(self) -> bool:
        return self.priority != PRIORITY_NONE


@dataclass(frozen=True)
class Policy:
    """Priority policy of a site.

    strict: priority tickets always first. interleave: when both kinds wait, one priority ticket after
    every `every` regular ones (a counter that has called no one yet starts with a priority ticket).
    fifo: priority is ignored.
    """

    mode: str = "interleave"
    every: int = 3
    max_recalls: int = 2

    def __post_init__(self) -> None:
        if self.mode not in ("strict", "interleave", "fifo"):
            raise ValueError(f"unknown priority policy {self.mode!r}")
        if self.every < 1 or self.max_recalls < 0:
            raise ValueError("interleave `every` must be ≥ 1 and max_recalls ≥ 0")


def _oldest(cands: Iterable[Candidate]) -> Candidate | None:
    return min(cands, key=lambda c: (c.queued_at, c.ticket_id), default=None)


def choose_next(
    candidates: Iterable[Candidate],
    *,
    counter: int,
    services: Sequence[str],
    policy: Policy,
    regular_streak: int | None,
) -> tuple[Candidate | None, int | None]:
    """Pick the ticket a counter calls next and return it with the counter's new regular streak.

    Tickets transferred to this very counter come first, whatever their service. Otherwise, across all services the counter
    serves, the oldest ticket wins (fair between services: a long queue does not starve a short one,
    since age, not queue length, decides), subject to the priority policy. `regular_streak` is the
    number of regular tickets called since the last priority one (None: no call yet today).
    """
    served = set(services)
    cands = list(candidates)
    direct = _oldest(c for c in cands if c.target_counter == counter)
    if direct is not None:
        return direct, regular_streak
    eligible = [c for c in cands if c.service in served and c.target_counter is None]
    prio = _oldest(c for c in eligible if c.is_priority)
    regular = _oldest(c for c in eligible if not c.is_priority)
    if policy.mode == "fifo":
        pick = _oldest(c for c in (prio, regular) if c is not None)
    elif prio is None or regular is None:
        pick = prio or regular
    elif policy.mode == "strict":
        pick = prio
    else:
        streak = policy.every if regular_streak is None else regular_streak
        pick = prio if streak >= policy.every else regular
    if pick is None:
        return None, regular_streak
    if policy.mode == "fifo":
        return pick, regular_streak
    new_streak = 0 if pick.is_priority else (regular_streak or 0) + 1
    return pick, new_streak


def people_ahead(
    waiting: Iterable[Candidate], *, service: str, priority: str, policy: Policy, queued_at: float
) -> int:
    """How many waiting tickets of the same service will be called before a ticket queued now.

    An estimate shown to the citizen: under a strict policy a priority ticket only waits behind other
    priority tickets; otherwise everyone queued earlier in the service is ahead.
    """
    same = [c for c in waiting if c.service == service and c.queued_at <= queued_at]
    if only_priority_ahead(priority, policy):
        return sum(1 for c in same if c.is_priority)
    return len(same)


def only_priority_ahead(priority: str, policy: Policy) -> bool:
    """Whether only priority tickets count as ahead of this one (the store counts with this rule)."""
    return policy.mode == "strict" and priority != PRIORITY_NONE


def estimate_wait_s(ahead: int, *, avg_service_s: float, open_counters: int) -> float | None:
    """Expected wait before being called: the people ahead shared among the open counters.

    None when no counter serving the service is open (the kiosk then says the wait is unknown).
    """
    if open_counters <= 0:
        return None
    rounds = math.ceil(ahead / open_counters) if ahead else 0
    return rounds * avg_service_s


def pooled_wait_s(ahead: dict[str, int], *, avg_s: dict[str, float], share: dict[str, float],
                  busy_left_s: Sequence[float], counters: int) -> float | None:
    """Expected wait of a ticket before its first call, by the work the counters that can call it must do
    first: each ticket ahead (of any service those counters serve; `ahead` already follows the ordering
    rule for the ticket's own service) weighs its service's time, times the `share` of that service's
    counters that are in this pool; the counters' citizens being served add what is left of their time.
    The ticket is called when the work ahead has *started*, not finished: the other counters are then
    still half-way through their citizens on average, so that much is taken off. With nobody ahead, the
    wait is until the first counter frees.

    Counters are shared between services (a counter calls the oldest ticket of all it serves), so counting
    only the same service's queue, as ceil(ahead / counters) rounds did, told a citizen "1 phút" while a
    shared counter was working through the other services' earlier tickets."""
    if counters <= 0:
        return None
    idle = counters - len(busy_left_s)
    work = sum(n * avg_s.get(code, 0.0) * share.get(code, 1.0) for code, n in ahead.items())
    first_free = 0.0 if idle > 0 else min(busy_left_s, default=0.0)
    if work <= 0:
        return first_free
    weights = [n * share.get(code, 1.0) for code, n in ahead.items()]
    mean_s = work / sum(weights) if sum(weights) else 0.0
    still_serving = (counters - 1) * mean_s / 2
    return max(first_free, (work + sum(busy_left_s) - still_serving) / counters)


def average_service_s(recent: Sequence[float], default_s: float) -> float:
    """Mean of recent service times, falling back to the configured default before any are known."""
    usable = [s for s in recent if s > 0]
    return sum(usable) / len(usable) if usable else default_s


# --- day-one rules (issue #13): reinstating a no-show, transfers, opening hours, banner -------------

REINSTATE_WINDOW_S = 30 * 60  # a citizen skipped as absent may be put back in line within this time


def may_reinstate(skipped_at: float | None, now: float, window_s: float = REINSTATE_WINDOW_S) -> bool:
    """Whether a no-show is recent enough to go back in line (later, the citizen takes a new ticket)."""
    return skipped_at is not None and 0 <= now - skipped_at <= window_s


def transfer_target_problem(status: str, officer: str | None) -> tuple[str, str] | None:
    """Why a counter cannot take a transferred citizen now (None: it can), in the officer's words:
    (Vietnamese, English)."""
    if status == COUNTER_CLOSED:
        return "đang đóng", "is closed"
    if officer is None:
        return "chưa có cán bộ", "has no officer signed in"
    return None


@dataclass(frozen=True)
class TicketHours:
    """When the kiosks give tickets: from `opens` until `last_ticket` (site-local "HH:MM"), on the
    weekdays listed (0 = Monday). None of a site's config: tickets at any time (the demo, tests)."""

    opens: str = "07:30"
    last_ticket: str = "16:30"
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)

    def __post_init__(self) -> None:
        for t in (self.opens, self.last_ticket):
            if not (len(t) == 5 and t[2] == ":" and t[:2].isdigit() and t[3:].isdigit()
                    and int(t[:2]) < 24 and int(t[3:]) < 60):
                raise ValueError(f"ticket hours: {t!r} is not HH:MM")
        if self.opens >= self.last_ticket:
            raise ValueError(f"ticket hours: opens {self.opens} must be before the last ticket {self.last_ticket}")
        if not self.weekdays or any(d not in range(7) for d in self.weekdays):
            raise ValueError("ticket hours: weekdays are 0 (Monday) … 6 (Sunday)")


WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def ticket_hours_refusal(hours: TicketHours | None, local: datetime, days_off: Collection[date] = (),
                         working_days: Collection[date] = ()) -> DomainError | None:
    """The refusal a kiosk shows outside ticket hours (None: a ticket may be issued now), with the hours
    in both languages: the citizen may have chosen English. The days off and make-up working days the
    site's calendar names (its own and its province's) close or open the kiosk on those dates."""
    if hours is None:
        return None
    hm = local.strftime("%H:%M")
    span = f"{hours.opens}–{hours.last_ticket}"
    when = f"Giờ cấp số: {span}, {_days(hours.weekdays, WEEKDAYS_VI, 'đến')}."
    when_en = f"Ticket hours: {span}, {_days(hours.weekdays, WEEKDAYS_EN, 'to')}."
    today = local.date()
    if today in days_off and today not in working_days:
        return DomainError("closed", f"Today is a day off: no tickets are given. {when_en}",
                           f"Hôm nay là ngày nghỉ, không cấp số thứ tự. {when}")
    if local.weekday() not in hours.weekdays and today not in working_days:
        return DomainError("closed", f"No tickets are given today. {when_en}",
                           f"Hôm nay không cấp số thứ tự. {when}")
    if hm < hours.opens:
        return DomainError("closed", f"It is not yet time for tickets. {when_en}",
                           f"Chưa đến giờ cấp số. {when}")
    if hm >= hours.last_ticket:
        return DomainError("closed", f"Ticket hours are over for today. {when_en}",
                           f"Đã hết giờ cấp số hôm nay. {when}")
    return None


def _days(days: tuple[int, ...], names: tuple[str, ...], to: str) -> str:
    ds = sorted(days)
    if ds == list(range(ds[0], ds[-1] + 1)) and len(ds) > 2:
        return f"{names[ds[0]]} {to} {names[ds[-1]]}"
    return ", ".join(names[d] for d in ds)


def call_active(last_call: dict | None, counters: Sequence[dict]) -> bool:
    """Whether the lobby's "Mời số … đến quầy …" banner still stands: only while that ticket is at that
    counter (once served, skipped, held or moved on, the banner goes)."""
    if not last_call:
        return False
    for c in counters:
        if c["number"] == last_call.get("counter"):
            return bool(c.get("current")) and c["current"].get("ticket") == last_call.get("ticket")
    return False


def regulars_before_priority(k: int, regular_waiting: int, every: int, streak: int | None) -> int:
    """Interleave: regular tickets called before the k-th (0-based) waiting priority ticket, at a counter
    that has called `streak` regular ones since its last priority one (None: none yet today → priority first)."""
    first = 0 if streak is None else max(0, every - streak)
    return min(regular_waiting, first + k * every)


def priorities_before_regular(r: int, priority_waiting: int, every: int, streak: int | None) -> int:
    """Interleave: priority tickets called before a regular ticket with `r` regular ones ahead of it."""
    first = 0 if streak is None else max(0, every - streak)
    if priority_waiting <= 0 or r < first:
        return 0
    return min(priority_waiting, 1 + (r - first) // every)
