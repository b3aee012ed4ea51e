"""Data at rest over a real hub (issue #10 items 4 and 8): private files, and no fresh empty hub on a
lost or foreign database."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.hubproc import HubProcess, InProcessHub, prepare, register


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.mark.sqlite_only  # the SQLite file in the data directory
def test_database_logs_and_device_files_are_private(hub: InProcessHub, figures) -> None:
    kiosk = hub.device("kiosk", device_id="kiosk-m")
    kiosk.request("ticket.issue", {"service": "HT"})
    kiosk.outbox.put("ticket.status", {"ticket_id": 1})
    time.sleep(0.3)
    data = hub.data
    files = [data / "motcua.db", data / "motcua.db-wal", data / "motcua.db-shm", data / "hub.secret",
             data / "broker" / "mosquitto.log", data / "broker" / "passwd"]
    device_files = sorted(p for p in kiosk.config.data_dir.iterdir() if p.is_file())
    modes = {str(p.relative_to(data)): oct(_mode(p)) for p in files + device_files}
    figures(data_dir=oct(_mode(data)), device_dir=oct(_mode(kiosk.config.data_dir)), files=modes)
    assert _mode(data) == 0o700
    assert _mode(kiosk.config.data_dir) == 0o700
    assert device_files, "the device wrote no outbox file"
    assert all(v == "0o600" for v in modes.values()), modes


def _serve(data: Path, proc: HubProcess) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "motcua.cli", "hub", "serve", "--data", str(data), "--http-host", "127.0.0.1",
         "--http-port", str(proc.http_port), "--mqtt-bind", "127.0.0.1", "--mqtt-port", str(proc.mqtt_port),
         "--mqtt-tls-port", "0"],
        capture_output=True, text=True, timeout=20)


@pytest.mark.sqlite_only  # the SQLite file in the data directory
def test_hub_refuses_an_emptied_or_foreign_database(tmp_path: Path, figures) -> None:
    data = tmp_path / "hub"
    prepare(data)
    proc = HubProcess(data)
    register(data, "kiosk", proc.mqtt_port)
    proc.start()
    proc.stop()
    passwd = (data / "broker" / "passwd").read_bytes()
    db = data / "motcua.db"
    good = db.read_bytes()
    refusals = {}
    # A zero-length database (a full disk, a bad copy): the hub must not start fresh on it.
    db.write_bytes(b"")
    for f in ("motcua.db-wal", "motcua.db-shm"):
        (data / f).unlink(missing_ok=True)
    out = _serve(data, proc)
    refusals["empty"] = out.returncode
    assert out.returncode != 0 and "empty" in out.stderr and "motcua hub restore" in out.stderr, out.stderr[-800:]
    assert db.stat().st_size == 0, "the refused database was rewritten"
    # Truncated: half of the file.
    db.write_bytes(good[: len(good) // 2])
    out = _serve(data, proc)
    refusals["truncated"] = out.returncode
    assert out.returncode != 0 and "truncated" in out.stderr, out.stderr[-800:]
    # Foreign: another hub's database, whole and valid.
    other = tmp_path / "other"
    prepare(other)
    shutil.copy(other / "motcua.db", db)
    out = _serve(data, proc)
    refusals["foreign"] = out.returncode
    assert out.returncode != 0 and "another hub" in out.stderr, out.stderr[-800:]
    assert (data / "broker" / "passwd").read_bytes() == passwd, "the broker's password file was rewritten"
    # The right database back: the hub starts and its devices' accounts are intact.
    db.write_bytes(good)
    proc.start()
    proc.stop()
    users = [line.split(b":")[0] for line in passwd.splitlines()]  # hashes are re-salted at each start
    assert [line.split(b":")[0] for line in (data / "broker" / "passwd").read_bytes().splitlines()] == users
    figures(exit_codes=refusals, passwd_untouched=True)
