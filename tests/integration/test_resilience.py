"""Crashes and restarts: a killed hub, a restarted broker. Nothing a citizen was given may be lost or doubled."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

from counter_terminal.core import CounterCore
from devicekit.session import DeviceSession
from display_controller.core import DisplayCore
from hub.app import broker_accounts
from kiosk.core import KioskCore
from motcua_core.errors import RequestError
from tests.support.hubproc import HubProcess, InProcessHub, prepare, register


def _issue_until_answered(kiosk: KioskCore, service: str, stop_at: float) -> dict:
    """What the kiosk app does: keep retrying the same confirmation until the hub answers."""
    rid = kiosk.new_confirmation()
    while True:
        try:
            return kiosk.issue_ticket(service, request_id=rid)
        except RequestError as exc:
            assert exc.code == "timeout", exc
            assert time.monotonic() < stop_at, "hub never came back"


def test_hub_killed_mid_stream_loses_no_ticket_and_duplicates_none(tmp_path: Path) -> None:
    prepare(tmp_path)
    proc = HubProcess(tmp_path)
    cfgs = [register(tmp_path, "kiosk", proc.mqtt_port) for _ in range(3)]
    proc.start()
    sessions = [DeviceSession(c) for c in cfgs]
    for s in sessions:
        s.start()
        assert s.wait_connected(10)
    per_kiosk = 40
    answers: list[dict] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + 90

    def run(session: DeviceSession) -> None:
        kiosk = KioskCore(session)
        for _ in range(per_kiosk):
            t = _issue_until_answered(kiosk, "HT", stop_at)
            with lock:
                answers.append(t)

    threads = [threading.Thread(target=run, args=(s,)) for s in sessions]
    try:
        for t in threads:
            t.start()
        while len(answers) < 30:
            time.sleep(0.01)
        proc.kill_hard()  # mid-stream: requests are in flight
        killed_at = len(answers)
        time.sleep(1.0)
        proc = HubProcess(tmp_path, http_port=proc.http_port, mqtt_port=proc.mqtt_port).start()
        for t in threads:
            t.join(90)
    finally:
        for s in sessions:
            s.stop()
        proc.stop()
    assert killed_at < 3 * per_kiosk, "the hub was killed after the stream ended: the test proves nothing"
    assert len(answers) == 3 * per_kiosk
    numbers = [a["number"] for a in answers]
    assert len(set(numbers)) == len(numbers), "two citizens got the same number"
    db = sqlite3.connect(tmp_path / "motcua.db")
    rows = db.execute("SELECT number FROM tickets ORDER BY seq").fetchall()
    assert [r[0] for r in rows] == [str(1001 + i) for i in range(3 * per_kiosk)], \
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
