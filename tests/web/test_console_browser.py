"""The console in a real Chromium against a real hub: each role sees only its own tabs and data, a call
at a counter appears on an open dashboard without reload, an administrator's new service and counter
reach the kiosk, and the change is in the audit log. Screenshots: test-artifacts/web/."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from counter_terminal.core import CounterCore
from kiosk.core import KioskCore
from tests.support.browser import Browser
from tests.support.hubproc import InProcessHub
from tests.web.conftest import PASSWORD

TABS = {  # role's user → the tabs it must see (and no other)
    "quantri": {"dashboard", "reports", "admin", "audit", "devices", "post", "account"},
    "lanhdao": {"dashboard", "reports", "audit", "account"},
    "chuyenvien": {"agency", "account"},
    "kythuat": {"devices", "account"},
    "buudien": {"post", "account"},
}


@pytest.fixture
def browser() -> Iterator[Browser]:
    with Browser() as b:
        yield b


def sign_in(b: Browser, base: str, username: str) -> None:
    b.sign_in(base, username, PASSWORD)


def visible_tabs(b: Browser) -> set[str]:
    return {a.get_attribute("href").split("#")[1] for a in b.driver.find_elements(By.CSS_SELECTOR, "#tabs a")
            if a.is_displayed()}


def test_each_role_sees_only_its_own(console: InProcessHub, browser: Browser) -> None:
    base = f"http://127.0.0.1:{console.http_port}"
    d = browser.driver
    d.get(f"{base}/login")
    d.find_element(By.ID, "username").send_keys("lanhdao")
    d.find_element(By.ID, "password").send_keys("sai-mat-khau-1")
    d.find_element(By.ID, "submit").click()
    browser.wait(lambda d: d.find_element(By.ID, "err").text)
    assert d.find_element(By.ID, "err").text == "Sai tên đăng nhập hoặc mật khẩu."
    browser.shot("login-wrong-password")
    for user, tabs in TABS.items():
        sign_in(browser, base, user)
        browser.wait(lambda d: any(a.is_displayed() for a in d.find_elements(By.CSS_SELECTOR, "#tabs a")))
        assert visible_tabs(browser) == tabs, user
        if user == "lanhdao":  # in Vietnamese, with its diacritics
            names = {a.text for a in d.find_elements(By.CSS_SELECTOR, "#tabs a") if a.is_displayed()}
            assert names == {"Tình hình hôm nay", "Báo cáo", "Nhật ký thao tác", "Tài khoản"}
        shown = [m for m in d.find_elements(By.TAG_NAME, "main") if m.is_displayed()]
        assert len(shown) == 1 and shown[0].get_attribute("id") in tabs, user  # one section, one of its own
        first = shown[0]
        time.sleep(0.3)
        browser.shot(f"console-{user}-{first.get_attribute('id')}")
        # What the page hides, the API refuses too: the dashboard data for non-leaders.
        status = d.execute_script("return fetch('/api/v1/sites/demo/dashboard').then(r => r.status)")
        assert (status == 200) == ("dashboard" in tabs), user
        d.find_element(By.ID, "signout").click()
        browser.wait(lambda d: d.current_url.endswith("/login"))
    # The keyboard alone reaches a tab and opens it.
    sign_in(browser, base, "lanhdao")
    body = d.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    for _ in range(12):
        if d.switch_to.active_element.text == "Nhật ký thao tác":
            break
        d.switch_to.active_element.send_keys(Keys.TAB)
    assert d.switch_to.active_element.text == "Nhật ký thao tác"
    d.switch_to.active_element.send_keys(Keys.ENTER)
    browser.wait(lambda d: d.find_element(By.ID, "audit").is_displayed())
    browser.shot("console-keyboard-audit")
    d.get(f"{base}/console/#dashboard")
    # English on request, kept for the next page.
    d.find_element(By.ID, "lang").click()
    browser.wait(lambda d: d.find_element(By.ID, "h-counters").text == "Counters")
    browser.shot("console-leader-english")
    d.refresh()
    browser.wait(lambda d: d.find_element(By.ID, "h-counters").text == "Counters")


def test_a_call_reaches_the_open_dashboard_without_reload(console: InProcessHub, browser: Browser) -> None:
    base = f"http://127.0.0.1:{console.http_port}"
    kiosk = KioskCore(console.device("kiosk"))
    counter = CounterCore(console.device("counter", counter=2))
    for _ in range(3):
        kiosk.issue_ticket("HT")
    sign_in(browser, base, "lanhdao")
    d = browser.driver
    browser.wait(lambda d: "live on" in d.find_element(By.ID, "live").get_attribute("class"))
    # The dashboard redraws its tables on every change it hears: each row is read in one go, found afresh.
    row = "#counters tr[data-counter='2']"
    assert "Đóng" in browser.read(row)
    d.execute_script("window.__marker = 'no reload'")
    counter.login("hung2", "2222")
    counter.open()
    called = counter.next()
    now = browser.read(row, until=lambda t: called["number"] in t)
    assert "Trần Văn Hùng" in now and "Đang mở" in now
    browser.read("#services tr[data-service='HT'] td:nth-child(2)", until=lambda t: t == "2")  # 3 came, 1 called
    assert d.execute_script("return window.__marker") == "no reload"
    # The day at a glance, live: three numbers issued, one called at once (on time), two waiting.
    totals = lambda d: {x.get_attribute("data-total"): x.find_element(By.TAG_NAME, "dd").text  # noqa: E731
                        for x in d.find_elements(By.CSS_SELECTOR, "#totals [data-total]")}
    total = browser.wait(lambda d: (t := totals(d)).get("t_issued") == "3" and t)
    assert total["t_waiting"] == "2" and total["t_no_show"] == "0"
    assert total["t_on_time"].endswith("%") and total["t_avg_wait"] and total["t_longest"]
    # The arrivals chart covers the working hours (7h–16h at least), one bar per hour, not 0h–25h.
    labels = d.execute_script("return document.getElementById('chart-arrivals').getAttribute('aria-label')")
    hours = [int(x.split("h")[0]) for x in labels.split(": ", 1)[1].split(", ")]
    assert hours == list(range(hours[0], hours[-1] + 1)) and hours[0] <= 7 and hours[-1] >= 16
    d.set_window_size(1280, 2400)  # the whole dashboard, charts included, in one picture
    time.sleep(0.3)
    browser.shot("dashboard-live-call")
    # Phone-sized: one column, nothing wider than the screen.
    d.set_window_size(390, 844)
    time.sleep(0.3)
    assert d.execute_script("return document.documentElement.scrollWidth") <= 400
    browser.shot("dashboard-phone")


def test_admin_adds_a_service_and_a_counter_the_kiosk_offers_it(console: InProcessHub, browser: Browser) -> None:
    base = f"http://127.0.0.1:{console.http_port}"
    kiosk = KioskCore(console.device("kiosk"))
    assert "CC" not in {s["code"] for s in kiosk.services}
    sign_in(browser, base, "quantri")
    d = browser.driver
    d.get(f"{base}/console/#admin")
    browser.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#field-select option"))
    f = d.find_element(By.ID, "f-service")
    f.find_element(By.NAME, "code").send_keys("cc")
    f.find_element(By.NAME, "name").send_keys("Chứng thực bản sao")
    f.find_element(By.NAME, "start").clear()
    f.find_element(By.NAME, "start").send_keys("7001")
    f.find_element(By.NAME, "end").clear()
    f.find_element(By.NAME, "end").send_keys("7999")
    f.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    browser.wait(lambda d: f.find_element(By.XPATH, "following-sibling::p").text == "Đã lưu.")
    # The saved service redraws the tab, which empties the counter form: type into it only once redrawn.
    c = d.find_element(By.ID, "f-counter")
    browser.wait(lambda d: c.find_elements(By.CSS_SELECTOR, "input[name=svc][value=CC]"))
    # A counter that serves nothing is explained, in Vietnamese; its services are ticked from the list.
    c.find_element(By.NAME, "number").send_keys("9")
    c.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    out = c.find_element(By.XPATH, "following-sibling::p")
    browser.wait(lambda d: out.text)
    assert out.text == "Quầy phải phục vụ ít nhất một dịch vụ."
    browser.shot("admin-counter-error")
    c.find_element(By.CSS_SELECTOR, "input[name=svc][value=CC]").click()
    c.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    browser.wait(lambda d: out.text == "Đã lưu.")
    browser.wait(lambda d: "Quầy 9" in d.find_element(By.ID, "config").text)
    browser.shot("admin-service-counter-added")
    # The kiosk is offered the new service once the hub re-sends its config, and a ticket for it is served.
    deadline = time.monotonic() + 30  # the hub re-sends the kiosks' config after its commit
    while "CC" not in {s["code"] for s in kiosk.services} and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "CC" in {s["code"] for s in kiosk.services}
    assert kiosk.issue_ticket("CC")["number"] == "7001"
    # …and the change is in the audit log, by whom, before → after.
    d.get(f"{base}/console/#audit")
    browser.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#audit-log tr[data-action='service.add']"))
    row = d.find_element(By.CSS_SELECTOR, "#audit-log tr[data-action='service.add']")
    assert "quantri" in row.text and "console" in row.text and "Chứng thực bản sao" in row.text
    assert "Thêm dịch vụ" in row.text and "Quản trị viên" in row.text  # in Vietnamese
    browser.shot("audit-log-service-added")


def test_admin_imports_a_catalogue_and_sees_each_refused_row(console: InProcessHub, browser: Browser,
                                                             tmp_path) -> None:  # noqa: ANN001
    from tests.dossier.test_cli import CSV

    base = f"http://127.0.0.1:{console.http_port}"
    f = tmp_path / "danh-muc.csv"
    f.write_text(CSV, encoding="utf-8")
    sign_in(browser, base, "quantri")
    d = browser.driver
    d.get(f"{base}/console/#admin")
    form = browser.wait(lambda d: d.find_element(By.ID, "f-catalog"))
    form.find_element(By.NAME, "file").send_keys(str(f))
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    result = browser.wait(lambda d: d.find_element(By.ID, "cat-result").text and d.find_element(By.ID, "cat-result"))
    assert "Đã nhập 1 thủ tục; 6 mục lỗi (không nhập)" in result.text
    assert "dòng 5 (thu-tuc-d): thiếu cột bắt buộc agency" in result.text
    assert d.find_element(By.ID, "cat-progress").get_attribute("value") == "1"
    d.execute_script("document.getElementById('f-catalog').scrollIntoView()")
    browser.shot("admin-catalogue-import")
    # The kiosks' replica follows; the audit log names who imported it.
    status = d.execute_script("return fetch('/api/v1/procedures/thu-tuc-a').then(r => r.status)")
    assert status == 200
    d.get(f"{base}/console/#audit")
    browser.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#audit-log tr[data-action='catalog.import']"))
