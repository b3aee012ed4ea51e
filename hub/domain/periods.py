"""Report periods: a week, a month, a quarter, a half-year, a year or any range of days, named the way a
Vietnamese report names them. Pure: a period's text in, its first day, the day after its last and its
label out; the shell turns days into moments in the site's time zone (a day is the site's local day).

Written forms (the CLI's `--period`, the HTTP `?period=`): `2026-W49`, `2026-11`, `2026-Q4`, `2026-H2`,
`2026`, and a range `2026-11-03..2026-12-02` (either end also as dd/mm/yyyy)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from hub.domain import index766
from hub.domain import reports as weekly

KINDS = ("week", "month", "quarter", "half", "year", "range")
KIND_VI = {"week": "Tuần", "month": "Tháng", "quarter": "Quý", "half": "6 tháng", "year": "Năm", "range": "Khoảng ngày"}
MAX_RANGE_DAYS = 366 * 2  # a report over more than two years is a mistake, not a report
PROBLEM = ("kỳ báo cáo {0!r} không hợp lệ (tuần 2026-W49, tháng 2026-11, quý 2026-Q4, 6 tháng 2026-H2, năm 2026 "
           "hoặc khoảng ngày 03/11/2026..02/12/2026)")


@dataclass(frozen=True)
class Period:
    kind: str
    first: date  # the first day
    after: date  # the day after the last
    label: str  # "Quý I năm 2027", "Từ ngày 03/11/2026 đến ngày 02/12/2026"
    spec: str  # the period written canonically (2027-Q1, 2026-11-03..2026-12-02)

    @property
    def last(self) -> date:
        return self.after - timedelta(days=1)

    @property
    def span_label(self) -> str:
        """'(từ 01/01/2027 đến 31/03/2027)': the days, for the report's title."""
        return f"(từ {self.first:%d/%m/%Y} đến {self.last:%d/%m/%Y})"

    @property
    def file_part(self) -> str:
        """The period in a file name: 2027-Q1, 2026-11-03_2026-12-02."""
        return self.spec.replace("..", "_")


def parse_day(text: str) -> date:
    """'2026-11-03' or '03/11/2026' (how an officer writes a date) → a date; ValueError otherwise."""
    t = str(text or "").strip()
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", t):
        return date(int(m[3]), int(m[2]), int(m[1]))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
        return date.fromisoformat(t)
    raise ValueError(f"ngày {text!r} không hợp lệ (cần dạng dd/mm/yyyy)")


def day_range(first: date, last: date) -> Period:
    """From `first` to `last`, both included."""
    if last < first:
        raise ValueError("ngày kết thúc phải sau hoặc bằng ngày bắt đầu")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise ValueError("khoảng ngày quá dài (tối đa hai năm)")
    return Period("range", first, last + timedelta(days=1),
                  f"Từ ngày {first:%d/%m/%Y} đến ngày {last:%d/%m/%Y}", f"{first.isoformat()}..{last.isoformat()}")


def parse(spec: str) -> Period:
    """A period from its written form (see the module's docstring); ValueError with a Vietnamese message."""
    text = str(spec or "").strip().upper()
    if ".." in text:
        a, _, b = text.partition("..")
        try:
            return day_range(parse_day(a), parse_day(b))
        except ValueError as exc:
            if "khoảng" in str(exc) or "kết thúc" in str(exc):
                raise
            raise ValueError(PROBLEM.format(spec)) from None
    if re.fullmatch(r"\d{4}-W\d{1,2}", text):
        try:
            monday, after = weekly.week_bounds(text)
        except ValueError:
            raise ValueError(PROBLEM.format(spec)) from None
        y, w, _ = monday.isocalendar()
        return Period("week", monday, after, f"Tuần {w} năm {y}", f"{y}-W{w:02d}")
    if m := re.fullmatch(r"(\d{4})-H([12])", text):
        y, h = int(m[1]), int(m[2])
        first, after = (date(y, 1, 1), date(y, 7, 1)) if h == 1 else (date(y, 7, 1), date(y + 1, 1, 1))
        return Period("half", first, after, f"6 tháng {'đầu' if h == 1 else 'cuối'} năm {y}", f"{y}-H{h}")
    try:
        first, after, label = index766.period_bounds(text)
    except ValueError:
        raise ValueError(PROBLEM.format(spec)) from None
    kind = "quarter" if "Q" in text else "month" if "-" in text else "year"
    return Period(kind, first, after, label, text)


def containing(kind: str, day: date) -> Period:
    """The period of `kind` that holds `day` (the console's default: this week, this month …)."""
    if kind == "week":
        y, w, _ = day.isocalendar()
        return parse(f"{y}-W{w:02d}")
    if kind == "month":
        return parse(f"{day:%Y-%m}")
    if kind == "quarter":
        return parse(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    if kind == "half":
        return parse(f"{day.year}-H{1 if day.month <= 6 else 2}")
    if kind == "year":
        return parse(str(day.year))
    raise ValueError(f"loại kỳ {kind!r} không hợp lệ")


def has_index766(p: Period) -> bool:
    """The Decision 766 figures go with quarterly and yearly reports (the portal grades those periods)."""
    return p.kind in ("quarter", "year")
