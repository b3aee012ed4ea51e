"""kill -9 of the hub and of its broker during a ticket storm, and a broker restart with outboxes
draining (real hub process, real Mosquitto): every acknowledged ticket is in the register, none twice,
no gap in the numbers."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from kiosk.core import KioskCore
from tests.reliability.conftest import hub_process_with_kiosk
from tests.support.storm import TicketStorm

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
    kills = []
    with TicketStorm(tmp_path, KIOSKS, PER_KIOSK, within=120) as storm:
        for target, at in (("hub", 30), ("broker", 80), ("hub", 120)):
            storm.wait_acked(at, poll=0.005)
            if target == "hub":
                kills.append(("hub", storm.restart_hub(down_for=0.5)))
            else:
                old = _broker_pid(tmp_path)
                os.kill(old, signal.SIGKILL)
                kills.append(("broker", len(storm.acked)))
                _wait_new_broker(tmp_path, old)
        storm.join(120)
    acked = storm.acked
    rows = storm.register_numbers()
    numbers = [a["number"] for a in acked]
    dupes = len(numbers) - len(set(numbers))
    gaps = len(set(range(1001, 1001 + len(rows))) - {int(n) for n in rows})
    figures(kills=kills, acked=len(acked), rows=len(rows), duplicates=dupes, gaps=gaps, timeouts_retried=storm.retries)
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
