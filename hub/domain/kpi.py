"""Queue KPIs: waiting time (issue → first call) and service time (first call → done).

The office target is a wait of at most 15 minutes per transaction (DOMAIN.md), so p90 and the share
within target matter more to a leader than the mean.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import NamedTuple

WAIT_TARGET_S = 15 * 60


class TicketTimes(NamedTuple):
    """A ticket's times. A plain tuple, not a dataclass: the dashboard reads a busy day's two thousand of
    them on every request, and a tuple is several times cheaper to make."""

    service: str
    counter: int | None
    officer: str | None
    status: str
    issued_at: float
    called_at: float | None
    done_at: float | None

    @property
    def wait_s(self) -> float | None:
        return None if self.called_at is None else self.called_at - self.issued_at

    @property
    def service_s(self) -> float | None:
        if self.called_at is None or self.done_at is None:
            return None
        return self.done_at - self.called_at


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    # ceil(q·n/100) in exact arithmetic: floats or round() (which rounds halves to even) would make
    # the p90 of ten waits the single worst one.
    rank = max(1, min(len(ordered), math.ceil(Fraction(str(q)) * len(ordered) / 100)))
    return ordered[rank - 1]


def summarize(tickets: Iterable[TicketTimes]) -> dict:
    ts = list(tickets)
    waits = [w for t in ts if (w := t.wait_s) is not None]
    services = [s for t in ts if (s := t.service_s) is not None]
    return {
        "issued": len(ts),
        "served": sum(1 for t in ts if t.status == "done"),
        "no_show": sum(1 for t in ts if t.status == "no_show"),
        "waiting_now": sum(1 for t in ts if t.status == "waiting"),
        "wait_avg_s": round(sum(waits) / len(waits), 1) if waits else None,
        "wait_p90_s": percentile(waits, 90),
        "wait_max_s": max(waits) if waits else None,
        "wait_within_target": round(sum(1 for w in waits if w <= WAIT_TARGET_S) / len(waits), 4) if waits else None,
        "service_avg_s": round(sum(services) / len(services), 1) if services else None,
    }


def group_summaries(tickets: Iterable[TicketTimes], key: Callable[[TicketTimes], object]) -> dict[str, dict]:
    """KPIs per group (service, counter or officer); tickets whose key is None are left out."""
    groups: dict[str, list[TicketTimes]] = defaultdict(list)
    for t in tickets:
        k = key(t)
        if k is not None:
            groups[str(k)].append(t)
    def natural(key: str) -> tuple:  # counter 2 before counter 10
        return (0, int(key), "") if key.isdigit() else (1, 0, key)

    return {k: summarize(groups[k]) for k in sorted(groups, key=natural)}


# --- the service level against each service's wait target: the dashboard's and the reports' one rule ---

def service_levels(times: Iterable[TicketTimes], targets: dict[str, float], now: float) -> dict[str, dict]:
    """Per service: {"met", "due", "longest_s"}. A called ticket is due, and met when called within its
    service's target (WAIT_TARGET_S where none is set); a ticket never called is due once it has waited
    past the target — still waiting (its wait runs to `now`) or expired at the close (to its `done_at`).
    `longest_s` is the longest wait of those still waiting."""
    per: dict[str, dict] = {}
    for t in times:
        target = targets.get(t.service, WAIT_TARGET_S)
        s = per.setdefault(t.service, {"met": 0, "due": 0, "longest_s": 0.0})
        if t.called_at is not None:
            s["due"] += 1
            s["met"] += (t.called_at - t.issued_at) <= target
        elif t.status == "waiting":
            wait = now - t.issued_at
            s["longest_s"] = max(s["longest_s"], wait)
            if wait > target:
                s["due"] += 1
        elif t.status == "expired" and ((t.done_at or now) - t.issued_at) > target:
            s["due"] += 1
    return per


def totals(times: list[TicketTimes], per_service: dict[str, dict], now: float) -> dict:
    """Numbers issued, served and absent, the average and longest wait (of those called, and of those
    still waiting), and the on-time rate — the share called within their service's target, those who
    waited past it uncalled counted as late (the services' service levels, summed). The dashboard's day
    totals and every report's queue totals alike."""
    waits = [t.called_at - t.issued_at for t in times if t.called_at is not None]
    still = [now - t.issued_at for t in times if t.called_at is None and t.status == "waiting"]
    due = sum(p["due"] for p in per_service.values())
    return {"issued": len(times), "served": sum(1 for t in times if t.status == "done"),
            "no_show": sum(1 for t in times if t.status == "no_show"),
            "waiting": len(still),
            "avg_wait_s": round(sum(waits) / len(waits)) if waits else None,
            "longest_wait_s": round(max(waits + still)) if waits or still else None,
            "on_time_rate": round(sum(p["met"] for p in per_service.values()) / due, 3) if due else None}


def queue_report(times: list[TicketTimes], targets: dict[str, float], now: float,
                 hour_of: Callable[[float], int]) -> dict:
    """A period's queue section: the totals, then the same figures per service, per counter, per officer
    and per hour of the day the ticket was issued (`hour_of(ts)`: the site's local hour)."""
    def block(ts: list[TicketTimes]) -> dict:
        return totals(ts, service_levels(ts, targets, now), now)

    def grouped(key: Callable[[TicketTimes], object]) -> dict[str, dict]:
        groups: dict[str, list[TicketTimes]] = defaultdict(list)
        for t in times:
            k = key(t)
            if k is not None:
                groups[str(k)].append(t)
        return {k: block(v) for k, v in groups.items()}

    hours = grouped(lambda t: hour_of(t.issued_at))
    return {"total": block(times), "by_service": grouped(lambda t: t.service),
            "by_counter": grouped(lambda t: t.counter), "by_officer": grouped(lambda t: t.officer),
            "by_hour": {h: hours[h] for h in sorted(hours, key=int)}}
