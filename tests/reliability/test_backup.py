"""`motcua hub backup` while the hub serves, and `motcua hub restore` after the database is lost: the
restored hub serves the same state (its tickets, its devices' accounts, the next number)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from devicekit.session import DeviceSession
from kiosk.core import KioskCore
from tests.reliability.conftest import hub_process_with_kiosk
from tests.support.hubproc import HubProcess

MOTCUA = [sys.executable, "-m", "motcua.cli"]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*MOTCUA, *args], capture_output=True, text=True, timeout=60)


@pytest.mark.sqlite_only  # the SQLite online backup
def test_backup_while_serving_and_restore_serves_the_same_state(tmp_path: Path, figures) -> None:
    data = tmp_path / "hub"
    proc, cfg, session = hub_process_with_kiosk(data)
    try:
        kiosk = KioskCore(session)
        for _ in range(10):
            kiosk.issue_ticket("HT")
        stop = threading.Event()
        during: list[dict] = []

        def storm() -> None:
            while not stop.is_set():
                during.append(kiosk.issue_ticket("HT"))

        t = threading.Thread(target=storm)
        t.start()
        time.sleep(0.3)
        t0 = time.perf_counter()
        out = _cli("hub", "backup", "--data", str(data), "--out", str(tmp_path / "b.db"))
        backup_s = time.perf_counter() - t0
        time.sleep(0.3)
        stop.set()
        t.join()
        assert out.returncode == 0, out.stderr
        backed = sqlite3.connect(tmp_path / "b.db").execute("SELECT COUNT(*), MAX(number) FROM tickets").fetchone()
        assert 10 <= backed[0] <= 10 + len(during)
    finally:
        session.stop()
        proc.stop()
    assert oct((tmp_path / "b.db").stat().st_mode & 0o777) == "0o600"
    assert list((data / "backups").glob("motcua-*.db")), "no daily backup was taken at start"
    # Disaster: the database is emptied. The hub refuses it; the backup is restored; the hub serves again.
    (data / "motcua.db").write_bytes(b"")
    assert _cli("hub", "restore", "--data", str(data), str(tmp_path / "b.db")).returncode == 0
    proc = HubProcess(data, http_port=proc.http_port, mqtt_port=proc.mqtt_port).start()
    session = DeviceSession(cfg)  # the same device credentials: the accounts came back with the database
    session.start()
    try:
        assert session.wait_connected(10), "the kiosk's account did not survive the restore"
        nxt = KioskCore(session).issue_ticket("HT")
        rows = sqlite3.connect(data / "motcua.db").execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
    finally:
        session.stop()
        proc.stop()
    figures(tickets_before_backup=10, issued_during_backup=len(during), in_backup=backed[0],
            backup_s=round(backup_s, 2), next_number_after_restore=nxt["number"], rows_after=rows)
    assert int(nxt["number"]) == int(backed[1]) + 1
    assert rows == backed[0] + 1
