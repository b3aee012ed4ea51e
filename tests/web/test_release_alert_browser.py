"""An administrator releases a burst of online bookings from the console (issue #21, item 5): the alert is
on the dashboard with a button; one click cancels the burst's bookings and the alert goes. A leader sees
the alert without the button. Real Chromium, real hub; the burst comes from rotating loopback addresses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By

from hub.app import open_data_dir
from hub.ops import security
from tests.security.conftest import Client, seats
from tests.support.browser import Browser
from tests.support.hubproc import InProcessHub
from tests.web.test_console_browser import sign_in

pytestmark = pytest.mark.integration


@pytest.fixture
def browser() -> Iterator[Browser]:
    with Browser() as b:
        yield b


def test_admin_releases_a_booking_burst_from_the_dashboard(console: InProcessHub, browser: Browser) -> None:
    base = f"http://127.0.0.1:{console.http_port}"
    day, free = seats(Client(console))
    for n in range(security.SITE_BOOKINGS_PER_MINUTE + 1):
        Client(console, f"127.0.0.{n % 4 + 2}").request("POST", "/hen/demo", form={
            "service": "HT", "day": day, "slot_start": free[n], "name": f"Người {n}", "phone": f"09140000{n:02d}"})
    alert = "#alerts .alert[data-kind='booking_burst']"
    sign_in(browser, base, "lanhdao")
    browser.wait(lambda d: d.find_elements(By.CSS_SELECTOR, alert))
    assert not browser.driver.find_elements(By.CSS_SELECTOR, f"{alert} button.release")  # leaders only see it
    sign_in(browser, base, "quantri")
    browser.wait(lambda d: d.find_elements(By.CSS_SELECTOR, f"{alert} button.release"))
    browser.shot("dashboard-booking-burst")
    browser.click(f"{alert} button.release")  # the dashboard redraws its alerts as they change
    browser.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, alert))
    db = open_data_dir(console.data)
    try:
        statuses = {s for (s,) in db.execute("SELECT status FROM appointments WHERE source = 'web'")}
    finally:
        db.conn.close()
    assert statuses == {"cancelled"}
