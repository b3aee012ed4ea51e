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
