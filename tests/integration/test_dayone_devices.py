"""Devices on the first morning (issue #13 item 5), over the real hub and broker: `device rotate` writes
the replacement's config file, and `provision check` with a wrong secret says "not authorised"."""

from __future__ import annotations

import json
import time
from pathlib import Path

from motcua.cli import main
from motcua_core.device_config import DeviceConfig
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
