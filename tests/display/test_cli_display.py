"""`motcua display --headless --config F`: the command an installer runs, against a real hub."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from counter_terminal.core import CounterCore
from display_controller.voicepack import VoicePack
from hub.app import open_data_dir
from kiosk.core import KioskCore
from tests.support.hubproc import InProcessHub, register


def test_headless_display_drives_led_and_voice(hub: InProcessHub, tmp_path: Path, north_pack: VoicePack) -> None:
    import asyncio

    cfg = register(hub.data, "display", hub.mqtt_port)
    asyncio.run_coroutine_threadsafe(hub.hub.sync_registry(), hub.thread.loop).result(10)
    cfg.hardware = {"led": {"bus": f"png:{tmp_path / 'led'}", "width": 64, "height": 16},
                    "audio": {"out": f"wav:{tmp_path / 'wav'}", "voice_pack": str(north_pack.path), "repeats": 1}}
    path = tmp_path / "display.json"
    cfg.save(path)
    proc = subprocess.Popen([sys.executable, "-m", "motcua.cli", "display", "--headless", "--config", str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ})
    try:
        # A call is not retained: wait until the display has subscribed. It subscribes, then says it is
        # online, on one connection (the broker keeps that order), so "online" at the hub means subscribed.
        db = open_data_dir(hub.data)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and proc.poll() is None and db.execute(
                    "SELECT status FROM devices WHERE id = ?", [cfg.device_id]).fetchone()[0] != "online":
                time.sleep(0.1)
        finally:
            db.conn.close()
        KioskCore(hub.device("kiosk")).issue_ticket("CT")
        counter = CounterCore(hub.device("counter", counter=3))
        counter.login("trang3", "3333")
        counter.open()
        assert counter.next()["number"] == "2001"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not list((tmp_path / "wav").glob("*.wav")):
            time.sleep(0.1)
        assert (tmp_path / "led" / "led-3.png").is_file()
        assert len(list((tmp_path / "wav").glob("*.wav"))) == 1
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert "2001 → Quầy 3: Mời công dân có số thứ tự hai nghìn không trăm linh một đến quầy số ba." in out, err
    assert proc.returncode == 0, err

    bad = tmp_path / "bad.json"
    cfg.hardware = {"led": {"bus": "png:x", "width": 10, "height": 3}}
    cfg.save(bad)
    r = subprocess.run([sys.executable, "-m", "motcua.cli", "display", "--headless", "--config", str(bad)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "supported matrix size" in r.stderr
    assert json.loads(path.read_text())["role"] == "display"
