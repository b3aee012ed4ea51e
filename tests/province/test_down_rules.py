"""The rules of what the province publishes down (hub.domain.sync_down) and of the kiosk on the days a
calendar names (hub.domain.queue.ticket_hours_refusal): pure functions, no clock."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from hub.domain import queue
from hub.domain import sync_down as down
from motcua_core.errors import DomainError

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_a_calendar_is_checked_and_laid_over_each_site() -> None:
    cal = down.check_calendar({"days_off": ["2027-03-10", "2027-03-10"], "working_days": ["2027-03-13"]})
    assert cal == {"days_off": ["2027-03-10"], "working_days": ["2027-03-13"], "note": ""}
    with pytest.raises(DomainError, match="YYYY-MM-DD|không hợp lệ"):
        down.check_calendar({"days_off": ["10/03/2027"]})
    with pytest.raises(DomainError) as both:
        down.check_calendar({"days_off": ["2027-03-10"], "working_days": ["2027-03-10"]})
    assert "vừa nghỉ vừa làm bù" in both.value.message_vi
    with pytest.raises(DomainError):
        down.check_calendar({"hours": [["07:00", "11:00"]]})  # office hours stay each site's own
    site = {"hours": [["07:00", "11:00"]], "days_off": ["2027-01-02"]}
    merged = down.merged_calendar(site, cal)
    assert merged["days_off"] == ["2027-01-02", "2027-03-10"] and merged["hours"] == site["hours"]
    assert down.merged_calendar(site, None) == site


def test_the_forms_wording_of_a_site_stays_over_the_provinces() -> None:
    prov = {"receipt": {"note": "tỉnh", "title": "tỉnh"}}
    assert down.merged_form_texts({"receipt": {"note": "xã"}}, prov) == {"receipt": {"note": "xã", "title": "tỉnh"}}
    with pytest.raises(DomainError):
        down.check_forms({"form_texts": {"khong-co": {}}})


def test_a_page_applies_only_from_the_mark_held_and_old_commands_are_passed_over() -> None:
    rows = [{"seq": 4, "kind": "calendar", "key": "province", "at": 10.0, "body": {}},
            {"seq": 9, "kind": "command", "key": "c1", "at": 5.0, "body": {"command": "backup"}}]
    msg = down.docs_message("xa", "e1", 3, rows, since=7.0)
    assert down.check_docs(msg, "e1", 3) == rows
    assert down.check_docs(msg, "e1", 4) is None  # a page from before the last one applied
    assert down.check_docs(msg, "e2", 3) is None  # another epoch
    assert down.stale_command(rows[1], msg["since"]) and not down.stale_command(rows[0], msg["since"])
    assert down.retired(["a", "b", "c"], ["b"]) == ["a", "c"]
    with pytest.raises(DomainError):
        down.check_command("format-disk", "xa")
    with pytest.raises(DomainError):
        down.check_site_config({"settings": {"lookup_secret": "x"}}, "xa")


def test_the_kiosk_closes_on_a_day_off_and_opens_on_a_make_up_saturday() -> None:
    hours = queue.TicketHours()  # 07:30–16:30, Monday to Friday
    wed = datetime(2027, 3, 10, 10, 0, tzinfo=VN)
    assert queue.ticket_hours_refusal(hours, wed) is None
    off = queue.ticket_hours_refusal(hours, wed, days_off={date(2027, 3, 10)})
    assert off is not None and off.code == "closed" and "ngày nghỉ" in off.message_vi
    sat = datetime(2027, 3, 13, 9, 0, tzinfo=VN)
    assert queue.ticket_hours_refusal(hours, sat) is not None
    assert queue.ticket_hours_refusal(hours, sat, working_days={date(2027, 3, 13)}) is None
    assert queue.ticket_hours_refusal(hours, sat.replace(hour=17), working_days={date(2027, 3, 13)}) is not None
