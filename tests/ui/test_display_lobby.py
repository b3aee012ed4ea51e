"""The lobby screen at 16:9 on Xvfb, with its LED boards and announcer, over a real hub and broker.

Screenshots: test-artifacts/display/lobby-*.png; LED boards as drawn by the simulated driver:
test-artifacts/display/led/led-<counter>.png.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from counter_terminal.core import CounterCore
from display_controller.lobby import date_vi
from display_controller.voicepack import build_espeak_pack
from hub.cli.common import DEMO_SITE
from kiosk.core import KioskCore
from tests.support.hubproc import InProcessHub
from tests.support.kivyrun import KivyRun
from tests.ui.conftest import device_file


def _lobby(xvfb, artifacts: Path, workdir: Path, config: Path, hardware: dict, steps: list[dict]) -> KivyRun:
    return KivyRun("display_controller.app:make_test_app", [str(config), json.dumps(hardware)], steps, xvfb.env(),
                   artifacts, workdir, size=(1280, 720), timeout=120).start()


@pytest.mark.clock
def test_lobby_shows_calls_and_restarts_without_reannouncing(hub: InProcessHub, xvfb, artifacts_dir: Path,
                                                             tmp_path: Path) -> None:
    pack = build_espeak_pack(tmp_path / "voice", "south")
    art = artifacts_dir / "display"
    shutil.rmtree(art / "led", ignore_errors=True)
    kiosk = KioskCore(hub.device("kiosk"))
    for service in ("HT", "HT", "CT", "DD"):
        kiosk.issue_ticket(service)
    c1 = CounterCore(hub.device("counter", counter=1))
    c3 = CounterCore(hub.device("counter", counter=3))
    c1.login("lan1", "1111")
    c3.login("trang3", "3333")
    config = device_file(hub, "display")
    hardware = {"led": {"bus": f"png:{art / 'led'}", "width": 128, "height": 32},
                "audio": {"out": f"wav:{tmp_path / 'wav1'}", "dialect": "south", "voice_pack": str(pack.path),
                          "repeats": 1}}
    run = _lobby(xvfb, art, tmp_path / "ui-lobby-1", config, hardware, [
        {"wait_text": ["site", "Hòa An"]},
        {"mark": "ready"}, {"await": "called"},
        {"wait_text": ["newest", "Mời số 2001 đến Quầy 3"]},
        {"wait_text": ["counter:1", "1001"]},
        {"wait_text": ["waiting", "Hộ tịch: 1"]},
        {"wait_text": ["board", "Đang chờ: 2"]},
        {"sleep": 1.0},
        {"screenshot": "lobby-calls"},
        {"state": "calls"},
        {"mark": "serve"}, {"await": "served"},  # issue #13: the banner goes once that citizen is served
        {"wait_text": ["newest", "Xin mời công dân chờ"]}, {"wait_text": ["counter:3", "—"]},
        # The voice and the boards work beside the screen: the app stays until both calls are heard and drawn.
        {"wait_file": str(tmp_path / "wav1" / "*.wav"), "count": 2},
        {"wait_file": str(art / "led" / "led-1.png")}, {"wait_file": str(art / "led" / "led-3.png")},
        {"screenshot": "lobby-banner-gone-after-service"}, {"state": "served"},
    ])
    run.wait_mark("ready")
    assert c1.next()["number"] == "1001"
    assert c3.next()["number"] == "2001"
    run.go("called")
    run.wait_mark("serve")
    c3.session.request("counter.complete", {"token": c3.session.officer_token})
    run.go("served")
    result = run.finish()
    s = result["states"]["calls"]
    assert s["counter:1"] == "1001" and s["counter:3"] == "2001" and s["counter:2"] == "—"
    # The weekday named is the weekday of the date shown, whatever day the suite runs (Sunday included).
    shown = datetime.strptime(s["date"].rsplit(" ", 1)[1], "%d/%m/%Y")
    assert s["date"] == date_vi(shown) and ":" in s["clock"]
    # The notice is paged a screenful at a time (6 s each): any page of the site's notice, not only the first.
    notice = json.loads(DEMO_SITE.read_text(encoding="utf-8"))["site"]["notice"]
    assert s["notice"].strip() and s["notice"].strip() in notice, s["notice"]
    assert s["newest"] == "Mời số 2001 đến Quầy 3"
    served = result["states"]["served"]
    assert served["counter:1"] == "1001" and "Mời số" not in served["newest"], "a served call stays on the banner"
    wavs = sorted((tmp_path / "wav1").glob("*.wav"))
    assert len(wavs) == 2, "both calls should have been announced once"
    assert (art / "led" / "led-1.png").is_file() and (art / "led" / "led-3.png").is_file()

    # Restart: the screen shows the current state at once, and nobody is called again.
    hardware["audio"]["out"] = f"wav:{tmp_path / 'wav2'}"
    hardware["led"]["bus"] = f"png:{tmp_path / 'led2'}"
    run2 = _lobby(xvfb, art, tmp_path / "ui-lobby-2", config, hardware, [
        {"wait_text": ["counter:1", "1001"]},
        {"wait_text": ["newest", "Xin mời công dân chờ"]},
        {"wait_file": str(tmp_path / "led2" / "led-1.png")},  # the boards redrawn from the retained state
        {"sleep": 1.5},  # a call made before the restart would be read out by now (none must be)
        {"screenshot": "lobby-after-restart"},
        {"state": "restart"},
    ])
    r2 = run2.finish()["states"]["restart"]
    assert r2["counter:1"] == "1001" and r2["counter:3"] == "—"
    assert not (tmp_path / "wav2").exists() or not list((tmp_path / "wav2").glob("*.wav"))
    assert (tmp_path / "led2" / "led-1.png").is_file()  # the boards are redrawn from the retained state


def test_lobby_alternates_vietnamese_and_english(hub: InProcessHub, xvfb, artifacts_dir: Path,
                                                 tmp_path: Path) -> None:
    """Issue #13: the lobby had no English. With `screen.languages` it shows Vietnamese, then English."""
    kiosk = KioskCore(hub.device("kiosk"))
    kiosk.issue_ticket("CT")
    c3 = CounterCore(hub.device("counter", counter=3))
    c3.login("trang3", "3333")
    assert c3.next()["number"] == "2001"
    config = device_file(hub, "display")
    hardware = {"screen": {"languages": ["vi", "en"], "switch_s": 2}}
    art = artifacts_dir / "display"
    run = _lobby(xvfb, art, tmp_path / "ui-lobby-en", config, hardware, [
        {"wait_text": ["newest", "Mời số 2001 đến Quầy 3"]}, {"state": "vi"},
        {"wait_text": ["newest", "Number 2001, please go to Counter 3"]}, {"sleep": 0.3},
        {"screenshot": "lobby-english"}, {"state": "en"},
    ])
    s = run.finish()["states"]
    assert "Số người đang chờ" in s["vi"]["waiting"] and "Chứng thực: 0" in s["vi"]["waiting"]
    en = s["en"]
    assert "People waiting" in en["waiting"] and "Certification of copies" in en["waiting"]
    assert en["counter:3"] == "2001"
    assert en["site"] == "Hoa An Commune Public Administration Service Centre (demo)" and en["date"].split(",")[0] in (
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
