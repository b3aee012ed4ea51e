"""Administration through the console API over the real hub: an officer added with a PIN signs in at a
real counter, a reset PIN replaces the old one, the satisfaction question changes, every refusal is in
Vietnamese, and only administrators may."""

from __future__ import annotations

import pytest

from counter_terminal.core import CounterCore
from kiosk.core import KioskCore
from motcua_core.errors import RequestError
from tests.support.hubproc import InProcessHub
from tests.web.conftest import Client


def test_officer_added_signs_in_at_a_counter_and_pin_reset(console: InProcessHub, client: Client) -> None:
    client.sign_in("quantri")
    path = "/api/v1/sites/demo/officers"
    status, body = client.call("POST", path, {"id": "Ngô Văn X", "name": "Ngô Văn Xuân"})
    assert status == 400 and "Mã cán bộ" in body["error"]["message_vi"]
    status, body = client.call("POST", path, {"id": "ngo-van-xuan", "name": "Ngô Văn Xuân", "pin": "12ab"})
    assert status == 400 and "PIN" in body["error"]["message_vi"]
    status, body = client.call("POST", path, {"id": "ngo-van-xuan", "name": "Ngô Văn Xuân", "username": "xuan9",
                                              "pin": "918273"})
    assert status == 200 and body["pin"] == "đã đặt lại"
    counter = CounterCore(console.device("counter", counter=3))
    assert counter.login("xuan9", "918273")["officer"]["name"] == "Ngô Văn Xuân"
    counter.logout()
    assert client.call("POST", path, {"id": "ngo-van-xuan", "name": "Ngô Văn Xuân", "pin": "564738"})[0] == 200
    with pytest.raises(RequestError):
        counter.login("xuan9", "918273")
    assert counter.login("xuan9", "564738")["officer"]["id"] == "ngo-van-xuan"
    status, body = client.call("GET", "/api/v1/sites/demo/audit?action=officer")
    rows = body["entries"]
    assert [r["action"] for r in rows] == ["officer.change", "officer.add"]
    assert "918273" not in str(rows) and "564738" not in str(rows)  # a PIN is never logged


def test_a_deactivated_officer_is_signed_out_and_cannot_sign_in(console: InProcessHub, client: Client) -> None:
    """An officer who leaves: deactivated in the console, signed out of their counter at once (their next
    action is refused), refused at sign-in, and back when reactivated; the audit log says who did it."""
    client.sign_in("quantri")
    path = "/api/v1/sites/demo/officers"
    counter = CounterCore(console.device("counter", counter=2))
    counter.login("hung2", "2222")
    counter.open()
    assert client.call("POST", path, {"id": "tran-van-hung", "name": "Trần Văn Hùng", "active": "no"})[0] == 400
    status, body = client.call("POST", path, {"id": "tran-van-hung", "name": "Trần Văn Hùng", "active": False})
    assert status == 200 and body["active"] is False
    with pytest.raises(RequestError) as out:
        counter.next()
    assert out.value.code == "signin_required"
    assert counter.state()["counter"]["officer"] is None and counter.state()["counter"]["status"] == "closed"
    with pytest.raises(RequestError) as refused:
        counter.login("hung2", "2222")
    assert refused.value.code == "auth_failed"  # the same answer as a wrong PIN: nothing to probe
    assert client.call("POST", path, {"id": "tran-van-hung", "name": "Trần Văn Hùng", "active": True})[0] == 200
    assert counter.login("hung2", "2222")["officer"]["id"] == "tran-van-hung"
    rows = client.call("GET", "/api/v1/sites/demo/audit?action=officer")[1]["entries"]
    assert rows[1]["action"] == "officer.change" and rows[1]["after"]["active"] is False


def test_vote_question_and_who_may(console: InProcessHub, client: Client) -> None:
    leader = Client(client.base)
    leader.sign_in("lanhdao")
    q = {"text_vi": "Ông/bà đánh giá thế nào về thái độ phục vụ?", "text_en": "How was the officer's attitude?"}
    assert leader.call("POST", "/api/v1/sites/demo/vote-question", q)[0] == 403
    assert leader.call("POST", "/api/v1/sites/demo/services", {"code": "ZZ", "name": "z", "field": "tu-phap"})[0] == 403
    client.sign_in("quantri")
    status, body = client.call("POST", "/api/v1/sites/demo/vote-question", {"text_vi": ""})
    assert status == 400 and body["error"]["message_vi"] == "Thiếu trường bắt buộc: text_vi."
    assert client.call("POST", "/api/v1/sites/demo/vote-question", q)[0] == 200
    status, cfg = client.call("GET", "/api/v1/sites/demo/config")
    assert cfg["vote_question"] == q


def test_calendar_days_off_move_a_due_time(console: InProcessHub, client: Client) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from hub.ops.dossiers import calendar_for

    client.sign_in("quantri")
    status, body = client.call("POST", "/api/v1/sites/demo/calendar", {"days_off": "2026-12-40"})
    assert status == 400 and body["error"]["message_vi"].startswith("Lịch làm việc không hợp lệ: ngày không hợp lệ")
    status, body = client.call("POST", "/api/v1/sites/demo/calendar", {"hours": "17:00-07:30"})
    assert status == 400 and "tăng dần" in body["error"]["message_vi"]
    # Thursday 3 Dec 2026 becomes a day off; Saturday 5 Dec a make-up working day.
    status, body = client.call("POST", "/api/v1/sites/demo/calendar",
                               {"days_off": "2026-12-03", "working_days": "2026-12-05", "hotline": "0203 3856 000"})
    assert status == 200
    cal = calendar_for(console.hub.db, "demo")
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    assert not cal.is_working_day(datetime(2026, 12, 3, tzinfo=tz).date())
    assert cal.is_working_day(datetime(2026, 12, 5, tzinfo=tz).date())
    status, cfg = client.call("GET", "/api/v1/sites/demo/config")
    assert cfg["calendar"]["days_off"] == ["2026-12-03"] and cfg["hotline"] == "0203 3856 000"


def test_technician_registers_a_device_that_then_connects(console: InProcessHub, client: Client) -> None:
    import time

    from devicekit.session import DeviceSession
    from motcua_core.device_config import DeviceConfig

    client.sign_in("kythuat")
    status, body = client.call("POST", "/api/v1/sites/demo/devices", {"role": "kiosk", "name": "Sảnh chính"})
    assert status == 200 and body["role"] == "kiosk" and body["secret"]
    cfg = DeviceConfig.from_dict({**body, "data_dir": str(console.data / "dev-state"), "request_timeout_s": 2.0})
    session = DeviceSession(cfg)
    console.sessions.append(session)
    deadline = time.monotonic() + 15
    session.start()
    assert session.wait_connected(max(1.0, deadline - time.monotonic())), "the registered kiosk never connected"
    status, listed = client.call("GET", "/api/v1/sites/demo/devices")
    assert body["device_id"] in {d["id"] for d in listed["devices"]}
    status, audit = Client(client.base).call("GET", "/api/v1/sites/demo/audit")  # anonymous: refused
    assert status == 401
    leader = Client(client.base)
    leader.sign_in("lanhdao")
    rows = leader.call("GET", "/api/v1/sites/demo/audit?action=device.add")[1]["entries"]
    assert rows[0]["who"] == "kythuat" and body["secret"] not in str(rows)
    assert client.call("POST", f"/api/v1/sites/demo/devices/{body['device_id']}/revoke", {})[0] == 200


def test_service_time_set_by_the_administrator_sets_the_booking_seats(console: InProcessHub, client: Client) -> None:
    """A 30-minute slot offered "còn 27 chỗ" from a few quick Nexts; the seats now come from the service
    time the administrator sets (and a quick Next no longer changes them)."""
    client.sign_in("quantri")
    path = "/api/v1/sites/demo/appointments/slots?service=HT"
    before = client.call("GET", path)[1]["seats_per_slot"]
    kiosk = KioskCore(console.device("kiosk"))
    c1 = CounterCore(console.device("counter", counter=1))
    c1.login("lan1", "1111")
    for _ in range(3):  # three citizens "served" in no time: Next pressed twice in a row
        kiosk.issue_ticket("HT")
        c1.next()
    c1.next()
    assert client.call("GET", path)[1]["seats_per_slot"] == before, "quick Nexts changed the seats"
    body = {"code": "HT", "name": "Hộ tịch", "field": "tu-phap", "service_min": 15}
    status, saved = client.call("POST", "/api/v1/sites/demo/services", {**body, "service_min": 0})
    assert status == 400 and "Thời gian phục vụ" in saved["error"]["message_vi"]
    status, saved = client.call("POST", "/api/v1/sites/demo/services", body)
    assert status == 200 and saved["avg_service_s"] == 900
    after = client.call("GET", path)[1]["seats_per_slot"]
    assert 0 < after < before  # 15 minutes a citizen instead of 6: fewer seats
