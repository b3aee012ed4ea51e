"""Fixtures of the fleet tests: simulated hardware maps (the drivers' own simulations) and mock pins."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.display.conftest import mock_pins  # noqa: F401  (a fixture: gpiozero's simulated pins)

KEYPAD_PINS = {"next": 5, "recall": 6, "skip": 13, "done": 19}


@pytest.fixture
def presser(mock_pins) -> Iterator[threading.Event]:  # noqa: F811  (the imported fixture)
    """A person at the keypad: presses every key in turn until told to stop (set the event)."""
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            for pin in KEYPAD_PINS.values():
                p = mock_pins.pin(pin)
                p.drive_low()
                time.sleep(0.06)
                p.drive_high()
                time.sleep(0.06)

    th = threading.Thread(target=run, daemon=True)
    th.start()
    yield stop
    stop.set()
    th.join(2)


@pytest.fixture(scope="session")
def qr_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A camera's frames (the files driver): one photo-like frame holding the test QR."""
    from motcua_core.documents.codes import qr_image

    folder = tmp_path_factory.mktemp("camera")
    qr_image("MOTCUA-SELFTEST", box=8).save(folder / "frame-001.png")
    return folder


@pytest.fixture(scope="session")
def voice_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from display_controller.voicepack import build_espeak_pack

    path = tmp_path_factory.mktemp("voice") / "espeak-north"
    build_espeak_pack(path, "north")
    return path


def hardware(role: str, tmp: Path, *, qr: Path | None = None, voice: Path | None = None,
             printer_state: str = "ok") -> dict:
    """The simulated hardware map of a role."""
    printer = {"type": "sim", "dir": str(tmp / "prints"), "state_file": str(tmp / "printer-state")}
    (tmp / "printer-state").write_text(printer_state)
    if role == "kiosk":
        return {"printer": printer, "scanner": {"port": "loop://"},
                "camera": {"type": "files", "dir": str(qr)}}
    if role == "counter":
        return {"keypad": {"pins": KEYPAD_PINS, "mock": True}, "scanner": {"port": "loop://"}}
    return {"led": {"bus": f"png:{tmp / 'led'}", "boards": {"1": 1, "2": 2}},
            "audio": {"out": f"wav:{tmp / 'wav'}", "amp_pin": 17, "voice_pack": str(voice)}}


class Api:
    """The technician's HTTP calls, with the bearer token the console page sends."""

    def __init__(self, port: int, token: str):
        self.base, self.token = f"http://127.0.0.1:{port}", token

    def __call__(self, method: str, path: str, body: dict | None = None, token: str | None = None):
        import json
        import urllib.error
        import urllib.request

        req = urllib.request.Request(self.base + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {token or self.token}",
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                raw, status = r.read(), r.status
        except urllib.error.HTTPError as exc:
            raw, status = exc.read(), exc.code
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode()


def technician_token(data: Path, site: str = "demo") -> str:
    import contextlib
    import io
    import json

    from motcua.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["hub", "token", "add", "--data", str(data), "--role", "technician", "--site", site,
                     "--name", "ky thuat"]) == 0
    return json.loads(out.getvalue())["token"]


def wait_for(pred, timeout: float = 30.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(interval)
    return pred()
