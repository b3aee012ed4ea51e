"""`motcua provision selftest`: each check passes, fails with a reason, or is skipped — through the real
drivers on their simulations (sim printer, PNG LED bus, WAV audio, loop:// serial, mock GPIO pins)."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from motcua.cli import main
from motcua_core.device_config import DeviceConfig
from tests.fleet.conftest import hardware


def _config(tmp_path: Path, role: str, hw: dict, counter: bool = False) -> Path:
    path = tmp_path / f"{role}.json"
    DeviceConfig.from_dict({"device_id": f"{role}-1", "secret": "x" * 20, "site": "demo", "role": role,
                            "data_dir": str(tmp_path / "state"), "hardware": hw}).save(path)
    return path


def _run(path: Path, capsys, *extra: str) -> tuple[int, dict]:
    rc = main(["provision", "selftest", "--config", str(path), "--json", *extra])
    out = capsys.readouterr().out.strip().splitlines()[-1]
    got = json.loads(out)
    return rc, {c["name"]: c for c in got["checks"]}


def test_kiosk_prints_a_vietnamese_test_ticket_and_reads_the_codes(tmp_path: Path, qr_folder: Path, capsys) -> None:
    rc, checks = _run(_config(tmp_path, "kiosk", hardware("kiosk", tmp_path, qr=qr_folder)), capsys, "--no-wait")
    assert rc == 0, checks
    assert [checks[n]["state"] for n in ("printer", "scanner", "camera")] == ["pass", "pass", "pass"]
    slips = list((tmp_path / "prints").glob("*selftest.png"))
    assert len(slips) == 1 and Image.open(slips[0]).width == 576
    assert "MOTCUA-SELFTEST" in checks["camera"]["detail"]


def test_paper_out_fails_with_what_to_do(tmp_path: Path, qr_folder: Path, capsys) -> None:
    hw = hardware("kiosk", tmp_path, qr=qr_folder, printer_state="paper_out")
    rc, checks = _run(_config(tmp_path, "kiosk", hw), capsys, "--no-wait")
    assert rc == 1 and checks["printer"]["state"] == "fail"
    assert "lắp cuộn giấy mới" in checks["printer"]["detail"]
    assert not list((tmp_path / "prints").glob("*.png"))


def test_display_led_pattern_on_every_board_and_an_announcement(tmp_path: Path, voice_pack: Path,
                                                                mock_pins, capsys) -> None:
    rc, checks = _run(_config(tmp_path, "display", hardware("display", tmp_path, voice=voice_pack)), capsys)
    assert rc == 0, checks
    assert sorted(p.name for p in (tmp_path / "led").glob("led-*.png")) == ["led-1.png", "led-2.png"]
    assert "GPIO 17" in checks["audio"]["detail"] and "quầy" in checks["audio"]["detail"]
    assert list((tmp_path / "wav").glob("*.wav"))
    assert checks["screen"]["state"] in ("pass", "skip")


def test_counter_keypad_waits_for_each_key(tmp_path: Path, presser, capsys) -> None:
    path = _config(tmp_path, "counter", hardware("counter", tmp_path))
    rc, checks = _run(path, capsys, "--timeout", "30")  # each key's wait ends at its press: generous for a slow CI
    assert rc == 0, checks
    assert checks["keypad"]["state"] == "pass" and "next, recall, skip, done" in checks["keypad"]["detail"]
    assert checks["printer"]["state"] == "skip"  # not in this counter's hardware map


def test_unpressed_key_fails_naming_it(tmp_path: Path, mock_pins, capsys) -> None:
    rc, checks = _run(_config(tmp_path, "counter", hardware("counter", tmp_path)), capsys, "--timeout", "0.3")
    assert rc == 1 and checks["keypad"]["state"] == "fail" and "“next” (GPIO 5)" in checks["keypad"]["detail"]
    rc, checks = _run(_config(tmp_path, "counter", hardware("counter", tmp_path)), capsys, "--no-wait")
    assert checks["keypad"]["state"] == "skip"  # asked remotely: no one to press
