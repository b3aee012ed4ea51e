"""Devices on the first morning (issue #13 item 5), over the real hub and broker: `device rotate` writes
the replacement's config file, and `provision check` with a wrong secret says "not authorised"."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from motcua.cli import main
from motcua_core.device_config import DeviceConfig
from tests.devicekit.conftest import wait_until
from tests.support.hubproc import InProcessHub


def _check(config: Path, capsys, want_ok: bool) -> str:
    deadline = time.monotonic() + 15  # the running hub picks registry changes up by itself
    while True:
        rc = main(["provision", "check", "--config", str(config), "--timeout", "3"])
        text = capsys.readouterr().out
        if (rc == 0) == want_ok or time.monotonic() > deadline:
            return text
        time.sleep(0.5)


def test_rotate_writes_the_config_and_a_wrong_secret_is_not_authorised(hub: InProcessHub, tmp_path: Path,
                                                                       capsys) -> None:
    out = tmp_path / "counter1.json"
    assert main(["hub", "device", "add", "--data", str(hub.data), "--site", "demo", "--role", "counter",
                 "--counter", "1", "--broker-port", str(hub.mqtt_port), "--out", str(out)]) == 0
    capsys.readouterr()
    old = tmp_path / "old-counter1.json"
    old.write_text(out.read_text())
    cfg = DeviceConfig.load(out)
    cfg.hardware = {"keypad": {"mock": True}}  # a technician's edit, which the rotation must keep
    cfg.save(out)
    assert main(["hub", "device", "rotate", "--data", str(hub.data), cfg.device_id, "--out", str(out)]) == 0
    secret = json.loads(capsys.readouterr().out)["secret"]
    new = DeviceConfig.load(out)
    assert new.secret == secret != cfg.secret and new.hardware == {"keypad": {"mock": True}}
    assert out.stat().st_mode & 0o777 == 0o600
    text = _check(out, capsys, want_ok=True)
    assert "[OK  ] broker login" in text, text
    text = _check(old, capsys, want_ok=False)  # the replaced device's file, its secret now wrong
    assert "[FAIL] broker login" in text and "not authorised" in text and "no connection" not in text, text
    # Into a new file, for a device set up from scratch.
    fresh = tmp_path / "fresh.json"
    assert main(["hub", "device", "rotate", "--data", str(hub.data), cfg.device_id, "--out", str(fresh),
                 "--broker-port", str(hub.mqtt_port)]) == 0
    capsys.readouterr()
    assert "[OK  ] broker login" in _check(fresh, capsys, want_ok=True)


@pytest.mark.sqlite_only  # "another hub" is another data directory, hence another SQLite file
def test_an_outbox_left_by_another_hub_is_set_aside_not_replayed(tmp_path: Path) -> None:
    """A device's default data_dir is shared across installations: events queued for an earlier hub must
    not reach a new one (there they were refused as `unknown ticket 14`)."""
    from tests.support.hubproc import prepare, register

    shared = tmp_path / "device-data"  # what ~/.local/share/motcua/device/<id> is for both hubs
    old_hub = InProcessHub(tmp_path / "old")
    prepare(old_hub.data)
    old_hub.start()
    cfg = register(old_hub.data, "voting", old_hub.mqtt_port, counter=1)
    cfg.data_dir = shared
    s = old_hub.session(cfg)
    wait_until(lambda: s.outbox.bound)
    s.stop()
    old_hub.stop()
    s.outbox.put("vote.submit", {"ticket_id": 14, "rating": 4})  # queued while the old hub was gone

    new_hub = InProcessHub(tmp_path / "new")
    prepare(new_hub.data)
    new_hub.start()
    try:
        cfg2 = register(new_hub.data, "voting", new_hub.mqtt_port, counter=1)
        assert cfg2.device_id == cfg.device_id  # the same name in a fresh registry
        cfg2.data_dir = shared
        s2 = new_hub.session(cfg2)
        wait_until(lambda: s2.outbox.set_aside())
        aside = s2.outbox.set_aside()
        assert len(aside) == 1 and json.loads(aside[0]["data"])["ticket_id"] == 14
        assert s2.outbox.pending() == 0 and s2.outbox.failed() == []
        assert new_hub.hub.db.execute("SELECT COUNT(*) FROM votes").fetchone()[0] == 0
        # Events queued for this hub are delivered as usual (a refusal here shows it was sent).
        s2.outbox.put("vote.submit", {"ticket_id": 99999, "rating": 4})
        wait_until(lambda: s2.outbox.failed())
        assert s2.outbox.failed()[0]["error_code"] == "not_found"
    finally:
        new_hub.stop()

