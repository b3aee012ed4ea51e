"""The one wall clock (motcua_core.clock) and its test hook MOTCUA_TEST_NOW: every process the tests
start must see the same shifted moment, advancing normally."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest

from motcua_core import clock as wallclock
from tests.support.hubproc import HubProcess, prepare

pytestmark = pytest.mark.clock  # depends on the date or hour: make test-days

MOMENT = "2027-02-08T10:00:00+07:00"  # Tết Đinh Mùi: a holiday, a Monday


def _child_time() -> float:
    out = subprocess.run([sys.executable, "-c", "from motcua_core import clock; print(repr(clock.time()))"],
                         capture_output=True, text=True, check=True, timeout=30)
    return float(out.stdout)


@pytest.fixture
def shifted(monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.delenv(wallclock.TEST_NOW_OFFSET, raising=False)
    monkeypatch.setattr(wallclock, "_cached", None)  # anchor afresh, even when the run is already at MOMENT
    monkeypatch.setenv(wallclock.TEST_NOW, MOMENT)
    return datetime.fromisoformat(MOMENT)


def test_the_clock_starts_at_the_moment_and_advances(shifted: datetime) -> None:
    first = wallclock.time()
    assert abs(first - shifted.timestamp()) < 5
    time.sleep(0.2)
    assert 0.15 < wallclock.time() - first < 5, "the shifted clock must advance like the real one"
    assert wallclock.now(wallclock.VIETNAM).date().isoformat() == "2027-02-08"


def test_children_share_the_moment_instead_of_re_anchoring(shifted: datetime) -> None:
    wallclock.time()
    time.sleep(1.5)  # a child that re-anchored at its own start would be ~1.5 s behind
    parent, child = wallclock.time(), _child_time()
    assert abs(child - parent) < 1.0, f"child {child} vs parent {parent}"


def test_without_the_hook_it_is_the_real_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(wallclock.TEST_NOW, raising=False)
    assert abs(wallclock.time() - time.time()) < 1


@pytest.mark.parametrize("bad", ["2027-02-08T10:00:00", "8/2/2027"])
def test_a_moment_without_offset_is_refused(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv(wallclock.TEST_NOW, bad)
    with pytest.raises(ValueError, match="MOTCUA_TEST_NOW"):
        wallclock.time()


def test_a_hub_process_runs_at_the_moment(shifted: datetime, tmp_path: Path) -> None:
    """`motcua hub serve` started by a test lives on the test's day: its lobby state is for 8 Feb 2027."""
    wallclock.time()
    prepare(tmp_path)
    hub = HubProcess(tmp_path).start()
    try:
        url = f"http://127.0.0.1:{hub.http_port}/api/v1/sites/demo/state"

        def state() -> dict | None:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    return json.loads(r.read())
            except OSError:
                return None

        deadline, got = time.monotonic() + 20, None
        while got is None and time.monotonic() < deadline:
            got = state() or time.sleep(0.2)
        assert got is not None, "the hub never served its state"
        assert got["day"] == "2027-02-08" and got["time"].startswith("2027-02-08T10:0")
    finally:
        hub.stop()


def test_the_cli_shows_times_in_the_site_zone_not_the_hosts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """A hub host left on Los Angeles time still lists a device last seen at 08:05 Hà Nội time as 08:05."""
    from hub.app import open_data_dir
    from hub.store import devices as device_store
    from hub.store.db import transaction
    from motcua.cli import main

    prepare(tmp_path)
    seen = datetime.fromisoformat("2026-12-14T08:05:00+07:00").timestamp()  # Sunday 17:05 in Los Angeles
    db = open_data_dir(tmp_path)
    with transaction(db):
        dev, _ = device_store.add(db, site_id="demo", role="kiosk", now=seen - 60)
        device_store.record_status(db, dev.id, "online", "1.0", seen)
    db.conn.close()
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        assert main(["hub", "device", "list", "--data", str(tmp_path)]) == 0
    finally:
        monkeypatch.undo()
        time.tzset()
    out = capsys.readouterr().out
    assert "2026-12-14 08:05:00" in out, out
