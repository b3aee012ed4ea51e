"""Issue #15: GET /api/v1/sites/<site>/state is the state the lobby screens were sent, and follows every
change (a ticket issued, a call), over a real hub and broker."""

from __future__ import annotations

import json
import urllib.request

from counter_terminal.core import CounterCore
from display_controller.core import DisplayCore
from kiosk.core import KioskCore
from tests.support.hubproc import InProcessHub


def _get_state(hub: InProcessHub) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{hub.http_port}/api/v1/sites/demo/state", timeout=5) as r:
        assert r.headers["Content-Type"].startswith("application/json")
        return json.loads(r.read())


def test_state_endpoint_shows_what_the_lobby_shows(hub: InProcessHub) -> None:
    kiosk = KioskCore(hub.device("kiosk"))
    counter = CounterCore(hub.device("counter", counter=1))
    display = DisplayCore(hub.device("display"))
    before = _get_state(hub)
    assert before["site"] == "demo" and before["site_name"] and "boot" not in before

    kiosk.issue_ticket("HT")
    waiting = lambda s: next(x["waiting"] for x in s["services"] if x["code"] == "HT")  # noqa: E731
    assert _get_state(hub) != before and waiting(_get_state(hub)) == waiting(before) + 1

    counter.login("lan1", "1111")

    counter.open()
    called = counter.next()
    shown = display.wait_state(lambda s: any((c["current"] or {}).get("ticket") == called["number"]
                                             for c in s["counters"]), 5)
    assert shown is not None
    got = _get_state(hub)
    assert got["seq"] == shown["seq"] and got["counters"] == shown["counters"]
    assert got["last_call"]["ticket"] == called["number"]
    assert set(got) == set(before)  # the same fields as before issue #15 and every time
