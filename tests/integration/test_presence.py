"""Issue #15: the hub's view of its fleet (what the fleet page shows) over a real hub and Mosquitto.

A few dozen real device sessions report status and health; the hub writes them coalesced, a handful of
commits for all of them, and after the broker is killed and restarted its registry is right again
within seconds, the reconnect's retained statuses included.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

from devicekit.session import DeviceSession
from hub.app import open_data_dir
from tests.support.hubproc import InProcessHub, prepare, register

DEVICES = 40


def _registry(data: Path) -> dict[str, tuple[str, float | None, str | None]]:
    rows = open_data_dir(data).execute("SELECT id, status, last_seen, health FROM devices WHERE role = 'kiosk'").fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def _until(check: Callable[[], bool], timeout: float) -> float | None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if check():
            return time.monotonic() - t0
        time.sleep(0.1)
    return None


def test_fleet_presence_is_batched_and_right_after_a_broker_restart(tmp_path: Path) -> None:
    prepare(tmp_path)
    h = InProcessHub(tmp_path)
    configs = [register(tmp_path, "kiosk", h.mqtt_port) for _ in range(DEVICES)]
    h.start()
    try:
        for cfg in configs:
            h.session(cfg)
        online = lambda: all(s == "online" and health for s, _, health in _registry(tmp_path).values())  # noqa: E731
        assert _until(online, 60) is not None, _registry(tmp_path)
        stats = h.hub.router.stats
        # 40 statuses and 40 health reports: a few presence commits, not one per message.
        assert stats["presence"] >= 2 * DEVICES
        assert stats["presence_batches"] <= stats["presence"] / 8

        # One device leaves cleanly: the hub records it offline.
        gone: DeviceSession = h.sessions[0]
        gone.stop()
        gone_id = gone.config.device_id
        assert _until(lambda: _registry(tmp_path)[gone_id][0] == "offline", 30) is not None

        # Kill Mosquitto; the hub restarts it, devices and hub reconnect.
        seen_before = {d: v[1] for d, v in _registry(tmp_path).items()}
        pid = h.hub.broker.status()["pid"]
        os.kill(pid, signal.SIGKILL)

        def back() -> bool:
            reg = _registry(tmp_path)
            return all(reg[d][0] == "online" and reg[d][1] > seen_before[d]
                       for d in reg if d != gone_id) and reg[gone_id][0] == "offline"

        took = _until(back, 60)
        assert took is not None, _registry(tmp_path)
        assert h.hub.broker.status()["pid"] != pid
    finally:
        h.stop()
