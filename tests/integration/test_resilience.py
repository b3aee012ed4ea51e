"""Crashes and restarts: a killed hub, a restarted broker. Nothing a citizen was given may be lost or doubled."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from counter_terminal.core import CounterCore
from display_controller.core import DisplayCore
from hub.app import broker_accounts
from kiosk.core import KioskCore
from motcua_core.errors import RequestError
from tests.support.hubproc import InProcessHub
from tests.support.storm import TicketStorm


def test_hub_killed_mid_stream_loses_no_ticket_and_duplicates_none(tmp_path: Path) -> None:
    per_kiosk = 40
    with TicketStorm(tmp_path, 3, per_kiosk, within=90) as storm:
        storm.wait_acked(30)
        killed_at = storm.restart_hub(down_for=1.0)  # mid-stream: requests are in flight
        storm.join(90)
    assert killed_at < 3 * per_kiosk, "the hub was killed after the stream ended: the test proves nothing"
    assert len(storm.acked) == 3 * per_kiosk
    numbers = [a["number"] for a in storm.acked]
    assert len(set(numbers)) == len(numbers), "two citizens got the same number"
    assert storm.register_numbers() == [str(1001 + i) for i in range(3 * per_kiosk)], \
        "the hub's register has extra, missing or out-of-order tickets"


def _on_hub_loop(hub: InProcessHub, coro) -> object:
    assert hub.thread is not None
    return asyncio.run_coroutine_threadsafe(coro, hub.thread.loop).result(30)


def test_broker_restart_is_survived_and_outbox_drains(hub: InProcessHub) -> None:
    kiosk = KioskCore(hub.device("kiosk"))
    counters = [CounterCore(hub.device("counter", counter=n)) for n in (1, 2)]
    display = DisplayCore(hub.device("display"))
    for _ in range(4):
        kiosk.issue_ticket("HT")
    for c, (user, pin) in zip(counters, [("lan1", "1111"), ("hung2", "2222")], strict=True):
        c.login(user, pin)
        c.open()
        c.next()

    broker = hub.hub.broker
    _on_hub_loop(hub, broker.stop())  # the broker is down: a power blip on the switch, say
    for c in counters:
        c.complete()  # officers press Done anyway: kept in each device's outbox
    assert all(c.session.outbox.pending() == 1 for c in counters)
    try:
        kiosk.session.request("ticket.issue", {"service": "HT"}, timeout=0.5, retries=0)
        raise AssertionError("a ticket was issued with no broker")
    except RequestError as exc:
        assert exc.code == "timeout"

    _on_hub_loop(hub, broker.start(broker_accounts(hub.hub.db, hub.data)))
    for c in counters:
        assert c.session.outbox.wait_empty(20), "outbox did not drain after the broker came back"
    state = display.wait_state(lambda s: all(c["current"] is None for c in s["counters"][:2]), 10)
    assert state is not None, "the lobby still shows the finished tickets"
    assert sum(c.state()["today"]["done"] for c in counters) == 2
    assert kiosk.issue_ticket("HT")["number"] == "1005"


def test_broker_crash_is_restarted_by_the_hub(hub: InProcessHub) -> None:
    import os
    import signal

    kiosk = KioskCore(hub.device("kiosk"))
    assert kiosk.issue_ticket("CT")["number"] == "2001"
    pid = hub.hub.broker.status()["pid"]
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        st = hub.hub.broker.status()
        if st["running"] and st["pid"] != pid:
            break
        time.sleep(0.1)
    assert hub.hub.broker.status()["restarts"] == 1
    assert kiosk.session.wait_connected(15)
    rid = kiosk.new_confirmation()
    deadline = time.monotonic() + 20
    while True:
        try:
            assert kiosk.issue_ticket("CT", request_id=rid)["number"] == "2002"
            break
        except RequestError:
            assert time.monotonic() < deadline
