"""Barcode readers on a serial line (RS-232 or USB-CDC): each scan arrives as one line of text.

pyserial URLs work too, so a test or a bench can use `loop://` (what is written is read back) or a pty.
Keyboard-wedge readers need no driver: they type into the focused text box.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import serial

log = logging.getLogger("motcua.scanner")


class SerialScanner:
    """Reads scans in a thread and hands each (stripped, non-empty) line to `on_scan`."""

    def __init__(self, port: str, on_scan: Callable[[str], None], *, baudrate: int = 9600,
                 read_timeout: float = 0.2):
        self.url = port
        self.on_scan = on_scan
        self.port = serial.serial_for_url(port, baudrate=baudrate, timeout=read_timeout)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="motcua-scanner", daemon=True)
        self.error: str | None = None

    def start(self) -> SerialScanner:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.port.close()

    def _run(self) -> None:
        buf = b""
        while not self._stop.is_set():
            try:
                chunk = self.port.read(256)
            except (serial.SerialException, OSError) as exc:  # reader unplugged
                self.error = str(exc)
                log.warning("barcode reader %s: %s", self.url, exc)
                self._stop.wait(1.0)
                continue
            if not chunk:
                continue
            buf += chunk
            while True:
                cut = min((i for i in (buf.find(b"\r"), buf.find(b"\n")) if i >= 0), default=-1)
                if cut < 0:
                    break
                line, buf = buf[:cut], buf[cut + 1:]
                text = line.decode("utf-8", "replace").strip()
                if text:
                    try:
                        self.on_scan(text)
                    except Exception:
                        log.exception("scan handler failed")
            if len(buf) > 4096:  # a reader without line endings: do not grow for ever
                buf = b""

    def health(self) -> dict:
        return {"scanner": {"port": self.url, "state": "error" if self.error else "ok", "error": self.error}}


def make_scanner(hw: dict | None, on_scan: Callable[[str], None]) -> SerialScanner | None:
    """From the hardware map entry `scanner`: {"type": "serial", "port": "/dev/ttyACM0", "baudrate": 9600}."""
    if not hw:
        return None
    if hw.get("type", "serial") != "serial":
        raise ValueError(f"unknown scanner type {hw.get('type')!r} (serial)")
    return SerialScanner(hw["port"], on_scan, baudrate=int(hw.get("baudrate", 9600)))
