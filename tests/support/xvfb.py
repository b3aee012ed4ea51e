"""A virtual X screen for Kivy UI tests (the same app a kiosk runs, drawn on Xvfb)."""

from __future__ import annotations

import os
import select
import shutil
import subprocess


class Xvfb:
    def __init__(self, width: int = 1280, height: int = 800, depth: int = 24):
        self.size = (width, height, depth)
        self.display: str | None = None
        self.proc: subprocess.Popen | None = None

    def start(self) -> str:
        """Xvfb picks a free display itself (-displayfd) and tells us which: no race with the Xvfb of a
        parallel test worker or of another run on the same machine."""
        if shutil.which("Xvfb") is None:
            raise RuntimeError("Xvfb is not installed: run `make setup`")
        w, h, d = self.size
        read_end, write_end = os.pipe()
        try:
            self.proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", f"{w}x{h}x{d}",
                                          "-nolisten", "tcp"], pass_fds=(write_end,),
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            os.close(write_end)
            write_end = -1
            ready, _, _ = select.select([read_end], [], [], 15)
            num = os.read(read_end, 32).decode().strip() if ready else ""
        finally:
            os.close(read_end)
            if write_end >= 0:
                os.close(write_end)
        if not num.isdigit():
            self.stop()
            raise RuntimeError("Xvfb did not start (no display number from -displayfd)")
        self.display = f":{num}"
        return self.display

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5)
        self.proc = None

    def env(self) -> dict[str, str]:
        """Environment for a Kivy process drawing on this screen (quiet, no arguments parsing)."""
        assert self.display is not None
        return {**os.environ, "DISPLAY": self.display, "KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1"}
