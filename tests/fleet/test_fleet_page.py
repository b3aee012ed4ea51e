"""The fleet page in a real Chromium, inside the console: a technician signs in as for the console (no
token to paste), sees an offline device (office hours) and an out-of-paper kiosk in words, last contact in
the site's time as dd/mm/yyyy HH:MM, the same on the console's devices tab, English when switched; a
leader is refused. Screenshots in test-artifacts/web/."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from devicekit.drivers.printer import SimPrinter
from hub.domain.calendar import WorkCalendar
from kiosk.core import KioskCore
from tests.fleet.conftest import wait_for
from tests.support.browser import Browser
from tests.support.hubproc import InProcessHub
from tests.web.conftest import PASSWORD, add_account


def office_hours_after(t: float, gap_s: float) -> float:
    """A moment at least `gap_s` after `t`, well inside the demo site's office hours (its calendar: no
    weekend, no public holiday), an hour or more before the close."""
    cal = WorkCalendar()
    local = datetime.fromtimestamp(t + gap_s, cal.tz)
    d = cal.working_day_on_or_after(local.date())
    if d == local.date() and cal.day_start(d) + timedelta(minutes=30) <= local < cal.day_end(d) - timedelta(hours=1):
        return local.timestamp()
    if d == local.date() and local >= cal.day_start(d):
        d = cal.next_working_day(d)
    return (cal.day_start(d) + timedelta(hours=1, minutes=30)).timestamp()


def sign_in_at(browser, base: str, username: str) -> None:  # noqa: ANN001
    """Open the fleet page as nobody (sent to the console's sign-in), sign in, and land back on it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    d = browser.driver
    d.delete_all_cookies()
    d.get(f"{base}/console/fleet")
    # The page sends nobody to the sign-in from its script: wait for the sign-in page's own form.
    browser.wait(lambda d: "/login?next=" in d.current_url and d.find_element(By.ID, "username"))
    d.find_element(By.ID, "username").send_keys(username)
    d.find_element(By.ID, "password").send_keys(PASSWORD + Keys.ENTER)
    browser.wait(lambda d: d.current_url == f"{base}/console/fleet" and d.find_element(By.ID, "who").text)


@pytest.mark.clock
@pytest.mark.slow  # a Kivy app or a browser: not in make test-days
def test_fleet_page_shows_offline_device_and_paper_out(hub: InProcessHub, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    add_account(hub.data, "kythuat", "technician", "demo", None)
    add_account(hub.data, "lanhdao", "leader", "demo", None)
    counter = hub.device("counter", counter=3, device_id="quay-3")
    counter.stop()  # unplugged: its offline status is the last thing the hub hears
    # Its last contact is compared with the page's below: one health report (at connect, its printer already
    # out of paper), no timed one that would move it meanwhile.
    kiosk_session = hub.device("kiosk", device_id="kiosk-sanh", health_interval_s=3600, start=False)
    KioskCore(kiosk_session, printer=SimPrinter(tmp_path / "prints", state="paper_out"))
    kiosk_session.start()
    assert kiosk_session.wait_connected(10)
    hub.device("display", device_id="man-hinh-sanh")
    assert wait_for(lambda: "paper_out" in (hub.hub.db.execute(
        "SELECT health FROM devices WHERE id = 'kiosk-sanh'").fetchone()[0] or ""))
    now = hub.clock()
    hub.clock.advance(office_hours_after(now, 900) - now)  # a weekday morning, 15+ minutes later
    seen = hub.hub.db.execute("SELECT last_seen FROM devices WHERE id = 'kiosk-sanh'").fetchone()[0]
    # Last contact as the site reads it (Asia/Ho_Chi_Minh), whatever the browser's or the host's zone.
    seen_vi = datetime.fromtimestamp(seen, ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y %H:%M")
    base = f"http://127.0.0.1:{hub.http_port}"

    with Browser((1366, 768)) as browser:
        d = browser.driver
        sign_in_at(browser, base, "kythuat")  # the console's own sign-in: no token to paste
        assert not d.find_elements(By.ID, "token")
        browser.wait(lambda d: d.find_elements(By.ID, "dev-quay-3"))
        time.sleep(0.3)
        browser.shot("fleet-offline-paper-out")

        def page(d) -> dict[str, str]:  # noqa: ANN001  (read at once: the page redraws its list every 15 s)
            row, kiosk = d.find_element(By.ID, "dev-quay-3"), d.find_element(By.ID, "dev-kiosk-sanh")
            return {"row_class": row.get_attribute("class"), "row": row.text,
                    "row_alerts": row.find_element(By.CLASS_NAME, "alerts").text, "kiosk": kiosk.text,
                    "kiosk_alerts": kiosk.find_element(By.CLASS_NAME, "alerts").text,
                    "printer": kiosk.find_element(By.CLASS_NAME, "printer").text,
                    "display_alerts": d.find_element(By.ID, "dev-man-hinh-sanh").find_element(By.CLASS_NAME,
                                                                                              "alerts").text,
                    "paper_out": d.find_element(By.ID, "count-paper_out").text,
                    "offline": d.find_element(By.ID, "count-offline").text}

        seen_now = browser.snapshot(page)
        assert "offline" in seen_now["row_class"] and "Mất kết nối" in seen_now["row"]
        assert "Mất kết nối" in seen_now["row_alerts"]
        assert "Trực tuyến" in seen_now["kiosk"] and "Hết giấy" in seen_now["kiosk_alerts"]
        assert seen_now["printer"] == "Hết giấy"
        assert seen_vi in seen_now["kiosk"]
        assert seen_now["display_alerts"] == ""
        assert seen_now["paper_out"] == "Hết giấy: 1"
        assert seen_now["offline"] == "Mất kết nối: 1"
        # A change goes with the session's CSRF token: a self-test asked, a new display's enrolment code.
        browser.click("#dev-kiosk-sanh button[data-act=selftest]")  # found again if the list redrew
        browser.wait(lambda d: d.find_element(By.ID, "note").text == "Đã yêu cầu.")
        Select(d.find_element(By.NAME, "role")).select_by_visible_text("Màn hình sảnh")
        d.find_element(By.CSS_SELECTOR, "#f-add button[type=submit]").click()
        code = browser.wait(lambda d: d.find_element(By.ID, "enrol-code"))
        assert len(code.text.replace("-", "")) >= 8
        browser.shot("fleet-enrol-code")
        # The console's devices tab says the same, in words.
        d.get(f"{base}/console/#devices")
        tab = browser.read("#device-kiosk-sanh")
        assert "Trực tuyến" in tab and "Hết giấy" in tab and seen_vi in tab
        assert "Mất kết nối" in browser.read("#device-quay-3")
        browser.shot("console-devices-tab")
        d.get(f"{base}/console/fleet")
        browser.wait(lambda d: d.find_elements(By.ID, "dev-kiosk-sanh"))
        d.find_element(By.ID, "lang").click()
        assert "Online" in browser.read("#dev-kiosk-sanh", until=lambda t: "Out of paper" in t)
        browser.shot("fleet-english")
        d.find_element(By.ID, "lang").click()
        d.set_window_size(390, 844)
        time.sleep(0.3)
        browser.shot("fleet-390x844")
        # "next" leads back only to a console page of this hub (no open redirect).
        d.delete_all_cookies()
        d.get(f"{base}/login?next=//example.org/console/fleet")
        d.find_element(By.ID, "username").send_keys("kythuat")
        d.find_element(By.ID, "password").send_keys(PASSWORD + Keys.ENTER)
        browser.wait(lambda d: d.current_url.startswith(f"{base}/console/"))
        assert d.current_url.startswith(f"{base}/console/") and "fleet" not in d.current_url
        # A leader of the site is not a technician: the page says so and lists nothing.
        sign_in_at(browser, base, "lanhdao")
        browser.wait(lambda d: d.find_element(By.ID, "err").text)
        assert "không có quyền" in d.find_element(By.ID, "err").text
        assert not d.find_elements(By.ID, "dev-quay-3")
