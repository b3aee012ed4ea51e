"""A ticket storm against a hub in its own process (tests/support/hubproc.HubProcess), for the kill -9
and restart tests: kiosks in threads issue tickets as the kiosk app does, retrying the same confirmation
until the hub answers, while the test kills and restarts what it wants. `hub_with_kiosks` is its start-up
(a hub process and connected kiosks), also for the tests that drive a kiosk themselves."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from devicekit.session import DeviceSession
from kiosk.core import KioskCore
from motcua_core.device_config import DeviceConfig
from motcua_core.errors import RequestError
from tests.support.hubproc import HubProcess, prepare, register


def hub_with_kiosks(data: Path, kiosks: int) -> tuple[HubProcess, list[DeviceConfig], list[DeviceSession]]:
    """A fresh demo hub in `data` as its own process (for kill -9 and restarts) and `kiosks` kiosk
    sessions connected to its broker, with their device configs."""
    prepare(data)
    proc = HubProcess(data)
    cfgs = [register(data, "kiosk", proc.mqtt_port) for _ in range(kiosks)]
    proc.start()
    sessions = [DeviceSession(c) for c in cfgs]
    for s in sessions:
        s.start()
        assert s.wait_connected(10), "the kiosk could not connect to the hub's broker"
    return proc, cfgs, sessions


class TicketStorm:
    """`kiosks` connected kiosks of a fresh demo hub, each to issue `per_kiosk` tickets of `service`, all
    answered within `within` seconds of the start. `with TicketStorm(…) as storm:` starts the kiosks'
    threads; leaving it stops the kiosks and the hub (whichever `proc` is by then)."""

    def __init__(self, data: Path, kiosks: int, per_kiosk: int, *, within: float, service: str = "HT") -> None:
        self.data, self.per_kiosk, self.service = data, per_kiosk, service
        self.proc, _, self.sessions = hub_with_kiosks(data, kiosks)
        self.total = kiosks * per_kiosk
        self.acked: list[dict] = []  # every ticket a kiosk was given, in the order they came
        self.retries = 0  # requests that timed out and were sent again
        self._lock = threading.Lock()
        self._stop_at = time.monotonic() + within
        self._threads = [threading.Thread(target=self._run, args=(s,)) for s in self.sessions]

    def _run(self, session: DeviceSession) -> None:
        kiosk = KioskCore(session)
        for _ in range(self.per_kiosk):
            t = self._issue_until_answered(kiosk)
            with self._lock:
                self.acked.append(t)

    def _issue_until_answered(self, kiosk: KioskCore) -> dict:
        """What the kiosk app does: keep retrying the same confirmation until the hub answers."""
        rid = kiosk.new_confirmation()
        while True:
            try:
                return kiosk.issue_ticket(self.service, request_id=rid)
            except RequestError as exc:
                assert exc.code == "timeout", exc
                assert time.monotonic() < self._stop_at, "the hub never came back"
                with self._lock:
                    self.retries += 1

    def __enter__(self) -> TicketStorm:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_acked(self, n: int, poll: float = 0.01) -> None:
        while len(self.acked) < n:
            time.sleep(poll)

    def restart_hub(self, down_for: float) -> int:
        """kill -9 the hub mid-stream (requests in flight), start it again on the same ports after
        `down_for` seconds; returns how many tickets had been acknowledged at the kill."""
        self.proc.kill_hard()
        at = len(self.acked)
        time.sleep(down_for)
        self.proc = HubProcess(self.data, http_port=self.proc.http_port, mqtt_port=self.proc.mqtt_port).start()
        return at

    def join(self, timeout: float) -> None:
        for t in self._threads:
            t.join(timeout)

    def stop(self) -> None:
        for s in self.sessions:
            s.stop()
        self.proc.stop()

    def register_numbers(self) -> list[str]:
        """The ticket numbers in the hub's register, in the order issued."""
        from hub.app import open_data_dir

        db = open_data_dir(self.data)
        try:
            return [r[0] for r in db.execute("SELECT number FROM tickets ORDER BY seq").fetchall()]
        finally:
            db.close()
