"""Appointment rules (hub.domain.appointments): slots from the working calendar, seats, arrival and
who a counter calls. Pure functions: fixed dates, no clock."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from hub.domain import appointments as rules
from hub.domain.calendar import WorkCalendar

CAL = WorkCalendar.from_config({"days_off": ["2026-12-04"]})
POLICY = rules.BookingPolicy()


def test_slots_are_cut_from_office_hours_and_days_off_have_none() -> None:
    slots = rules.day_slots(CAL, date(2026, 12, 3), 30)
    assert [a.strftime("%H:%M") for a, _ in slots][:3] == ["07:30", "08:00", "08:30"]
    assert len(slots) == 8 + 8  # the 8-hour civil-service day: 07:30–11:30 and 13:00–17:00
    assert "12:00" not in {a.strftime("%H:%M") for a, _ in slots}
    assert rules.day_slots(CAL, date(2026, 12, 4), 30) == []  # the site's own day off
    assert rules.day_slots(CAL, date(2026, 12, 5), 30) == []  # Saturday
    days = rules.bookable_days(CAL, date(2026, 12, 3), 7)
    assert date(2026, 12, 4) not in days and date(2026, 12, 5) not in days and days[0] == date(2026, 12, 3)


def test_seats_come_from_counters_service_time_and_the_walkin_share() -> None:
    share = rules.counter_share([("HT",), ("HT", "CT"), ("CT",)], "HT")
    assert share == 1.5
    # 1.5 counters × 30 min / 6 min = 7.5 citizens, half kept for walk-ins → 3 seats.
    assert rules.seats_per_slot(share=share, avg_service_s=360, slot_min=30, walkin_share=0.5) == 3
    assert rules.seats_per_slot(share=share, avg_service_s=360, slot_min=30, walkin_share=0.5, override=9) == 9
    assert rules.seats_per_slot(share=0, avg_service_s=360, slot_min=30, walkin_share=0.5) == 0
    # Citizens "served" in two seconds (Next pressed twice) count as a minute each, not as 1,000 seats.
    assert rules.seats_per_slot(share=1, avg_service_s=2, slot_min=30, walkin_share=0.5) == 15


def test_arrival_early_due_late_and_the_release_of_a_no_show() -> None:
    start = datetime(2026, 12, 3, 9, 0, tzinfo=CAL.tz).timestamp()
    assert rules.arrival(start, start - 3 * 3600, POLICY) == rules.TOO_EARLY
    assert rules.arrival(start, start - 600, POLICY) == rules.EARLY
    assert rules.arrival(start, start + 14 * 60, POLICY) == rules.DUE
    assert rules.arrival(start, start + 16 * 60, POLICY) == rules.LATE
    assert not rules.released(rules.BOOKED, start, start + 14 * 60, POLICY)
    assert rules.released(rules.BOOKED, start, start + 16 * 60, POLICY)
    assert not rules.released(rules.CHECKED_IN, start, start + 3600, POLICY)


def test_strict_calls_due_appointments_first_interleave_one_after_every_n_walkins() -> None:
    strict = rules.BookingPolicy(mode="strict")
    assert rules.prefer_appointment(due=True, walkin_waiting=True, policy=strict, walkins_since_appointment=0)
    assert not rules.prefer_appointment(due=False, walkin_waiting=True, policy=strict, walkins_since_appointment=9)
    mixed = rules.BookingPolicy(mode="interleave", every=2)
    assert rules.prefer_appointment(due=True, walkin_waiting=True, policy=mixed, walkins_since_appointment=None)
    assert not rules.prefer_appointment(due=True, walkin_waiting=True, policy=mixed, walkins_since_appointment=1)
    assert rules.prefer_appointment(due=True, walkin_waiting=True, policy=mixed, walkins_since_appointment=2)
    assert rules.prefer_appointment(due=True, walkin_waiting=False, policy=mixed, walkins_since_appointment=0)


def test_codes_contacts_and_settings_are_checked() -> None:
    code = rules.new_code()
    assert rules.normalise_code(code.lower()) == code
    assert rules.normalise_code("mch:" + rules.show_code(code)) == code
    assert rules.normalise_code("HK0-M2Q") == ""  # 0 is not in the alphabet
    assert rules.contact("  Lê  Thị Hoa ", "091 234 5678") == ("Lê Thị Hoa", "0912345678", "")
    assert rules.contact("Lê Thị Hoa", "+84912345678")[1] == "0912345678"
    with pytest.raises(Exception, match="phone"):
        rules.contact("Lê Thị Hoa", "12345")
    with pytest.raises(ValueError, match="unknown appointment setting"):
        rules.BookingPolicy.from_config({"slots": 3})
    with pytest.raises(ValueError, match="walkin_share"):
        rules.BookingPolicy.from_config({"walkin_share": 1.0})
