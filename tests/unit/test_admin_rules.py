"""Pure rules of this round's administration: a due time in words (working days of the site's calendar,
public holidays included), and what stops a service or a counter from being retired."""

from __future__ import annotations

from datetime import datetime

import pytest

from hub.domain import retirement as rules
from hub.domain.calendar import WorkCalendar
from hub.domain.time_limits import due_in_words

CAL = WorkCalendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CAL.tz)


@pytest.mark.parametrize(("now", "due", "left", "n"), [
    ("2026-11-25T08:00", "2026-11-27T17:00", "còn 2 ngày làm việc", 2),  # Wednesday → Friday
    ("2026-11-27T16:59", "2026-11-27T17:00", "hết hạn trong hôm nay", 0),
    ("2026-11-27T17:30", "2026-11-27T17:00", "quá hạn từ hôm nay", 0),
    ("2026-12-01T09:00", "2026-11-27T17:00", "quá hạn 2 ngày làm việc", -2),  # the weekend does not count
    ("2026-08-28T09:00", "2026-09-03T17:00", "còn 1 ngày làm việc", 1),  # Fri → Thu: 31/8–2/9 are days off
])
def test_a_due_time_in_words(now: str, due: str, left: str, n: int) -> None:
    w = due_in_words(CAL, at(now), at(due))
    assert (w["left_vi"], w["working_days"]) == (left, n)
    assert w["due_vi"].endswith(at(due).strftime("%d/%m/%Y %H:%M"))


def test_the_weekday_is_named() -> None:
    assert due_in_words(CAL, at("2026-11-25T08:00"), at("2026-11-30T17:00"))["due_vi"] == "Thứ Hai, 30/11/2026 17:00"


def test_what_stops_a_retirement() -> None:
    assert "Còn 2 người đang chờ" in rules.service_problem("HT", 2, [(1, ("HT", "CT"))]).message_vi
    assert "Còn 1 lịch hẹn" in rules.service_problem("HT", 0, [(1, ("HT", "CT"))], booked=1).message_vi
    assert "Quầy 1 chỉ phục vụ" in rules.service_problem("HT", 0, [(1, ("HT",)), (2, ("HT", "CT"))]).message_vi
    assert rules.service_problem("HT", 0, [(2, ("HT", "CT"))]) is None
    assert rules.without_service("HT", [{"number": 2, "services": ["HT", "CT"]}]) == [{"number": 2, "services": ["CT"]}]
    assert "đang mở" in rules.counter_problem(4, "open", False).message_vi
    assert "đang phục vụ" in rules.counter_problem(4, "paused", True).message_vi
    assert rules.counter_problem(4, "closed", False) is None
    assert rules.restored_services(("HT", "KD"), {"HT", "CT"}) == ["HT"]
    with pytest.raises(Exception, match="none of its services"):
        rules.restored_services(("KD",), {"HT"})
