"""kill -9 of the hub and of its broker during a ticket storm, and a broker restart with outboxes
draining (real hub process, real Mosquitto): every acknowledged ticket is in the register, none twice,
no gap in the numbers."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

from devicekit.session import DeviceSession
from kiosk.core import KioskCore
from motcua_core.errors import RequestError
from tests.reliability.conftest import hub_process_with_kiosk
from tests.support.hubproc import HubProcess, prepare, register

KIOSKS, PER_KIOSK = 3, 60


def _broker_pid(data: Path) -> int:
    return int((data / "broker" / "mosquitto.pid").read_text())


def _wait_new_broker(data: Path, old: int, timeout: float = 20) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pid = _broker_pid(data)
            if pid != old and Path(f"/proc/{pid}").exists():
                return pid
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    raise AssertionError("the hub did not restart its broker")


def test_kill_hub_and_broker_during_a_ticket_storm(tmp_path: Path, figures) -> None:
    prepare(tmp_path)
    proc = HubProcess(tmp_path)
    cfgs = [register(tmp_path, "kiosk", proc.mqtt_port) for _ in range(KIOSKS)]
    proc.start()
    sessions = [DeviceSession(c) for c in cfgs]
    for s in sessions:
        s.start()
        assert s.wait_connected(10)
    acked: list[dict] = []
    retries = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + 120

    def run(session: DeviceSession) -> None:
        kiosk = KioskCore(session)
        for _ in range(PER_KIOSK):
            rid = kiosk.new_confirmation()  # the kiosk app's loop: the same confirmation until answered
            while True:
                try:
                    t = kiosk.issue_ticket("HT", request_id=rid)
                    break
                except RequestError as exc:
                    assert exc.code == "timeout", exc
                    assert time.monotonic() < stop_at, "the hub never came back"
                    with lock:
                        retries[0] += 1
            with lock:
                acked.append(t)

    threads = [threading.Thread(target=run, args=(s,)) for s in sessions]
    kills = []
    try:
        for t in threads:
            t.start()
        for target, at in (("hub", 30), ("broker", 80), ("hub", 120)):
            while len(acked) < at:
                time.sleep(0.005)
            if target == "hub":
                proc.kill_hard()
                kills.append(("hub", len(acked)))
                time.sleep(0.5)
                proc = HubProcess(tmp_path, http_port=proc.http_port, mqtt_port=proc.mqtt_port).start()
            else:
                old = _broker_pid(tmp_path)
                os.kill(old, signal.SIGKILL)
                kills.append(("broker", len(acked)))
                _wait_new_broker(tmp_path, old)
        for t in threads:
            t.join(120)
    finally:
        for s in sessions:
            s.stop()
        proc.stop()
    rows = [r[0] for r in sqlite3.connect(tmp_path / "motcua.db").execute(
        "SELECT number FROM tickets ORDER BY seq").fetchall()]
    numbers = [a["number"] for a in acked]
    dupes = len(numbers) - len(set(numbers))
    gaps = len(set(range(1001, 1001 + len(rows))) - {int(n) for n in rows})
    figures(kills=kills, acked=len(acked), rows=len(rows), duplicates=dupes, gaps=gaps, timeouts_retried=retries[0])
    assert all(at < KIOSKS * PER_KIOSK for _, at in kills), "a kill came after the storm: it proves nothing"
    assert len(acked) == KIOSKS * PER_KIOSK == len(rows)
    assert dupes == 0 and gaps == 0
    assert sorted(numbers) == sorted(rows)


def test_broker_restart_drains_device_outboxes(tmp_path: Path, figures) -> None:
    proc, _, session = hub_process_with_kiosk(tmp_path)
    try:
        ticket = KioskCore(session).issue_ticket("HT")
        old = _broker_pid(tmp_path)
        os.kill(old, signal.SIGSTOP)  # the broker hangs (a frozen switch): requests pile up in the outbox
        queued = [session.outbox.put("ticket.status", {"ticket_id": ticket["id"]}) for _ in range(20)]
        time.sleep(0.5)
        pending_while_down = session.outbox.pending()
        os.kill(old, signal.SIGKILL)
        _wait_new_broker(tmp_path, old)
        t0 = time.monotonic()
        drained = session.outbox.wait_empty(30)
        drain_s = time.monotonic() - t0
    finally:
        session.stop()
        proc.stop()
    figures(queued=len(queued), pending_while_down=pending_while_down, drained=drained, drain_s=round(drain_s, 2))
    assert pending_while_down > 0 and drained
