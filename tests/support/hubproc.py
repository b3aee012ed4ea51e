"""Running a real hub for tests: in-process (with a controllable clock) or as a separate process.

Nothing here fakes the hub: it is the same Hub class `motcua hub serve` runs, with its own Mosquitto,
on free ports in a temporary directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from devicekit.session import DeviceSession
from hub.app import HubConfig, load_site_file, open_data_dir
from hub.cli.common import DEMO_SITE
from hub.cli.devices import device_config_dict
from hub.store import devices as device_store
from hub.store.db import transaction
from motcua.demo import HubThread
from motcua_core import clock as wallclock
from motcua_core.device_config import DeviceConfig
from tests.support.net import free_port, wait_port


class Clock:
    """The system's wall clock (motcua_core.clock: shifted by MOTCUA_TEST_NOW) plus an offset a test can
    move forward (to cross midnight, say)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return wallclock.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    def set(self, ts: float) -> None:
        """Jump to the moment `ts` (seconds since the epoch); the clock advances normally from there."""
        self.offset = ts - wallclock.time()


def prepare(data: Path, site_file: Path = DEMO_SITE, *, with_catalogue: bool = False) -> None:
    """A data directory with the site loaded (and the starter catalogue of procedures, when asked)."""
    db = open_data_dir(data)
    load_site_file(db, site_file)
    if with_catalogue:
        from hub.store import catalogue

        with transaction(db):
            catalogue.load(db, json.loads(catalogue.STARTER.read_text(encoding="utf-8")))
    db.conn.close()


def register(data: Path, role: str, mqtt_port: int, *, counter: int | None = None, device_id: str | None = None,
             site: str = "demo") -> DeviceConfig:
    db = open_data_dir(data)
    with transaction(db):
        dev, secret = device_store.add(db, site_id=site, role=role, now=wallclock.time(), counter=counter,
                                       device_id=device_id)
    db.conn.close()
    return DeviceConfig.from_dict({**device_config_dict(dev, secret, "127.0.0.1", mqtt_port),
                                   "data_dir": str(data / "device-state" / dev.id),
                                   "request_timeout_s": 2.0, "request_retries": 3})


@dataclass
class InProcessHub:
    data: Path
    http_port: int = field(default_factory=free_port)
    mqtt_port: int = field(default_factory=free_port)
    clock: Clock = field(default_factory=Clock)
    sessions: list[DeviceSession] = field(default_factory=list)
    thread: HubThread | None = None
    http_host: str = "127.0.0.1"
    mqtt_tls_port: int | None = None  # a TLS listener with the hub's CA (issue #10), when a test wants one

    def start(self) -> InProcessHub:
        from hub.app import Hub

        self.thread = HubThread(HubConfig(data_dir=self.data, http_host=self.http_host, http_port=self.http_port,
                                          mqtt_port=self.mqtt_port, mqtt_tls_port=self.mqtt_tls_port))
        self.thread.hub = Hub(self.thread.hub.config, clock=self.clock)
        self.thread.start()
        return self

    @property
    def hub(self):
        assert self.thread is not None
        return self.thread.hub

    def device(self, role: str, *, counter: int | None = None, start: bool = True,
               device_id: str | None = None) -> DeviceSession:
        cfg = register(self.data, role, self.mqtt_port, counter=counter, device_id=device_id)
        if self.thread is not None:  # let the running hub apply the new account now, not at its next poll
            asyncio.run_coroutine_threadsafe(self.hub.sync_registry(), self.thread.loop).result(10)
        return self.session(cfg, start=start)

    def session(self, cfg: DeviceConfig, start: bool = True) -> DeviceSession:
        s = DeviceSession(cfg)
        self.sessions.append(s)
        if start:
            s.start()
            assert s.wait_connected(10), "device could not connect to the hub's broker"
        return s

    def stop(self) -> None:
        for s in self.sessions:
            s.stop()
        if self.thread is not None:
            self.thread.stop()


@dataclass
class HubProcess:
    """`motcua hub serve` in its own process, for kill -9 and restart tests."""

    data: Path
    http_port: int = field(default_factory=free_port)
    mqtt_port: int = field(default_factory=free_port)
    mqtt_tls_port: int = field(default_factory=free_port)  # the LAN listener (TLS with the hub's CA)
    proc: subprocess.Popen | None = None

    def start(self) -> HubProcess:
        with open(self.data / "hub-process.log", "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "motcua.cli", "hub", "serve", "--data", str(self.data),
                 "--http-host", "127.0.0.1", "--http-port", str(self.http_port), "--mqtt-bind", "127.0.0.1",
                 "--mqtt-port", str(self.mqtt_port), "--mqtt-tls-port", str(self.mqtt_tls_port)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env={**os.environ},
            )
        wait_port(self.http_port, timeout=30)
        return self

    def kill_hard(self) -> None:
        """SIGKILL the hub alone; its Mosquitto child lives on in its own session, like after a crash."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        _kill_orphan_broker(self.data)


def _kill_orphan_broker(data: Path) -> None:
    """A hub killed with SIGKILL leaves its Mosquitto running; tests clean it up by its config path."""
    conf = str((data / "broker" / "mosquitto.conf").resolve())
    out = subprocess.run(["pgrep", "-f", conf], capture_output=True, text=True).stdout.split()
    for pid in out:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGTERM)


def health(port: int) -> dict:
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=5) as r:
        return json.loads(r.read())
