"""The console in Chromium on a hub of two sites: a province leader chooses the site it looks at; a
site's leader sees its own site only, and what the page does not offer the API refuses too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.security.conftest import Walls
from tests.support.browser import Browser
from tests.web.conftest import add_account
from tests.web.test_console_browser import sign_in


@pytest.fixture
def browser() -> Iterator[Browser]:
    with Browser() as b:
        yield b


def test_a_province_leader_picks_a_site_and_a_site_leader_sees_only_its_own(walls: Walls, browser: Browser) -> None:
    add_account(walls.h.data, "lanhdao-tinh", "leader", None, None)
    add_account(walls.h.data, "lanhdao-xa2", "leader", "xa2", None)
    base = f"http://127.0.0.1:{walls.h.http_port}"
    d = browser.driver

    sign_in(browser, base, "lanhdao-tinh")
    pick = browser.wait(lambda d: d.find_element(By.ID, "site-pick").is_displayed() and d.find_element(By.ID, "site-pick"))
    names = [o.text for o in Select(pick).options]
    assert names == ["Trung tâm Phục vụ hành chính công xã Hai",  # Vietnamese order: "Hai" before "Hòa"
                     "Trung tâm Phục vụ hành chính công xã Hòa An (demo)"]
    Select(pick).select_by_value("xa2")
    browser.wait(lambda d: "site=xa2" in d.current_url
                 and d.find_element(By.ID, "site-name").text == "Trung tâm Phục vụ hành chính công xã Hai")
    browser.wait(lambda d: d.find_element(By.ID, "counters").text)
    browser.shot("console-province-leader-xa2")
    d.find_element(By.ID, "signout").click()
    browser.wait(lambda d: d.current_url.endswith("/login"))

    sign_in(browser, base, "lanhdao-xa2")
    browser.wait(lambda d: d.find_element(By.ID, "site-name").text == "Trung tâm Phục vụ hành chính công xã Hai")
    assert not d.find_element(By.ID, "site-pick").is_displayed()
    d.get(f"{base}/console/?site=demo#dashboard")  # asking for demo in the address changes nothing
    browser.wait(lambda d: d.find_element(By.ID, "site-name").text == "Trung tâm Phục vụ hành chính công xã Hai")
    status = d.execute_script("return fetch('/api/v1/sites/demo/dashboard').then(r => r.status)")
    assert status == 403
    browser.shot("console-xa2-leader")
    d.find_element(By.ID, "signout").click()
    browser.wait(lambda d: d.current_url.endswith("/login"))

    # A site's administrator is not offered the shared catalogue's import; the province's is.
    add_account(walls.h.data, "quantri-xa2", "admin", "xa2", None)
    add_account(walls.h.data, "quantri-tinh", "admin", None, None)
    for user, offered in (("quantri-xa2", False), ("quantri-tinh", True)):
        sign_in(browser, base, user)
        d.get(f"{base}/console/#admin")
        browser.wait(lambda d: d.find_element(By.ID, "admin").is_displayed()
                     and d.find_element(By.ID, "site-name").text)  # start() has run past the site list
        assert d.find_element(By.ID, "f-catalog").is_displayed() == offered, user
        d.find_element(By.ID, "signout").click()
        browser.wait(lambda d: d.current_url.endswith("/login"))
