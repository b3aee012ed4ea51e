"""Counting a time limit the way the law does (Civil Code Art. 147–148) on the working calendar."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from hub.domain.calendar import CalendarConfigError, WorkCalendar, due_time, parse_cutoff

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar()


def at(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=VN)


def test_first_day_not_counted_and_period_ends_at_close_of_last_day() -> None:
    # Monday 9:00 + 3 working days → Thursday 17:00 (Tuesday is day 1).
    assert CAL.due_working_days(at("2026-03-02T09:00"), 3) == at("2026-03-05T17:00")
    # Received at 16:59 or at 7:31 makes no difference: the day of receipt never counts.
    assert CAL.due_working_days(at("2026-03-02T16:59"), 1) == at("2026-03-03T17:00")


def test_weekend_is_skipped() -> None:
    # Friday + 1 working day → Monday.
    assert CAL.due_working_days(at("2026-03-06T10:00"), 1) == at("2026-03-09T17:00")
    # Received on Saturday: counting starts on the next working day.
    assert CAL.due_working_days(at("2026-03-07T10:00"), 2) == at("2026-03-10T17:00")


def test_tet_2026_is_skipped() -> None:
    # Tết Bính Ngọ: 16–20 Feb 2026 off. Friday 13 Feb + 3 working days → Wed 25 Feb (the example).
    assert CAL.due_working_days(at("2026-02-13T09:00"), 3) == at("2026-02-25T17:00")
    for d in range(16, 21):
        assert not CAL.is_working_day(date(2026, 2, d)), f"{d}/2 should be a Tết day off"


def test_reunification_and_labour_day() -> None:
    # 30/4 (Thu) and 1/5 (Fri) 2026 off: Wednesday 29/4 + 1 working day → Monday 4/5.
    assert CAL.due_working_days(at("2026-04-29T09:00"), 1) == at("2026-05-04T17:00")
    # Hùng Kings' day (10/3 lunar) 2026 falls on Sunday 26/4 and is observed on Monday 27/4.
    assert not CAL.is_working_day(date(2026, 4, 27))


def test_same_day_procedure() -> None:
    assert CAL.due_working_days(at("2026-03-04T10:00"), 0) == at("2026-03-04T17:00")
    assert CAL.due_working_days(at("2026-03-04T14:59"), 0) == at("2026-03-04T17:00")
    # No site-wide cut-off (Decree 118/2025 sets none): received at 16:30, due the same day's close ...
    assert CAL.due_working_days(at("2026-03-04T16:30"), 0) == at("2026-03-04T17:00")
    # ... unless the procedure publishes one ("sau 15 giờ thì trả trong ngày làm việc tiếp theo").
    assert CAL.due_working_days(at("2026-03-04T15:00"), 0, time(15, 0)) == at("2026-03-05T17:00")
    assert CAL.due_working_days(at("2026-03-06T16:30"), 0, time(15, 0)) == at("2026-03-09T17:00")  # Fri → Mon
    # After hours or on a day off → the next working day's close.
    assert CAL.due_working_days(at("2026-03-04T17:30"), 0) == at("2026-03-05T17:00")
    assert CAL.due_working_days(at("2026-03-07T10:00"), 0) == at("2026-03-09T17:00")


def test_calendar_days_period_ending_on_a_day_off_moves_to_next_working_day() -> None:
    # 10 calendar days from Wed 21/1/2026 ends Sat 31/1 → Monday 2/2.
    assert CAL.due_calendar_days(at("2026-01-21T09:00"), 10) == at("2026-02-02T17:00")


def test_working_hours_run_through_office_hours_only() -> None:
    # 4 hours from Friday 16:00: 1 h on Friday, then Monday 07:30 + 3 h = 10:30.
    assert CAL.add_working_hours(at("2026-03-06T16:00"), 4) == at("2026-03-09T10:30")
    # Across the lunch break (11:30–13:00): 11:00 + 1 h → 13:30.
    assert CAL.add_working_hours(at("2026-03-04T11:00"), 1) == at("2026-03-04T13:30")
    assert due_time(CAL, at("2026-03-04T11:00"), working_hours=1) == at("2026-03-04T13:30")
    # A half day is read as half of the 8 office hours of the civil-service day.
    assert due_time(CAL, at("2026-03-04T07:30"), working_days=0.5) == at("2026-03-04T11:30")


def test_working_seconds_between() -> None:
    assert CAL.working_seconds_between(at("2026-03-04T11:00"), at("2026-03-04T13:30")) == 3600
    assert CAL.working_seconds_between(at("2026-03-06T16:00"), at("2026-03-09T10:30")) == 4 * 3600
    assert CAL.working_seconds_between(at("2026-03-09T10:30"), at("2026-03-06T16:00")) == -4 * 3600


def test_site_days_off_and_make_up_days() -> None:
    cal = WorkCalendar.from_config({"days_off": ["2026-01-02"], "working_days": ["2026-01-10"],
                                    "hours": [["08:00", "12:00"], ["13:00", "17:30"]]})
    assert not cal.is_working_day(date(2026, 1, 2))  # compensatory day off (Friday after New Year)
    assert cal.is_working_day(date(2026, 1, 10))  # the Saturday worked in exchange
    assert cal.due_working_days(at("2025-12-31T09:00"), 2) == at("2026-01-06T17:30")


@pytest.mark.parametrize("cfg, words", [
    ({"hours": [["7h30", "11:30"]]}, "giờ làm việc"),
    ({"hours": [["13:30", "11:30"]]}, "tăng dần"),
    ({"days_off": ["30/4/2026"]}, "ngày không hợp lệ"),
    ({"weekend": [7]}, "weekend"),
    ({"timezone": "Mars/Olympus"}, "múi giờ"),
])
def test_bad_configuration_is_refused_in_vietnamese(cfg: dict, words: str) -> None:
    with pytest.raises(CalendarConfigError, match=words):
        WorkCalendar.from_config(cfg)


def test_same_day_cutoff_per_site_and_per_procedure() -> None:
    site = WorkCalendar.from_config({"same_day_cutoff": "16:00"})
    assert site.due_working_days(at("2026-03-04T15:30"), 0) == at("2026-03-04T17:00")
    assert site.due_working_days(at("2026-03-04T16:00"), 0) == at("2026-03-05T17:00")
    # A procedure with its own cut-off (11:00) wins over the site's.
    assert due_time(site, at("2026-03-04T11:30"), working_days=0, cutoff=parse_cutoff("11:00")) == \
        at("2026-03-05T17:00")
    # Periods of one day or more are not touched by the cut-off.
    assert CAL.due_working_days(at("2026-03-04T16:30"), 1) == at("2026-03-05T17:00")
    with pytest.raises(CalendarConfigError):
        WorkCalendar.from_config({"same_day_cutoff": "3pm"})


def test_make_up_saturday_from_the_national_calendar_is_a_working_day() -> None:
    # 2026: Monday 31/8 off (bridge to 2/9), worked on Saturday 22/8 instead.
    assert not CAL.is_working_day(date(2026, 8, 31))
    assert CAL.is_working_day(date(2026, 8, 22))
    # Friday 21/8 + 1 working day → the make-up Saturday 22/8.
    assert CAL.due_working_days(at("2026-08-21T09:00"), 1) == at("2026-08-22T17:00")
    # 2025: Friday 2/5 off, worked on Saturday 26/4.
    assert CAL.is_working_day(date(2025, 4, 26)) and not CAL.is_working_day(date(2025, 5, 2))
    # A site that keeps its own calendar only (no national holidays) does not get them.
    assert not WorkCalendar(use_public_holidays=False).is_working_day(date(2026, 8, 22))


def test_default_day_is_eight_hours_and_seasonal_hours_apply() -> None:
    assert CAL.working_day_seconds() == 8 * 3600
    cal = WorkCalendar.from_config({"seasons": [
        {"from": "04-15", "to": "10-14", "hours": [["07:00", "11:30"], ["13:30", "17:00"]]},
        {"from": "10-15", "to": "04-14", "hours": [["07:30", "12:00"], ["13:00", "16:30"]]}]})
    assert cal.working_seconds_between(at("2026-06-03T00:00"), at("2026-06-03T23:59")) == 8 * 3600
    assert cal.day_start(date(2026, 6, 3)) == at("2026-06-03T07:00")
    # Winter: the office closes at 16:30, so a period ends then.
    assert cal.due_working_days(at("2026-12-01T09:00"), 1) == at("2026-12-02T16:30")
    assert cal.due_working_days(at("2026-01-05T09:00"), 1) == at("2026-01-06T16:30")  # wraps over New Year
    with pytest.raises(CalendarConfigError, match="MM-DD"):
        WorkCalendar.from_config({"seasons": [{"from": "15/4", "to": "10-14", "hours": [["07:00", "11:30"]]}]})
