"""The fleet's alert rules (hub.domain.fleet): pure, with the clock passed in."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hub.domain.fleet import alerts, version_key

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=TZ).timestamp()
SUNDAY_9 = datetime(2026, 11, 29, 9, 0, tzinfo=TZ).timestamp()
MONDAY_20 = datetime(2026, 11, 30, 20, 0, tzinfo=TZ).timestamp()


def _alerts(now: float, **kw) -> list[str]:
    base = {"status": "online", "status_since": now - 3600, "last_seen": now - 10, "health": {}, "version": "0.2.0",
            "released": "0.2.0", "pending": False, "revoked": False}
    return alerts(**{**base, **kw}, now=now, tz=TZ)


def test_offline_counts_only_in_office_hours_and_after_ten_minutes() -> None:
    assert _alerts(MONDAY_9, status="offline", status_since=MONDAY_9 - 601) == ["offline"]
    assert _alerts(MONDAY_9, status="offline", status_since=MONDAY_9 - 300) == []  # a reboot, not an outage
    assert _alerts(SUNDAY_9, status="offline", status_since=SUNDAY_9 - 7200) == []
    assert _alerts(MONDAY_20, status="offline", status_since=MONDAY_20 - 7200) == []
    assert _alerts(MONDAY_9, status="never", status_since=None, last_seen=None) == ["offline"]
    assert _alerts(MONDAY_9, status="never", status_since=None, last_seen=None, pending=True) == []


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
