"""The administration tab in a real Chromium against a real hub, as an administrator uses it: officers
listed in Vietnamese order and edited from the list (no id to know), an officer's id made from the name,
agencies, services and counters picked from lists, a service retired after a confirmation (refused once,
then accepted) and restored, days off picked with a date picker and shown as dd/mm/yyyy, roles in
Vietnamese (and English when switched). Screenshots: test-artifacts/web/admin-*.png."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from kiosk.core import KioskCore
from motcua_core.collation import vi_key
from tests.support.browser import Browser
from tests.support.hubproc import InProcessHub
from tests.web.conftest import Client
from tests.web.test_console_browser import sign_in


@pytest.fixture
def browser() -> Iterator[Browser]:
    with Browser((1366, 768)) as b:
        yield b


def text(d, css: str) -> str:  # noqa: ANN001
    """The text of the element `css` finds, "" while the list is being drawn again."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    try:
        return d.find_element(By.CSS_SELECTOR, css).text
    except (NoSuchElementException, StaleElementReferenceException):
        return ""


def confirm_text(b: Browser, accept: bool) -> str:
    alert = b.wait(lambda d: d.switch_to.alert)
    text = alert.text
    alert.accept() if accept else alert.dismiss()
    return text


def test_officers_are_listed_and_edited_without_knowing_an_id(console: InProcessHub, browser: Browser) -> None:
    base = f"http://127.0.0.1:{console.http_port}"
    sign_in(browser, base, "quantri")
    d = browser.driver
    d.get(f"{base}/console/#admin")
    rows = browser.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#officer-list tbody tr[data-officer]"))
    names = [r.find_elements(By.TAG_NAME, "td")[0].text for r in rows]
    assert len(names) == 8 and names == sorted(names, key=vi_key)
    # A new officer: the id is made from the name as it is typed; the agency is picked from a list.
    f = d.find_element(By.ID, "f-officer")
    f.find_element(By.NAME, "name").send_keys("Đặng Thị Ánh")
    assert f.find_element(By.NAME, "id").get_attribute("value") == "dang-thi-anh"
    agency = Select(f.find_element(By.NAME, "agency"))
    choices = [o.text for o in agency.options]
    assert choices[0] == "Bộ phận một cửa (không cử)" and len(choices) > 1
    agency.select_by_index(1)
    f.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    row = browser.read("#officer-list tr[data-officer='dang-thi-anh']", until=lambda t: choices[1] in t)
    assert "Đang làm việc" in row
    # Edit one from the list: its form fills in, its id cannot be changed by mistake.
    browser.click("#officer-list tr[data-officer='tran-van-hung'] button[data-edit]")
    assert f.find_element(By.NAME, "name").get_attribute("value") == "Trần Văn Hùng"
    assert f.find_element(By.NAME, "id").get_attribute("readonly") is not None
    assert Select(d.find_element(By.ID, "officer-pick")).first_selected_option.text == "Trần Văn Hùng"
    browser.shot("admin-officers-1366x768", whole_page=False)
    d.execute_script("arguments[0].scrollIntoView()", d.find_element(By.ID, "officer-list"))
    browser.shot("admin-officer-list-1366x768")
    # Retire an officer: asked first; "Hủy" changes nothing.
    retire = "#officer-list tr[data-officer='tran-van-hung'] button[data-retire]"
    browser.click(retire)
    assert "Trần Văn Hùng" in confirm_text(browser, accept=False)
    assert "Đang làm việc" in browser.read("#officer-list tr[data-officer='tran-van-hung']")
    browser.click(retire)
    assert "không đăng nhập quầy được nữa" in confirm_text(browser, accept=True)
    browser.wait(lambda d: "Đã ngừng" in text(d, "#officer-list tr[data-officer='tran-van-hung']"))
    assert "Trần Văn Hùng" not in [o.text for o in Select(d.find_element(By.ID, "officer-pick")).options]
    d.set_window_size(390, 844)
    time.sleep(0.3)
    d.execute_script("window.scrollTo(0, 0)")
    browser.shot("admin-top-390x844")
    d.execute_script("arguments[0].scrollIntoView()", d.find_element(By.ID, "officer-list"))
    browser.shot("admin-officer-list-390x844")


def test_a_service_is_retired_after_a_confirmation_and_restored(console: InProcessHub, browser: Browser) -> None:
    base = f"http://127.0.0.1:{console.http_port}"
    kiosk = KioskCore(console.device("kiosk"))
    sign_in(browser, base, "quantri")
    d = browser.driver
    d.get(f"{base}/console/#admin")
    button = "#service-table tr[data-service='KD'] button[data-retire]"
    browser.wait(lambda d: d.find_elements(By.CSS_SELECTOR, button))
    browser.click(button)
    text = confirm_text(browser, accept=False)
    assert text.startswith("Ngừng dịch vụ KD – Đăng ký kinh doanh?") and "vẫn giữ nguyên" in text
    assert "KD" in {s["code"] for s in kiosk.services}
    browser.click(button)
    confirm_text(browser, accept=True)
    restore = "#service-table tr.retired[data-service='KD'] button[data-restore]"
    browser.wait(lambda d: d.find_elements(By.CSS_SELECTOR, restore))
    deadline = time.monotonic() + 30  # the hub re-sends the kiosks' config after its commit
    while "KD" in {s["code"] for s in kiosk.services} and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "KD" not in {s["code"] for s in kiosk.services}
    # Gone from the pick-lists too: the service to edit, the counters' services.
    assert "KD" not in [o.get_attribute("value") for o in Select(d.find_element(By.ID, "service-pick")).options]
    assert not d.find_elements(By.CSS_SELECTOR, "#counter-services input[value=KD]")
    d.execute_script("arguments[0].scrollIntoView()", d.find_element(By.ID, "config"))
    browser.shot("admin-service-retired")
    browser.click(restore)
    confirm_text(browser, accept=True)
    browser.wait(lambda d: d.find_elements(By.CSS_SELECTOR, button))
    # A counter picked from the list: its services are ticked.
    Select(d.find_element(By.ID, "counter-pick")).select_by_visible_text("Quầy 5")
    ticked = {x.get_attribute("value") for x in d.find_elements(By.CSS_SELECTOR, "#counter-services input:checked")}
    assert ticked == {"DD", "XD"}


def test_days_off_are_picked_and_shown_as_dd_mm_yyyy(console: InProcessHub, browser: Browser, client: Client) -> None:
    base = f"http://127.0.0.1:{console.http_port}"
    sign_in(browser, base, "quantri")
    d = browser.driver
    d.get(f"{base}/console/#admin")
    fs = browser.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#f-calendar fieldset[data-for=days_off]"))
    day = fs.find_element(By.CSS_SELECTOR, "input.day-input")
    assert day.get_attribute("placeholder") == "dd/mm/yyyy"
    out = d.find_element(By.XPATH, "//form[@id='f-calendar']/following-sibling::p")
    day.send_keys("31/02/2027")  # no such day: said so, nothing added
    fs.find_element(By.CSS_SELECTOR, "button.add-day").click()
    assert out.text == "Ngày phải có dạng dd/mm/yyyy, ví dụ 02/09/2027."
    day.clear()
    day.send_keys("01/02/2027")
    day.send_keys(Keys.ENTER)
    chip = browser.wait(lambda d: fs.find_element(By.CSS_SELECTOR, "li[data-day='2027-02-01']"))
    assert chip.text.startswith("Thứ Hai, 01/02/2027")
    # …or picked on the month's calendar (it opens at the month of the last day chosen, Monday first).
    fs.find_element(By.CSS_SELECTOR, "button.open-cal").click()
    cal = fs.find_element(By.CSS_SELECTOR, ".cal")
    assert "Tháng 2/2027" in cal.text and cal.find_element(By.CSS_SELECTOR, "th").text == "T2"
    assert cal.find_element(By.CSS_SELECTOR, "button[data-day='2027-02-01']").get_attribute("aria-pressed") == "true"
    cal.find_element(By.CSS_SELECTOR, "button[data-day='2027-02-02']").click()
    assert browser.wait(lambda d: fs.find_element(By.CSS_SELECTOR, "li[data-day='2027-02-02']")).text.startswith(
        "Thứ Ba, 02/02/2027")
    d.find_element(By.CSS_SELECTOR, "#f-calendar button[type=submit]").click()
    browser.wait(lambda d: out.text == "Đã lưu.")
    d.execute_script("arguments[0].scrollIntoView()", fs)
    browser.shot("admin-days-off")
    client.sign_in("quantri")
    assert {"2027-02-01", "2027-02-02"} <= set(client.call("GET", "/api/v1/sites/demo/config")[1]["calendar"]["days_off"])
    # Removed with its ✕, saved again.
    fs.find_element(By.CSS_SELECTOR, "li[data-day='2027-02-01'] button[data-remove]").click()
    d.find_element(By.CSS_SELECTOR, "#f-calendar button[type=submit]").click()
    browser.wait(lambda d: out.text == "Đã lưu.")
    assert "2027-02-01" not in client.call("GET", "/api/v1/sites/demo/config")[1]["calendar"]["days_off"]


def test_roles_are_in_vietnamese_and_in_english_when_switched(console: InProcessHub, browser: Browser) -> None:
    base = f"http://127.0.0.1:{console.http_port}"
    sign_in(browser, base, "quantri")
    d = browser.driver
    d.get(f"{base}/console/#admin")
    row = browser.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#accounts tr[data-account=kythuat]"))
    assert "Kỹ thuật viên" in row.text
    roles = [o.text for o in Select(d.find_element(By.ID, "role-select")).options]
    assert {"Quản trị viên", "Lãnh đạo", "Chuyên viên", "Kỹ thuật viên", "Nhân viên bưu điện"} <= set(roles)
    # A specialist's agency is picked from the list, shown only for that role.
    assert not d.find_element(By.ID, "account-agency").is_displayed()
    Select(d.find_element(By.ID, "role-select")).select_by_visible_text("Chuyên viên")
    assert d.find_element(By.ID, "account-agency").is_displayed()
    d.execute_script("arguments[0].scrollIntoView()", d.find_element(By.ID, "accounts"))
    browser.shot("admin-accounts-vi")
    d.find_element(By.ID, "lang").click()
    browser.wait(lambda d: "Technician" in text(d, "#accounts tr[data-account=kythuat]"))
    assert "Administrator" in [o.text for o in Select(d.find_element(By.ID, "role-select")).options]
    d.execute_script("arguments[0].scrollIntoView()", d.find_element(By.ID, "accounts"))
    browser.shot("admin-accounts-en")
    d.find_element(By.ID, "lang").click()
