"""The fleet page in a real Chromium: an offline device (office hours) and an out-of-paper kiosk, as a
technician sees them after typing their token. Screenshots in test-artifacts/web/."""

from __future__ import annotations

import shutil
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from devicekit.drivers.printer import SimPrinter
from hub.domain.calendar import WorkCalendar
from kiosk.core import KioskCore
from tests.fleet.conftest import technician_token, wait_for
from tests.support.hubproc import InProcessHub


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


@pytest.fixture
def browser(tmp_path: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    if not shutil.which("chromium") or not shutil.which("chromedriver"):
        pytest.fail("Debian's chromium and chromium-driver are needed: run `make setup`")
    opts = Options()
    opts.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1600,900",
                f"--user-data-dir={tmp_path / 'chrome-profile'}", "--lang=vi"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    yield driver
    driver.quit()


@pytest.mark.clock
@pytest.mark.slow  # a Kivy app or a browser: not in make test-days
def test_fleet_page_shows_offline_device_and_paper_out(hub: InProcessHub, browser, tmp_path: Path,
                                                       artifacts_dir: Path) -> None:
    from selenium.webdriver.common.by import By

    token = technician_token(hub.data)
    counter = hub.device("counter", counter=3, device_id="quay-3")
    counter.stop()  # unplugged: its offline status is the last thing the hub hears
    kiosk_session = hub.device("kiosk", device_id="kiosk-sanh")
    KioskCore(kiosk_session, printer=SimPrinter(tmp_path / "prints", state="paper_out"))
    kiosk_session.publish_health()
    hub.device("display", device_id="man-hinh-sanh")
    assert wait_for(lambda: hub.hub.db.execute(
        "SELECT health FROM devices WHERE id = 'kiosk-sanh'").fetchone()[0] is not None)
    now = hub.clock()
    hub.clock.advance(office_hours_after(now, 900) - now)  # a weekday morning, 15+ minutes later

    browser.get(f"http://127.0.0.1:{hub.http_port}/console/fleet")
    browser.find_element(By.ID, "token").send_keys(token)
    browser.find_element(By.CSS_SELECTOR, "#login button").click()
    assert wait_for(lambda: browser.find_elements(By.ID, "dev-quay-3"), 10)
    time.sleep(0.3)
    out = artifacts_dir / "web"
    out.mkdir(exist_ok=True)
    browser.save_screenshot(str(out / "fleet-offline-paper-out.png"))

    row = browser.find_element(By.ID, "dev-quay-3")
    assert "offline" in row.get_attribute("class") and "Mất kết nối" in row.text
    assert "Mất kết nối" in row.find_element(By.CLASS_NAME, "alerts").text
    kiosk = browser.find_element(By.ID, "dev-kiosk-sanh")
    assert "Trực tuyến" in kiosk.text and "Hết giấy" in kiosk.find_element(By.CLASS_NAME, "alerts").text
    display = browser.find_element(By.ID, "dev-man-hinh-sanh")
    assert display.find_element(By.CLASS_NAME, "alerts").text == ""
    assert browser.find_element(By.ID, "count-paper_out").text == "Hết giấy: 1"
    assert browser.find_element(By.ID, "count-offline").text == "Mất kết nối: 1"

    browser.execute_script("sessionStorage.clear()")
    browser.refresh()
    assert browser.find_element(By.ID, "login").is_displayed()  # no token, no fleet
    assert not browser.find_elements(By.ID, "dev-quay-3")
