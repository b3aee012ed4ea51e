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

def _acc() -> dict:
    return {"issued": 0, "served": 0, "no_show": 0, "waiting": 0, "wait_sum": 0.0, "wait_n": 0, "wait_max": None,
            "met": 0, "due": 0, "longest_s": 0.0}


def accumulate(times: Iterable[TicketTimes], targets: dict[str, float], now: float,
               keys: dict[str, Callable[[TicketTimes], object]] | None = None) -> tuple[dict, dict[str, dict]]:
    """One pass over the tickets: the running figures of all of them and of each group of each key
    (`keys`: name → the ticket's group, None to leave it out), for `figures`.

    The service level: a called ticket is due, and met when called within its service's target
    (WAIT_TARGET_S where none is set); a ticket never called is due once it has waited past the target —
    still waiting (its wait runs to `now`) or expired at the close (to its `done_at`). The wait of the
    called counts in the average; the longest wait is of the called and of those still waiting
    (`longest_s`: of those still waiting alone)."""
    keys = keys or {}
    total = _acc()
    groups: dict[str, dict] = {name: {} for name in keys}
    for t in times:
        target = targets.get(t.service, WAIT_TARGET_S)
        wait = still = None
        if t.called_at is not None:
            wait = t.called_at - t.issued_at
            due, met = 1, wait <= target
        elif t.status == "waiting":
            still = now - t.issued_at
            due, met = still > target, False
        else:
            due, met = t.status == "expired" and ((t.done_at or now) - t.issued_at) > target, False
        accs = [total]
        for name, key in keys.items():
            k = key(t)
            if k is not None:
                g = groups[name].get(k)
                if g is None:
                    g = groups[name][k] = _acc()
                accs.append(g)
        served, absent = t.status == "done", t.status == "no_show"
        for a in accs:
            a["issued"] += 1
            a["served"] += served
            a["no_show"] += absent
            a["due"] += due
            a["met"] += met
            if wait is not None:
                a["wait_sum"] += wait
                a["wait_n"] += 1
                if a["wait_max"] is None or wait > a["wait_max"]:
                    a["wait_max"] = wait
            elif still is not None:
                a["waiting"] += 1
                a["longest_s"] = max(a["longest_s"], still)
                if a["wait_max"] is None or still > a["wait_max"]:
                    a["wait_max"] = still
    return total, groups


def figures(a: dict) -> dict:
    """Numbers issued, served and absent, those waiting, the average and longest wait, and the on-time
    rate — the share called within their service's target, those who waited past it uncalled counted as
    late. The dashboard's day totals and every report's queue figures alike."""
    return {"issued": a["issued"], "served": a["served"], "no_show": a["no_show"], "waiting": a["waiting"],
            "avg_wait_s": round(a["wait_sum"] / a["wait_n"]) if a["wait_n"] else None,
            "longest_wait_s": round(a["wait_max"]) if a["wait_max"] is not None else None,
            "on_time_rate": round(a["met"] / a["due"], 3) if a["due"] else None}


def queue_report(times: list[TicketTimes], targets: dict[str, float], now: float,
                 hour_of: Callable[[float], int]) -> dict:
    """A period's queue section: the figures of all tickets, then per service, per counter, per officer and
    per hour of the day the ticket was issued (`hour_of(ts)`: the site's local hour)."""
    hours: dict[float, int] = {}

    def hour(t: TicketTimes) -> int:  # the local hour, computed once per minute (zones are whole minutes)
        h = hours.get(t.issued_at // 60)
        if h is None:
            h = hours[t.issued_at // 60] = hour_of(t.issued_at)
        return h

    total, groups = accumulate(times, targets, now, {
        "by_service": lambda t: t.service, "by_counter": lambda t: t.counter, "by_officer": lambda t: t.officer,
        "by_hour": hour})
    out: dict = {"total": figures(total)}
    for name, g in groups.items():
        out[name] = {str(k): figures(a) for k, a in sorted(g.items(), key=lambda kv: (str(type(kv[0])), kv[0]))}
    return out
