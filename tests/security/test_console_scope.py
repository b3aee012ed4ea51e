"""The console in Chromium on a hub of two sites: a province leader chooses the site it looks at; a
site's leader sees its own site only, and what the page does not offer the API refuses too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.security.conftest import Walls
from tests.support.browser import Browser
from tests.web.conftest import PASSWORD, add_account


def text(d, element_id: str) -> str:  # noqa: ANN001
    """An element's text, or "" while the page is being replaced under it."""
    try:
        return d.find_element(By.ID, element_id).text
    except StaleElementReferenceException:
        return ""


def shown(d, element_id: str) -> bool:  # noqa: ANN001
    try:
        return d.find_element(By.ID, element_id).is_displayed()
    except StaleElementReferenceException:
        return False


def sign_in(b: Browser, base: str, username: str) -> None:
    b.sign_in(base, username, PASSWORD)


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
    browser.wait(lambda d: shown(d, "site-pick"))
    pick = d.find_element(By.ID, "site-pick")
    names = [o.text for o in Select(pick).options]
    assert names == ["Trung tâm Phục vụ hành chính công xã Hai",  # Vietnamese order: "Hai" before "Hòa"
                     "Trung tâm Phục vụ hành chính công xã Hòa An (demo)"]
    Select(pick).select_by_value("xa2")
    browser.wait(lambda d: "site=xa2" in d.current_url
                 and text(d, "site-name") == "Trung tâm Phục vụ hành chính công xã Hai")
    browser.wait(lambda d: text(d, "counters"))
    browser.shot("console-province-leader-xa2")
    d.find_element(By.ID, "signout").click()
    browser.wait(lambda d: d.current_url.endswith("/login"))

    sign_in(browser, base, "lanhdao-xa2")
    browser.wait(lambda d: text(d, "site-name") == "Trung tâm Phục vụ hành chính công xã Hai")
    assert not d.find_element(By.ID, "site-pick").is_displayed()
    d.get(f"{base}/console/?site=demo#dashboard")  # asking for demo in the address changes nothing
    browser.wait(lambda d: text(d, "site-name") == "Trung tâm Phục vụ hành chính công xã Hai")
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
        browser.wait(lambda d: shown(d, "admin") and text(d, "site-name"))  # start() ran past the site list
        assert d.find_element(By.ID, "f-catalog").is_displayed() == offered, user
        d.find_element(By.ID, "signout").click()
        browser.wait(lambda d: d.current_url.endswith("/login"))
