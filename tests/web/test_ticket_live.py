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
    browser.wait(lambda d: "Không có ai chờ trước ông/bà" in status(d), timeout=30)
    counter.complete()
    assert counter.session.outbox.wait_empty(30)
    assert counter.next()["number"] == mine["number"]
    browser.wait(lambda d: "Đã đến lượt: xin mời đến Quầy 1" in status(d), timeout=30)
    assert d.execute_script("return window.__marker") == "same page"
    time.sleep(0.2)
    browser.shot("ticket-page-live-called")


class SmsGateway:
    """A local stand-in for an SMS brand-name gateway: records each JSON POST {to, text}."""

    def __init__(self) -> None:
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.messages: list[dict] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                gateway.messages.append({"auth": self.headers.get("Authorization"), **json.loads(body)})
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *_a) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_an_sms_when_the_turn_is_near(console: InProcessHub) -> None:
    """The citizen gives a phone number on the ticket page; when that many people are ahead, one SMS goes
    out through the office's gateway (here a local stand-in), once."""
    import json
    import urllib.error
    import urllib.parse
    import urllib.request

    from hub.app import open_data_dir
    from hub.notify import outbox
    from hub.notify.senders import load

    gateway = SmsGateway()
    (console.data / "notify.json").write_text(json.dumps({"sms": {"url": gateway.url, "token": "gw-secret"}}))
    kiosk = KioskCore(console.device("kiosk"))
    tickets = [kiosk.issue_ticket("HT") for _ in range(4)]
    page = f"http://127.0.0.1:{console.http_port}/t/demo/{tickets[3]['id']}"
    with urllib.request.urlopen(page, timeout=5) as r:
        assert "Nhắn tin cho tôi khi sắp đến lượt" in r.read().decode()
    bad = urllib.parse.urlencode({"phone": "12345", "ahead": "1"}).encode()
    try:
        urllib.request.urlopen(page + "/nhan-tin", data=bad, timeout=5)
        raise AssertionError("a bad number was accepted")
    except urllib.error.HTTPError as err:
        assert err.code == 400 and "Số di động gồm 10 chữ số" in err.read().decode()
    form = urllib.parse.urlencode({"phone": "0912 345 678", "ahead": "1"}).encode()
    with urllib.request.urlopen(page + "/nhan-tin", data=form, timeout=5) as r:
        assert "Sẽ nhắn tin đến 091****678" in r.read().decode()
    counter = CounterCore(console.device("counter", counter=1))
    counter.login("lan1", "1111")
    counter.open()
    db = open_data_dir(console.data)
    try:
        counter.next()  # 2 ahead now: not yet
        outbox.deliver(db, load(console.data), console.clock())
        assert gateway.messages == []
        counter.next()  # 1 ahead: the SMS
        counter.next()  # 0 ahead: not again
        outbox.deliver(db, load(console.data), console.clock())
    finally:
        db.conn.close()
    assert len(gateway.messages) == 1, gateway.messages
    sms = gateway.messages[0]
    assert sms["to"] == "0912345678" and sms["auth"] == "Bearer gw-secret"
    assert f"sắp đến lượt số {tickets[3]['number']}" in sms["text"] and "Còn 1 người phía trước" in sms["text"]
