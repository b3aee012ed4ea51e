"""The console's reports tab in a real Chromium against a real hub: a leader picks a period with the
Vietnamese labels (Tuần / Tháng / Quý / 6 tháng / Năm / Khoảng ngày) and dd/mm/yyyy dates, sees the figures
of the tickets this test made (at the hub's clock, never a fixed real date), gets a clear error for an
impossible date, and issues the report under the site's first number of the year after a confirmation.
Screenshots: test-artifacts/web/reports-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.by import By

from counter_terminal.core import CounterCore
from kiosk.core import KioskCore
from tests.support.browser import Browser
from tests.support.hubproc import InProcessHub
from tests.web.conftest import PASSWORD


@pytest.fixture
def browser() -> Iterator[Browser]:
    with Browser() as b:
        yield b


def _totals(d, el_id: str) -> dict[str, str]:  # noqa: ANN001
    return {x.find_element(By.TAG_NAME, "dt").text: x.find_element(By.TAG_NAME, "dd").text
            for x in d.find_elements(By.CSS_SELECTOR, f"#{el_id} div")}


def test_a_leader_picks_a_period_and_issues_its_report(console: InProcessHub, browser: Browser) -> None:
    kiosk = KioskCore(console.device("kiosk"))
    counter = CounterCore(console.device("counter", counter=1))
    counter.login("lan1", "1111")
    counter.open()
    for _ in range(3):
        kiosk.issue_ticket("HT")
    served = counter.next()
    counter.session.request("counter.complete", {"ticket_id": served["id"], "token": counter.session.officer_token})
    counter.next()
    counter.skip()
    day = datetime.fromtimestamp(console.clock(), ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y")  # the hub's day

    base = f"http://127.0.0.1:{console.http_port}"
    d = browser.driver
    browser.sign_in(base, "lanhdao", PASSWORD)
    d.get(f"{base}/console/#reports")
    # The tab has wired its form and shown the default period (the issued list is drawn before it): typed
    # into earlier, the form's dates would be overwritten by the tab's own.
    browser.wait(lambda d: d.find_element(By.ID, "rp-label").text and d.find_elements(By.CSS_SELECTOR, "#rp-list tbody tr"))
    labels = [x.text for x in d.find_elements(By.CSS_SELECTOR, "fieldset.kinds label")]
    assert labels == ["Tuần", "Tháng", "Quý", "6 tháng", "Năm", "Khoảng ngày"]

    # A range of one day, typed as dd/mm/yyyy: the three tickets of today.
    d.find_element(By.CSS_SELECTOR, "input[name=kind][value=range]").click()
    assert d.find_element(By.ID, "rp-to").is_displayed()
    for el_id in ("rp-day", "rp-to"):
        box = d.find_element(By.ID, el_id)
        box.clear()
        box.send_keys(day)
    d.find_element(By.CSS_SELECTOR, "#f-report button[type=submit]").click()
    browser.wait(lambda d: d.find_element(By.ID, "rp-label").text.startswith(f"Từ ngày {day} đến ngày {day}"))
    q = _totals(d, "rp-queue")
    assert (q["Số đã cấp"], q["Đã phục vụ"], q["Vắng mặt"]) == ("3", "1", "1")
    assert _totals(d, "rp-dossiers")["Tỷ lệ đúng hạn"] == "Không có dữ liệu"  # no dossier: no data, not "failed"
    assert "period=" in d.find_element(By.ID, "rp-pdf").get_attribute("href")
    browser.shot("reports-1366x768", whole_page=True)

    # An impossible date: said in Vietnamese, nothing shown as if it were a report.
    box = d.find_element(By.ID, "rp-day")
    box.clear()
    box.send_keys("31/02/2027")
    d.find_element(By.CSS_SELECTOR, "#f-report button[type=submit]").click()
    browser.wait(lambda d: "dd/mm/yyyy" in d.find_element(By.ID, "rp-err").text)
    assert not d.find_element(By.ID, "rp-out").is_displayed()

    # The quarter holding today, then issued under the first number of the year, after a confirmation.
    box.clear()
    box.send_keys(day)
    d.find_element(By.CSS_SELECTOR, "input[name=kind][value=quarter]").click()
    assert not d.find_element(By.ID, "rp-to").is_displayed()
    d.find_element(By.CSS_SELECTOR, "#f-report button[type=submit]").click()
    browser.wait(lambda d: d.find_element(By.ID, "rp-label").text.startswith("Quý "))
    d.find_element(By.CSS_SELECTOR, "#rp-issue summary").click()
    d.find_element(By.ID, "rp-sn").send_keys("Nguyễn Văn Bình")
    d.find_element(By.CSS_SELECTOR, "#f-issue button[type=submit]").click()
    browser.wait(lambda d: d.switch_to.alert)
    assert "không thu hồi được" in d.switch_to.alert.text
    d.switch_to.alert.accept()
    browser.wait(lambda d: "Số: 01/BC-" in d.find_element(By.ID, "rp-issue-err").text)
    browser.wait(lambda d: "Số: 01/BC-" in d.find_element(By.ID, "rp-list").text)
    d.set_window_size(390, 844)
    browser.shot("reports-390x844", whole_page=True)
