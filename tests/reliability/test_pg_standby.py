"""One active hub per PostgreSQL database: a second `motcua hub serve` on the same database waits as a
standby (no HTTP, no broker, no router, no timers) and takes over when the active one dies."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.hubproc import HubProcess, health, prepare
from tests.support.net import wait_port

pytestmark = pytest.mark.once  # its own database on the cluster: once, in the first pass


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.integration
def test_a_second_hub_waits_and_takes_over_within_10_s(tmp_path: Path, pg_cluster, monkeypatch, figures) -> None:
    monkeypatch.setenv("MOTCUA_DB", pg_cluster.create_database("standby_test"))
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    a_dir.mkdir()
    b_dir.mkdir()
    prepare(a_dir)
    active = HubProcess(a_dir).start()
    standby = HubProcess(b_dir)
    with open(b_dir / "hub-process.log", "ab") as log:
        standby.proc = subprocess.Popen(
            [sys.executable, "-m", "motcua.cli", "hub", "serve", "--data", str(b_dir), "--http-host", "127.0.0.1",
             "--http-port", str(standby.http_port), "--mqtt-bind", "127.0.0.1", "--mqtt-port", str(standby.mqtt_port),
             "--mqtt-tls-port", str(standby.mqtt_tls_port)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        time.sleep(4)
        assert standby.proc.poll() is None, (b_dir / "hub-process.log").read_text()
        assert not _listening(standby.http_port) and not _listening(standby.mqtt_port)  # a standby serves nothing
        assert "standby" in (b_dir / "hub-process.log").read_text()

        active.kill_hard()
        t0 = time.monotonic()
        wait_port(standby.http_port, timeout=10)
        took = time.monotonic() - t0
        figures(takeover_s=round(took, 2))
        assert health(standby.http_port)["status"] in ("ok", "degraded")
        assert "taking over" in (b_dir / "hub-process.log").read_text()
    finally:
        active.stop()
        standby.stop()
