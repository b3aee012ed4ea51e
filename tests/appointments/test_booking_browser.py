"""Issue #12 end to end: a citizen books on the phone page in a real Chromium and gets a code and QR;
next day (the hub's clock moved) the kiosk checks them in by the booking QR read off the page and a
second citizen by the CCCD card's QR; the counter calls them ahead of walk-ins; a no-show is released
and counted. Real hub, real Mosquitto, real SQLite, real browser; screenshots in test-artifacts/web/."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import date, datetime
from zoneinfo import ZoneInfo

import cv2
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from counter_terminal.core import CounterCore
from devicekit.drivers.camera import decode_qr
from hub.app import open_data_dir
from hub.ops import appointments as appt_ops
from hub.ops.run import Runner
from hub.store import tokens
from kiosk.core import KioskCore
from motcua_core.errors import RequestError
from tests.support.browser import PHONE, Browser
from tests.support.hubproc import InProcessHub

pytestmark = [pytest.mark.integration, pytest.mark.clock, pytest.mark.slow]  # a browser: not in make test-days

CCCD = "001090012345"
CCCD_QR = f"{CCCD}|123456789|Trần Văn Bình|15031990|Nam|Số 5 đường Lê Lợi, Hòa An|01072021"


def _http(hub: InProcessHub, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    req = urllib.request.Request(f"http://127.0.0.1:{hub.http_port}{path}", method="POST" if body else "GET",
                                 data=json.dumps(body).encode() if body else None,
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _at(day: str, hm: str) -> float:
    return datetime.fromisoformat(f"{day}T{hm}:00+07:00").timestamp()


def _book_on_the_phone(hub: InProcessHub) -> tuple[str, str, str]:
    """Book Hộ tịch at 09:00 on the first working day after today. Returns (day, code, QR text)."""
    base = f"http://127.0.0.1:{hub.http_port}"
    with Browser(PHONE, implicit_wait=5, page_load_timeout=30) as browser:
        b = browser.driver
        b.get(f"{base}/hen/demo")
        Select(b.find_element(By.ID, "service")).select_by_visible_text("Hộ tịch")
        browser.submit_and_wait("#next")
        today = datetime.fromtimestamp(hub.clock(), ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
        days = [o.get_attribute("value") for o in Select(b.find_element(By.ID, "day")).options]
        day = next(d for d in days if d and d > today)
        Select(b.find_element(By.ID, "day")).select_by_value(day)
        Select(b.find_element(By.ID, "procedure")).select_by_visible_text("Đăng ký khai sinh")
        browser.submit_and_wait("#next")
        slots = b.find_elements(By.CSS_SELECTOR, "input[name=slot_start]")
        assert slots, "no slot offered on a working day"
        b.find_element(By.XPATH, "//label[contains(., '09:00–09:30')]/input").click()
        b.find_element(By.ID, "name").send_keys("Nguyễn Thị Hoa")
        b.find_element(By.ID, "phone").send_keys("09123")  # a typo first
        browser.shot("booking-1-form", whole_page=True)
        browser.submit_and_wait("#submit")
        err = b.find_element(By.CSS_SELECTOR, ".err").text
        assert "Số điện thoại phải có 10 chữ số" in err
        assert b.find_element(By.ID, "name").get_attribute("value") == "Nguyễn Thị Hoa"  # nothing typed is lost
        browser.shot("booking-2-bad-phone", whole_page=True)
        b.find_element(By.ID, "phone").clear()
        b.find_element(By.ID, "phone").send_keys("0912 345 678")
        b.find_element(By.XPATH, "//label[contains(., '09:00–09:30')]/input").click()
        browser.submit_and_wait("#submit")
        assert "Đặt lịch thành công" in b.find_element(By.ID, "done").text
        code = b.find_element(By.ID, "code").text
        assert len(code) == 7 and code[3] == "-"
        assert "09:00–09:30" in b.find_element(By.ID, "when").text
        assert "Đăng ký khai sinh" in b.page_source
        shot = browser.shot("booking-3-confirmation", whole_page=True)
    # The kiosk's camera reads the QR off the phone's screen: decode it from the screenshot, as it would.
    text = decode_qr(cv2.imread(str(shot)))
    assert text == "MCH:" + code.replace("-", ""), text
    return day, code, text


def test_book_on_the_phone_check_in_next_day_called_before_walkins_and_no_show_released(
        ahub: InProcessHub) -> None:
    hub = ahub
    day, code, qr_text = _book_on_the_phone(hub)
    # Two more bookings for the same slot: one with a CCCD (checks in with the card), one who never comes.
    slots = _http(hub, f"/api/v1/sites/demo/appointments/slots?service=HT&day={day}")[1]
    nine = next(s for s in slots["slots"] if s["time"] == "09:00")
    assert nine["free"] == slots["seats_per_slot"] - 1
    seat = {"service": "HT", "day": day, "slot_start": nine["start"]}
    st, bb = _http(hub, "/api/v1/sites/demo/appointments", {**seat, "name": "Trần Văn Bình", "phone": "0987654321",
                                                             "cccd": CCCD})
    assert st == 201, bb
    st, _ = _http(hub, "/api/v1/sites/demo/appointments", {**seat, "name": "Lê Văn Cường", "phone": "0911111111"})
    assert st == 201
    st, again = _http(hub, "/api/v1/sites/demo/appointments", {**seat, "name": "Lê Văn Cường", "phone": "0911111111"})
    assert st == 409 and "chỉ được đặt 1 lịch" in again["error"]["message_vi"]

    # Next day, 08:50: two walk-ins take tickets before anyone with a booking arrives.
    hub.clock.advance(_at(day, "08:50") - hub.clock())
    kiosk = KioskCore(hub.device("kiosk"))
    counter = CounterCore(hub.device("counter", counter=1))
    walk1, walk2 = kiosk.issue_ticket("HT"), kiosk.issue_ticket("HT")

    hub.clock.advance(120)  # 08:52: early, by the booking QR
    first = kiosk.check_in(qr_text)
    assert first.appointment["code_display"] == code and first.appointment["early"]
    assert first.ticket["appointment"]["code"] == code
    assert first.png is not None and first.png.exists()  # the ticket was printed
    with pytest.raises(RequestError) as bad:  # a misread card: refused in Vietnamese, nothing stored
        kiosk.check_in(CCCD_QR.replace("15031990", "15031991"))
    assert "không khớp với số CCCD" in bad.value.message_vi
    assert _http(hub, "/api/v1/sites/demo/state")[1]["services"][0]["waiting"] == 3
    second = kiosk.check_in(CCCD_QR)  # by the CCCD chip card's front QR
    assert second.appointment["code_display"] == bb["appointment"]["code_display"]
    with pytest.raises(RequestError) as twice:
        kiosk.check_in(qr_text)
    assert "đã được xác nhận" in twice.value.message_vi

    # 09:01: the slot has started; the counter calls the two booked citizens before the walk-ins (strict).
    hub.clock.advance(_at(day, "09:01") - hub.clock())
    counter.login("lan1", "1111")
    counter.open()
    calls = [counter.next()]
    lobby = _http(hub, "/api/v1/sites/demo/state")[1]["counters"][0]["current"]
    assert lobby["ticket"] == first.ticket["number"] and lobby["appointment"] is True  # the lobby marks it
    calls += [counter.next() for _ in range(3)]
    assert [t["number"] for t in calls] == [first.ticket["number"], second.ticket["number"],
                                            walk1["number"], walk2["number"]]
    assert calls[0]["appointment"]["procedure_name"] == "Đăng ký khai sinh"  # what the officer sees
    assert calls[2]["appointment"] is None

    # 09:16: the third booking's grace window is over: its seat is free again and it counts as a no-show.
    hub.clock.advance(_at(day, "09:16") - hub.clock())
    after = _http(hub, f"/api/v1/sites/demo/appointments/slots?service=HT&day={day}")[1]
    # Seats follow the recent service time (these citizens were served in no time), so compare with now's.
    assert next(s for s in after["slots"] if s["time"] == "09:00")["free"] == after["seats_per_slot"] - 2
    db = open_data_dir(hub.data)
    try:
        marked = Runner(db, clock=hub.clock).run("demo", appt_ops.tick)
        assert marked["no_shows"] == 1
        _tok, leader = Runner(db).run("demo", lambda ctx: tokens.add(ctx.db, role="leader", site_id="demo",
                                                                     name="lanh dao", now=ctx.now))
    finally:
        db.conn.close()
    assert _http(hub, f"/api/v1/sites/demo/appointments/summary?day={day}")[0] == 401
    st, summary = _http(hub, f"/api/v1/sites/demo/appointments/summary?day={day}", token=leader)
    assert st == 200, summary
    assert (summary["booked"], summary["checked_in"], summary["on_time"], summary["no_show"]) == (3, 2, 2, 1)
    assert summary["no_show_rate"] == pytest.approx(1 / 3, abs=0.001) and summary["punctuality"] == 1.0
    ht = next(s for s in summary["by_service"] if s["service"] == "HT")
    assert ht["booked"] == 3 and ht["capacity"] == after["seats_per_slot"] * summary["slots"]
    assert date.fromisoformat(summary["day"]) == date.fromisoformat(day)


def test_move_then_cancel_by_the_link(ahub: InProcessHub) -> None:
    slots = _http(ahub, "/api/v1/sites/demo/appointments/slots?service=CT")[1]
    later = [d for d in slots["days"] if d > slots["day"]]
    first = _http(ahub, f"/api/v1/sites/demo/appointments/slots?service=CT&day={later[0]}")[1]["slots"][0]
    st, booked = _http(ahub, "/api/v1/sites/demo/appointments", {
        "service": "CT", "day": later[0], "slot_start": first["start"], "name": "Vũ Thị Hương", "phone": "0966555444"})
    assert st == 201
    with Browser(PHONE, implicit_wait=5, page_load_timeout=30) as browser:
        b = browser.driver
        b.get(f"http://127.0.0.1:{ahub.http_port}{booked['appointment']['manage_path']}")
        assert b.find_element(By.ID, "code").text == booked["appointment"]["code_display"]
        Select(b.find_element(By.ID, "move_day")).select_by_value(later[1])
        browser.submit_and_wait("#move_show")
        b.find_element(By.XPATH, "//label[contains(., '14:00–14:30')]/input").click()
        browser.shot("booking-4-move", whole_page=True)
        browser.submit_and_wait("#submit")
        assert "Đã đổi lịch hẹn" in b.find_element(By.CSS_SELECTOR, ".ok").text
        assert "14:00–14:30" in b.find_element(By.ID, "when").text
        browser.submit_and_wait("#cancel")  # asks first: cancelling cannot be taken back
        assert "có chắc muốn hủy" in b.find_element(By.ID, "confirm_cancel").text
        browser.shot("booking-4b-cancel-confirm", whole_page=True)
        browser.submit_and_wait("#cancel_no")
        assert b.find_element(By.ID, "status").text != "đã hủy" and not b.find_elements(By.ID, "confirm_cancel")
        browser.submit_and_wait("#cancel")
        browser.submit_and_wait("#cancel_yes")
        assert "Đã hủy lịch hẹn" in b.find_element(By.CSS_SELECTOR, ".ok").text
        assert b.find_element(By.ID, "status").text == "đã hủy"
        b.implicitly_wait(0)
        assert not b.find_elements(By.ID, "cancel")  # a cancelled booking offers nothing more to change
        browser.shot("booking-5-cancelled", whole_page=True)
    after = _http(ahub, f"/api/v1/sites/demo/appointments/slots?service=CT&day={later[1]}")[1]
    two = next(s for s in after["slots"] if s["time"] == "14:00")
    assert two["free"] == after["seats_per_slot"]  # the cancelled seat is free again

