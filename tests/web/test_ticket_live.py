"""The phone ticket page follows the queue live (server-sent events), with no reload: a citizen who opened
it from the QR sees "Đã đến lượt" the moment a counter calls the number."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By

from counter_terminal.core import CounterCore
from kiosk.core import KioskCore
from tests.support.browser import Browser
from tests.support.hubproc import InProcessHub


@pytest.fixture
def browser() -> Iterator[Browser]:
    with Browser() as b:
        yield b


def test_ticket_page_updates_live_without_reloading(console: InProcessHub, browser: Browser) -> None:
    kiosk = KioskCore(console.device("kiosk"))
    first = kiosk.issue_ticket("HT")
    mine = kiosk.issue_ticket("HT")
    d = browser.driver
    d.set_window_size(390, 844)
    d.get(f"http://127.0.0.1:{console.http_port}/t/demo/{mine['id']}")
    status = lambda d: d.find_element(By.ID, "status").text  # noqa: E731
    assert "Trước ông/bà còn 1 người" in status(d)
    assert not d.find_elements(By.CSS_SELECTOR, "meta[http-equiv='refresh']"), "the page must not reload itself"
    d.execute_script("window.__marker = 'same page'")
    counter = CounterCore(console.device("counter", counter=1))
    counter.login("lan1", "1111")
    counter.open()
    assert counter.next()["number"] == first["number"]
    browser.wait(lambda d: "Không có ai chờ trước ông/bà" in status(d), timeout=5)
    counter.complete()
    assert counter.session.outbox.wait_empty(5)
    assert counter.next()["number"] == mine["number"]
    browser.wait(lambda d: "Đã đến lượt: xin mời đến Quầy 1" in status(d), timeout=5)
    assert d.execute_script("return window.__marker") == "same page"
    time.sleep(0.2)
    browser.shot("ticket-page-live-called")
