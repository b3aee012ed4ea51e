"""Weekly figures every unit reports (004 L86): received, on time, late, late with apology — per agency,
field and officer — and the on-time rate leaders are judged on. Pure: rows in, numbers out."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

TARGET_ON_TIME = 0.98  # 004 L30


@dataclass(frozen=True)
class Row:
    agency: str
    field: str
    officer: str
    received_at: float
    legal_due_at: float
    finished_at: float | None
    first_apology_at: float | None
    paused: bool = False  # waiting for the citizen's supplement: its due time is not running


def on_time_rate(on_time: int, finished: int) -> float | None:
    return None if finished == 0 else round(on_time / finished, 4)


def week_bounds(week: str) -> tuple[date, date]:
    """'2026-W47' → (Monday, next Monday) of that ISO week."""
    try:
        year, w = week.split("-W")
        monday = date.fromisocalendar(int(year), int(w), 1)
    except (ValueError, AttributeError):
        raise ValueError(f"tuần {week!r} không hợp lệ (cần dạng 2026-W47)") from None
    return monday, monday + timedelta(days=7)


def _empty() -> dict:
    return {"received": 0, "finished": 0, "on_time": 0, "late": 0, "late_with_apology": 0,
            "late_without_apology": 0, "open_overdue": 0, "on_time_rate": None}


def _count(acc: dict, r: Row, start: float, end: float) -> None:
    if start <= r.received_at < end:
        acc["received"] += 1
    late = False
    cutoff = end
    if r.finished_at is not None and start <= r.finished_at < end:
        acc["finished"] += 1
        if r.finished_at <= r.legal_due_at:
            acc["on_time"] += 1
        else:
            acc["late"] += 1
            late, cutoff = True, r.finished_at
    elif not r.paused and (r.finished_at is None or r.finished_at >= end) and start <= r.legal_due_at < end:
        acc["open_overdue"] += 1  # fell due this week and was not finished by its end
        late = True
    if late:
        if r.first_apology_at is not None and r.first_apology_at <= cutoff:
            acc["late_with_apology"] += 1
        else:
            acc["late_without_apology"] += 1


def weekly(rows: Iterable[Row], start: datetime, end: datetime) -> dict:
    """Totals and breakdowns for [start, end). Late = finished late this week, or fell due this week and
    still not finished at its end; each late dossier is either with or without apology."""
    s, e = start.timestamp(), end.timestamp()
    total = _empty()
    groups: dict[str, dict[str, dict]] = {"agency": {}, "field": {}, "officer": {}}
    keys: dict[str, Callable[[Row], str]] = {"agency": lambda r: r.agency, "field": lambda r: r.field,
                                             "officer": lambda r: r.officer or "—"}
    for r in rows:
        _count(total, r, s, e)
        for g, key in keys.items():
            _count(groups[g].setdefault(key(r), _empty()), r, s, e)
    for acc in [total, *(a for g in groups.values() for a in g.values())]:
        acc["on_time_rate"] = on_time_rate(acc["on_time"], acc["finished"])
    for g in groups:
        groups[g] = {k: v for k, v in sorted(groups[g].items()) if any(v[x] for x in ("received", "finished",
                                                                                        "open_overdue"))}
    return {"total": total, **{f"by_{g}": v for g, v in groups.items()}}
