"""The fleet's alert rules (hub.domain.fleet): pure, with the clock and the site's calendar passed in."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hub.domain.calendar import WorkCalendar
from hub.domain.fleet import alerts, version_key

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NATIONAL = WorkCalendar()  # 07:30–11:30, 13:00–17:00, Mon–Fri, Vietnamese public holidays
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=TZ).timestamp()
SUNDAY_9 = datetime(2026, 11, 29, 9, 0, tzinfo=TZ).timestamp()
MONDAY_20 = datetime(2026, 11, 30, 20, 0, tzinfo=TZ).timestamp()


def _alerts(now: float, cal: WorkCalendar = NATIONAL, **kw) -> list[str]:
    base = {"status": "online", "status_since": now - 3600, "last_seen": now - 10, "health": {}, "version": "0.2.0",
            "released": "0.2.0", "pending": False, "revoked": False}
    return alerts(**{**base, **kw}, now=now, cal=cal)


def _offline(at: datetime, cal: WorkCalendar = NATIONAL) -> bool:
    """Whether a device offline for two hours before `at` is alerted."""
    now = at.timestamp()
    return _alerts(now, cal, status="offline", status_since=now - 7200) == ["offline"]


def _vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_offline_counts_only_in_office_hours_and_after_ten_minutes() -> None:
    assert _alerts(MONDAY_9, status="offline", status_since=MONDAY_9 - 601) == ["offline"]
    assert _alerts(MONDAY_9, status="offline", status_since=MONDAY_9 - 300) == []  # a reboot, not an outage
    assert _alerts(SUNDAY_9, status="offline", status_since=SUNDAY_9 - 7200) == []
    assert _alerts(MONDAY_20, status="offline", status_since=MONDAY_20 - 7200) == []
    assert _alerts(MONDAY_9, status="never", status_since=None, last_seen=None) == ["offline"]
    assert _alerts(MONDAY_9, status="never", status_since=None, last_seen=None, pending=True) == []


def test_no_offline_alert_on_a_public_holiday_or_a_sunday() -> None:
    assert _offline(_vn(2026, 9, 3, 9, 0))  # Thursday: an ordinary working day
    assert not _offline(_vn(2026, 9, 2, 9, 0))  # Wednesday, National Day
    assert not _offline(_vn(2026, 2, 18, 9, 0))  # Wednesday, Tết
    assert not _offline(_vn(2026, 8, 31, 9, 0))  # Monday, the bridge day off (worked on Sat 22/8)
    assert not _offline(_vn(2026, 8, 23, 9, 0))  # Sunday
    site_day_off = WorkCalendar.from_config({"days_off": ["2026-09-03"]})
    assert not _offline(_vn(2026, 9, 3, 9, 0), site_day_off)  # a compensatory day the site announced


def test_offline_alert_on_a_make_up_working_saturday() -> None:
    assert _offline(_vn(2026, 8, 22, 9, 0))  # Saturday worked for Mon 31/8 (from `holidays`)
    assert not _offline(_vn(2026, 8, 29, 9, 0))  # an ordinary Saturday
    site = WorkCalendar.from_config({"working_days": ["2026-08-29"]})  # a make-up day the site configured
    assert _offline(_vn(2026, 8, 29, 9, 0), site)
    assert not _offline(_vn(2026, 8, 29, 17, 0), site)  # its hours are those of any working day


def test_offline_alert_follows_the_days_hours() -> None:
    assert not _offline(_vn(2026, 11, 30, 7, 29))
    assert _offline(_vn(2026, 11, 30, 7, 30))
    assert _offline(_vn(2026, 11, 30, 12, 0))  # the lunch break: the device is needed at 13:00
    assert _offline(_vn(2026, 11, 30, 16, 59))
    assert not _offline(_vn(2026, 11, 30, 17, 0))
    late = WorkCalendar.from_config({"hours": [["08:00", "12:00"], ["13:30", "17:30"]]})
    assert not _offline(_vn(2026, 11, 30, 7, 45), late) and _offline(_vn(2026, 11, 30, 17, 15), late)


def test_offline_alert_follows_seasonal_hours() -> None:
    seasons = WorkCalendar.from_config({"seasons": [
        {"from": "04-15", "to": "10-14", "hours": [["07:00", "11:30"], ["13:30", "17:00"]]},  # summer
        {"from": "10-15", "to": "04-14", "hours": [["07:30", "11:30"], ["13:00", "16:30"]]}]})  # winter
    assert _offline(_vn(2026, 6, 10, 7, 10), seasons) and not _offline(_vn(2026, 12, 9, 7, 10), seasons)
    assert _offline(_vn(2026, 6, 10, 16, 45), seasons) and not _offline(_vn(2026, 12, 9, 16, 45), seasons)


def test_offline_alert_in_the_sites_time_zone() -> None:
    monday_08_vn = datetime(2026, 11, 30, 1, 0, tzinfo=ZoneInfo("UTC"))
    assert _offline(monday_08_vn, WorkCalendar.from_config({}, "Asia/Ho_Chi_Minh"))
    assert not _offline(monday_08_vn, WorkCalendar.from_config({}, "UTC"))  # 01:00 there
    assert not _offline(monday_08_vn, WorkCalendar.from_config({"timezone": "UTC"}, "Asia/Ho_Chi_Minh"))
    friday_17_vn = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("UTC"))
    assert not _offline(friday_17_vn) and _offline(friday_17_vn, WorkCalendar.from_config({}, "UTC"))


def test_paper_disk_and_version() -> None:
    assert _alerts(MONDAY_9, health={"printer": {"state": "paper_out"}}) == ["paper_out"]
    assert _alerts(MONDAY_9, health={"printer": {"state": "paper_low"}, "disk_used_pct": 93.5}) == [
        "paper_low", "disk_full"]
    assert _alerts(MONDAY_9, health={"disk_used_pct": 90.0}) == []
    assert _alerts(MONDAY_9, version="0.1.9", released="0.2.0") == ["version_behind"]
    assert _alerts(MONDAY_9, version="0.10.0", released="0.9.1") == []
    assert _alerts(MONDAY_9, version="0.2.0", released=None) == []


def test_version_order() -> None:
    assert version_key("0.10.1") > version_key("0.9") > version_key("0.9rc1")
    assert version_key("1.0") == version_key("1.0.0") and version_key("") < version_key("0.0.1")
