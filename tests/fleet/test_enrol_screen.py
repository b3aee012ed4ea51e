"""The first-boot screen on a Kivy role: a wrong code is refused in Vietnamese, the right one typed (or
read from the console's QR by the camera) writes the config. Real hub, real Kivy on Xvfb, screenshots."""

from __future__ import annotations

import re
from pathlib import Path

from motcua.cli import main
from motcua_core.device_config import DeviceConfig
from tests.support.hubproc import InProcessHub
from tests.support.kivyrun import KivyRun


def _code(hub: InProcessHub, capsys, device_id: str) -> str:
    assert main(["hub", "device", "add", "--data", str(hub.data), "--site", "demo", "--role", "kiosk",
                 "--id", device_id]) == 0
    return re.search(r"enrolment code ([A-Z0-9-]{9})", capsys.readouterr().out)[1]


def test_typed_code_after_a_wrong_one(hub: InProcessHub, xvfb, artifacts_dir: Path, tmp_path: Path, capsys) -> None:
    code = _code(hub, capsys, "kiosk-moi")
    cfg = tmp_path / "device.json"
    url = f"http://127.0.0.1:{hub.http_port}"
    run = KivyRun("devicekit.ui.enrol:make_test_app", [str(cfg), url], [
        {"wait": "code"},
        {"screenshot": "enrol-first-boot"},
        {"text": ["code", "2345-6789"], "enter": True},
        {"wait_text": ["message", "không đúng"]},
        {"screenshot": "enrol-wrong-code"},
        {"text": ["code", code.lower()], "enter": True},
        {"wait_text": ["message", "Đã đăng ký: kiosk-moi"]},
        {"screenshot": "enrol-done"},
        {"state": "done"},
    ], xvfb.env(), artifacts_dir / "fleet", tmp_path / "ui-enrol").start()
    result = run.finish()
    assert result["error"] is None, result
    assert DeviceConfig.load(cfg).device_id == "kiosk-moi"
    assert oct(cfg.stat().st_mode & 0o777) == "0o600"


def test_camera_reads_the_console_qr(hub: InProcessHub, xvfb, artifacts_dir: Path, tmp_path: Path, capsys) -> None:
    from motcua_core.documents.codes import qr_image

    code = _code(hub, capsys, "kiosk-camera")
    frames = tmp_path / "frames"
    frames.mkdir()
    qr_image(f"motcua-enrol:{code}?hub=http://127.0.0.1:{hub.http_port}", box=8).save(frames / "f1.png")
    cfg = tmp_path / "device.json"
    run = KivyRun("devicekit.ui.enrol:make_test_app", [str(cfg), "", str(frames)], [
        {"wait_text": ["message", "Đã đăng ký: kiosk-camera"]},
        {"state": "done"},
    ], xvfb.env(), artifacts_dir / "fleet", tmp_path / "ui-enrol-cam").start()
    result = run.finish()
    assert result["error"] is None, result
    assert result["states"]["done"]["hub"] == f"http://127.0.0.1:{hub.http_port}"  # filled from the QR
    assert DeviceConfig.load(cfg).device_id == "kiosk-camera"
