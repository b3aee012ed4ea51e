"""Weekly figures every unit reports (004 L86): received, on time, late, late with apology — per agency,
field and officer — and the on-time rate leaders are judged on. Pure: rows in, numbers out.

A late liên thông dossier is counted against the agency that was late (004 L85: the report names
"cơ quan chậm phối hợp"), not the lead agency: `late_agency` finds it from the dossier's events."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hub.domain.dossier import Event
from motcua_core.collation import vi_key, vi_sorted

UNIT_HOLDER = "Bộ phận tiếp nhận và trả kết quả"  # the holder name hub.domain.dossier gives the unit

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
    late_agency: str | None = None  # who made it late (late_agency); None: the lead agency
    code: str = ""


def late_agency(events: Sequence[Event], legal_due_at: float, at: float) -> str:
    """The agency that made a dossier late, judged at `at` (its finish, or the end of the report's week):
    the first liên thông step that overran its own time limit; when no step has one or none overran,
    whoever held the dossier when it fell due (the reception unit included)."""
    first = events[0].data
    steps, step_due = first.get("steps") or [], first.get("step_due") or []
    done: dict[int, float] = {}
    step = -2
    for ev in events:
        if ev.kind == "transferred":
            step = ev.data.get("step", -1)
        elif ev.kind in ("step_done", "rejected") and step >= 0:
            done.setdefault(step, ev.at)
    for i, agency in enumerate(steps):
        due = step_due[i] if i < len(step_due) else None
        if due is not None and done.get(i, at) > due:
            return agency
    holder = UNIT_HOLDER
    for ev in events:
        if ev.at > legal_due_at:
            break
        if ev.kind == "transferred":
            holder = ev.data.get("to") or holder
    return holder


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


def is_late(r: Row, start: float, end: float) -> bool:
    """Counted late this week: finished late in it, or fell due in it and not finished by its end."""
    if r.finished_at is not None and start <= r.finished_at < end:
        return r.finished_at > r.legal_due_at
    return not r.paused and (r.finished_at is None or r.finished_at >= end) and start <= r.legal_due_at < end


def _count(acc: dict, r: Row, start: float, end: float, late_acc: dict | None = None) -> None:
    """Add r to acc; its late figures (and the finishing that made them) go to late_acc when given."""
    if start <= r.received_at < end:
        acc["received"] += 1
    late = False
    cutoff = end
    blamed = acc if late_acc is None else late_acc
    if r.finished_at is not None and start <= r.finished_at < end:
        if r.finished_at <= r.legal_due_at:
            acc["finished"] += 1
            acc["on_time"] += 1
        else:
            blamed["finished"] += 1
            blamed["late"] += 1
            late, cutoff = True, r.finished_at
    elif not r.paused and (r.finished_at is None or r.finished_at >= end) and start <= r.legal_due_at < end:
        blamed["open_overdue"] += 1  # fell due this week and was not finished by its end
        late = True
    if late:
        if r.first_apology_at is not None and r.first_apology_at <= cutoff:
            blamed["late_with_apology"] += 1
        else:
            blamed["late_without_apology"] += 1


def weekly(rows: Iterable[Row], start: datetime, end: datetime) -> dict:
    """Totals and breakdowns for [start, end). Late = finished late this week, or fell due this week and
    still not finished at its end; each late dossier is either with or without apology."""
    s, e = start.timestamp(), end.timestamp()
    total = _empty()
    groups: dict[str, dict[str, dict]] = {"agency": {}, "field": {}, "officer": {}}
    keys: dict[str, Callable[[Row], str]] = {"agency": lambda r: r.agency, "field": lambda r: r.field,
                                             "officer": lambda r: r.officer or "—"}
    late_list = []
    for r in rows:
        _count(total, r, s, e)
        for g, key in keys.items():
            if g == "agency":
                blamed = groups[g].setdefault(r.late_agency or r.agency, _empty())
                _count(groups[g].setdefault(r.agency, _empty()), r, s, e, blamed)
            else:
                _count(groups[g].setdefault(key(r), _empty()), r, s, e)
        if is_late(r, s, e):
            late_list.append({"code": r.code, "lead_agency": r.agency, "late_agency": r.late_agency or r.agency,
                              "apology": r.first_apology_at is not None})
    for acc in [total, *(a for g in groups.values() for a in g.values())]:
        acc["on_time_rate"] = on_time_rate(acc["on_time"], acc["finished"])
    for g in groups:
        groups[g] = {k: v for k, v in vi_sorted(groups[g].items(), key=lambda kv: kv[0]) if any(v[x] for x in ("received", "finished",
                                                                                        "open_overdue"))}
    return {"total": total, **{f"by_{g}": v for g, v in groups.items()},
            "late_dossiers": sorted(late_list, key=lambda x: (vi_key(x["late_agency"]), x["code"]))}


def week_label(monday: date) -> str:
    """'Tuần 49 năm 2026 (từ 30/11/2026 đến 06/12/2026)': how a Vietnamese report names a week."""
    year, week, _ = monday.isocalendar()
    sunday = monday + timedelta(days=6)
    return f"Tuần {week} năm {year} (từ {monday:%d/%m/%Y} đến {sunday:%d/%m/%Y})"


def percent(x: float | None, digits: int = 1) -> str:
    """0.953 → '95,3%': a decimal comma, as Vietnamese writes it."""
    return "—" if x is None else f"{x * 100:.{digits}f}%".replace(".", ",")
