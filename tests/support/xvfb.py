"""A virtual X screen for Kivy UI tests (the same app a kiosk runs, drawn on Xvfb)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path


class Xvfb:
    def __init__(self, width: int = 1280, height: int = 800, depth: int = 24):
        self.size = (width, height, depth)
        self.display: str | None = None
        self.proc: subprocess.Popen | None = None

    def start(self) -> str:
        if shutil.which("Xvfb") is None:
            raise RuntimeError("Xvfb is not installed: run `make setup`")
        w, h, d = self.size
        for num in range(90, 190):
            if Path(f"/tmp/.X{num}-lock").exists():
                continue
            self.proc = subprocess.Popen(["Xvfb", f":{num}", "-screen", "0", f"{w}x{h}x{d}", "-nolisten", "tcp"],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                if Path(f"/tmp/.X11-unix/X{num}").exists():
                    self.display = f":{num}"
                    return self.display
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
            self.stop()
        raise RuntimeError("could not start Xvfb on any display :90–:189")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5)
        self.proc = None

    def env(self) -> dict[str, str]:
        """Environment for a Kivy process drawing on this screen (quiet, no arguments parsing)."""
        assert self.display is not None
        return {**os.environ, "DISPLAY": self.display, "KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1"}
