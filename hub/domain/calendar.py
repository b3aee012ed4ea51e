"""The working calendar of a site and how the law counts a time limit on it.

Civil Code 2015, Art. 147–148 (DOMAIN.md, "Counting a time limit"): a period in days does not count the
day the dossier is received; counting starts the next day and the period ends at the end of its last
day (the end of office hours); when counted in working days, days off are skipped. A period in hours
runs through office hours only. A same-day procedure (0 working days) received after its cut-off (the
catalogue's "sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo"; no cut-off unless the procedure
or the site sets one) or after office hours ends at the close of the next working day. The civil-service day is 8 hours (Bộ luật Lao động 2019, Art. 105);
offices may keep summer and winter hours (`seasons`). Pure functions: no clock, no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Ho_Chi_Minh"
DEFAULT_HOURS = (("07:30", "11:30"), ("13:00", "17:00"))  # 8 hours
# No site-wide cut-off for same-day procedures: Decree 118/2025 sets none; a procedure publishes its own
# ("sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo": the catalogue's `same_day_cutoff`). A site
# may still set one for all its procedures (`same_day_cutoff` in its calendar).
DEFAULT_CUTOFF = None


class CalendarConfigError(ValueError):
    """A calendar configuration that cannot be used; the message says which entry."""


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    """Vietnamese public holidays (Tết, Hùng Kings, 30/4, 1/5, 2/9 …) from the maintained `holidays`
    library, which also carries the days the government moves each year where it knows them."""
    import holidays

    return frozenset(holidays.country_holidays("VN", years=year).keys())


@lru_cache(maxsize=64)
def _make_up_days(year: int) -> frozenset[date]:
    """Saturdays worked in exchange for a bridge day off (e.g. Sat 22/8/2026 for Mon 31/8/2026).
    `holidays` lists the day off ("substituted from …") and keeps the worked day in `weekend_workdays`;
    a swap across New Year is recorded under the later year, hence both years."""
    import holidays

    worked = holidays.country_holidays("VN", years=[year, year + 1]).weekend_workdays
    return frozenset(d for d in worked if d.year == year)


def _hm(text: str) -> time:
    try:
        h, m = text.split(":")
        return time(int(h), int(m))
    except (ValueError, AttributeError):
        raise CalendarConfigError(f"giờ làm việc không hợp lệ: {text!r} (cần dạng HH:MM)") from None


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise CalendarConfigError(f"ngày không hợp lệ: {text!r} (cần dạng YYYY-MM-DD)") from None


def _sessions(hours) -> tuple[tuple[time, time], ...]:
    sessions = tuple((_hm(a), _hm(b)) for a, b in hours)
    if not sessions:
        raise CalendarConfigError("giờ làm việc: cần ít nhất một buổi")
    for (a, b), nxt in zip(sessions, [*sessions[1:], None], strict=True):
        if not a < b or (nxt is not None and not b <= nxt[0]):
            raise CalendarConfigError("giờ làm việc phải tăng dần và không chồng lấn")
    return sessions


def _month_day(text: str) -> tuple[int, int]:
    try:
        m, d = (int(x) for x in text.split("-"))
        date(2024, m, d)  # a leap year: 02-29 is a valid bound
        return m, d
    except (ValueError, AttributeError):
        raise CalendarConfigError(f"mùa: ngày {text!r} không hợp lệ (cần dạng MM-DD)") from None


@dataclass(frozen=True)
class Season:
    """Office hours between two days of the year, bounds included (`start` > `end` wraps over New Year)."""

    start: tuple[int, int]
    end: tuple[int, int]
    sessions: tuple[tuple[time, time], ...]

    def covers(self, d: date) -> bool:
        md = (d.month, d.day)
        if self.start <= self.end:
            return self.start <= md <= self.end
        return md >= self.start or md <= self.end


@dataclass(frozen=True)
class WorkCalendar:
    """Office hours, weekends, public holidays and the site's own days off and make-up working days."""

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TZ))
    sessions: tuple[tuple[time, time], ...] = tuple((_hm(a), _hm(b)) for a, b in DEFAULT_HOURS)
    weekend: frozenset[int] = frozenset({5, 6})  # Saturday, Sunday (date.weekday())
    days_off: frozenset[date] = frozenset()  # compensatory days and extra days off announced each year
    working_days: frozenset[date] = frozenset()  # make-up working days (a Saturday worked for a bridge)
    use_public_holidays: bool = True
    same_day_cutoff: time | None = None
    seasons: tuple[Season, ...] = ()  # summer/winter hours; days no season covers keep `sessions`
    # Reception hours on days that are not working days (a commune centre open on Saturday morning):
    # weekday → sessions. Citizens are received then, but such a day never counts toward a time limit.
    reception: tuple[tuple[int, tuple[tuple[time, time], ...]], ...] = ()

    @classmethod
    def from_config(cls, cfg: dict | None, tz: str | None = None) -> WorkCalendar:
        """Build from the documented JSON shape (docs/dossiers.md):
        {"hours": [["07:30","11:30"],["13:00","17:00"]], "weekend": [5,6], "days_off": ["2026-01-02"],
         "working_days": ["2026-01-10"], "public_holidays": true, "same_day_cutoff": "15:00",
         "seasons": [{"from": "04-15", "to": "10-14", "hours": [["07:00","11:30"],["13:30","17:00"]]}],
         "reception": {"5": [["07:30","11:30"]]}}  (reception on Saturday morning, not a working day)"""
        cfg = cfg or {}
        sessions = _sessions(cfg.get("hours") or DEFAULT_HOURS)
        seasons = []
        for i, sn in enumerate(cfg.get("seasons") or [], 1):
            if not isinstance(sn, dict) or not {"from", "to", "hours"} <= set(sn):
                raise CalendarConfigError(f"mùa thứ {i}: cần from, to (MM-DD) và hours")
            seasons.append(Season(_month_day(sn["from"]), _month_day(sn["to"]), _sessions(sn["hours"])))
        weekend = cfg.get("weekend", [5, 6])
        if any(not isinstance(d, int) or not 0 <= d <= 6 for d in weekend):
            raise CalendarConfigError("weekend: các ngày trong tuần từ 0 (thứ Hai) đến 6 (Chủ nhật)")
        reception = []
        rec = cfg.get("reception") or {}
        if not isinstance(rec, dict):
            raise CalendarConfigError("reception: cần dạng {\"5\": [[\"07:30\", \"11:30\"]]} (thứ trong tuần → giờ)")
        for day, hours in sorted(rec.items()):
            if not str(day).isdigit() or not 0 <= int(day) <= 6:
                raise CalendarConfigError(f"reception: ngày trong tuần {day!r} phải từ 0 (thứ Hai) đến 6 (Chủ nhật)")
            reception.append((int(day), _sessions(hours)))
        try:
            zone = ZoneInfo(cfg.get("timezone") or tz or DEFAULT_TZ)
        except Exception:
            raise CalendarConfigError(f"múi giờ không hợp lệ: {cfg.get('timezone') or tz!r}") from None
        return cls(
            tz=zone, sessions=sessions, weekend=frozenset(weekend),
            days_off=frozenset(_day(d) for d in cfg.get("days_off", [])),
            working_days=frozenset(_day(d) for d in cfg.get("working_days", [])),
            use_public_holidays=bool(cfg.get("public_holidays", True)),
            same_day_cutoff=_hm(cfg["same_day_cutoff"]) if cfg.get("same_day_cutoff") else None,
            seasons=tuple(seasons), reception=tuple(reception),
        )

    def sessions_for(self, d: date) -> tuple[tuple[time, time], ...]:
        """The office hours of day d: its season's, else the calendar's."""
        return next((sn.sessions for sn in self.seasons if sn.covers(d)), self.sessions)

    # --- days ---------------------------------------------------------------------------------
    def is_working_day(self, d: date) -> bool:
        if d in self.working_days:
            return True
        if d in self.days_off:
            return False
        if d.weekday() in self.weekend:
            return self.use_public_holidays and d in _make_up_days(d.year)
        return not (self.use_public_holidays and d in _public_holidays(d.year))

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after d."""
        d += timedelta(days=1)
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def receiving_sessions(self, d: date) -> tuple[tuple[time, time], ...]:
        """When citizens are received on day d: its office hours on a working day, else the reception
        hours of its weekday (none on a public holiday or a day off the site announced)."""
        if self.is_working_day(d):
            return self.sessions_for(d)
        if d in self.days_off or (self.use_public_holidays and d in _public_holidays(d.year)):
            return ()
        return next((sess for wd, sess in self.reception if wd == d.weekday()), ())

    def receives_on(self, d: date) -> bool:
        return bool(self.receiving_sessions(d))

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before d."""
        d -= timedelta(days=1)
        while not self.is_working_day(d):
            d -= timedelta(days=1)
        return d

    def working_day_on_or_after(self, d: date) -> date:
        return d if self.is_working_day(d) else self.next_working_day(d)

    def day_start(self, d: date) -> datetime:
        return datetime.combine(d, self.sessions_for(d)[0][0], self.tz)

    def day_end(self, d: date) -> datetime:
        return datetime.combine(d, self.sessions_for(d)[-1][1], self.tz)

    def local(self, at: datetime) -> datetime:
        if at.tzinfo is None:
            return at.replace(tzinfo=self.tz)
        return at.astimezone(self.tz)

    # --- counting -----------------------------------------------------------------------------
    def due_working_days(self, received: datetime, days: int, cutoff: time | None = None) -> datetime:
        """Due time for a period of `days` working days from `received` (Civil Code Art. 147–148).

        The day of receipt is not counted; the period ends at the close of office hours on its last
        working day. Zero days (solved the same day) ends at the close of the day of receipt when it
        is received on a working day before the cut-off (`cutoff`, else the calendar's), otherwise at
        the close of the next working day.
        """
        if days < 0:
            raise ValueError("days must be >= 0")
        local = self.local(received)
        d = local.date()
        if days == 0:
            cut = cutoff or self.same_day_cutoff
            limit = datetime.combine(d, cut, self.tz) if cut else self.day_end(d)
            if self.is_working_day(d) and local < min(limit, self.day_end(d)):
                return self.day_end(d)
            return self.day_end(self.next_working_day(d))
        for _ in range(days):
            d = self.next_working_day(d)
        return self.day_end(d)

    def due_calendar_days(self, received: datetime, days: int) -> datetime:
        """A period in calendar days: first day not counted; a last day that is a day off moves to the
        next working day (Art. 148)."""
        d = self.local(received).date() + timedelta(days=days)
        return self.day_end(self.working_day_on_or_after(d))

    def _sessions_on(self, d: date) -> list[tuple[datetime, datetime]]:
        if not self.is_working_day(d):
            return []
        return [(datetime.combine(d, a, self.tz), datetime.combine(d, b, self.tz)) for a, b in self.sessions_for(d)]

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment `hours` of office time after `start` (for procedures timed in hours)."""
        left = timedelta(hours=hours)
        cur = self.local(start)
        d = cur.date()
        for _ in range(3700):  # ten years of days: a bound, not a limit anyone reaches
            for a, b in self._sessions_on(d):
                if cur >= b:
                    continue
                begin = max(cur, a)
                span = b - begin
                if left <= span:
                    return begin + left
                left -= span
                cur = b
            d += timedelta(days=1)
            cur = max(cur, self.day_start(d))
        raise ValueError("period too long")

    def working_seconds_between(self, start: datetime, end: datetime) -> float:
        """Office time between two moments (negative when end < start): what 'hours left' means."""
        a, b = self.local(start), self.local(end)
        sign = 1.0
        if b < a:
            a, b, sign = b, a, -1.0
        total = 0.0
        d = a.date()
        # Long spans: whole days in the middle counted per day, cheap enough for reports over a year.
        while d <= b.date():
            for s, e in self._sessions_on(d):
                lo, hi = max(s, a), min(e, b)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            d += timedelta(days=1)
        return sign * total

    def working_day_seconds(self) -> float:
        return sum((datetime.combine(date.min, b) - datetime.combine(date.min, a)).total_seconds()
                   for a, b in self.sessions)


def parse_cutoff(text: str | None) -> time | None:
    """A procedure's own same-day cut-off ("HH:MM") from its catalogue entry; None: the site's."""
    return None if not text else _hm(text)


def due_time(cal: WorkCalendar, received: datetime, *, working_days: float | None = None,
             working_hours: float | None = None, cutoff: time | None = None) -> datetime:
    """Due time for a procedure timed in working days (whole days; a fraction is read as hours of a
    working day) or in working hours. `cutoff`: the procedure's same-day cut-off, if it has one."""
    if working_hours is not None:
        return cal.add_working_hours(received, working_hours)
    if working_days is None:
        raise ValueError("give working_days or working_hours")
    whole = int(working_days)
    if working_days == whole:
        return cal.due_working_days(received, whole, cutoff)
    hours = working_days * cal.working_day_seconds() / 3600
    return cal.add_working_hours(received, hours)
