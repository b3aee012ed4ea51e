"""Thermal receipt printers: python-escpos (USB, serial, network) or a simulated printer writing PNGs.

Vietnamese is printed as a raster image (most thermal printers have no Vietnamese code page), so every
printer here takes a Pillow image already laid out to the paper width. The status words are the ones
the device health report and the citizen screens use.
"""

from __future__ import annotations

import importlib.util
import io
import logging
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image

log = logging.getLogger("motcua.printer")

PAPER_DOTS = {80: 576, 58: 384}  # printable dots of 80 mm and 58 mm paper at 203 dpi
OK, PAPER_LOW, PAPER_OUT, COVER_OPEN, OFFLINE, UNKNOWN = "ok", "paper_low", "paper_out", "cover_open", "offline", "unknown"
# States in which a ticket cannot be printed.
NOT_PRINTABLE = frozenset({PAPER_OUT, COVER_OPEN, OFFLINE})

_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans{bold}.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-{boldname}.ttf",
)


class PrinterError(Exception):
    """Printing failed; `state` says why in the words of PRINTER_STATES."""

    def __init__(self, state: str, message: str):
        super().__init__(message)
        self.state = state


@lru_cache(maxsize=4)
def font_path(bold: bool = False) -> str:
    """A TrueType font with full Vietnamese coverage: Kivy's bundled Roboto, else DejaVu/Noto."""
    spec = importlib.util.find_spec("kivy")
    if spec is not None and spec.submodule_search_locations:
        p = Path(next(iter(spec.submodule_search_locations))) / "data" / "fonts" / (
            "Roboto-Bold.ttf" if bold else "Roboto-Regular.ttf")
        if p.exists():
            return str(p)
    for pattern in _FONT_CANDIDATES:
        p = Path(pattern.format(bold="-Bold" if bold else "", boldname="Bold" if bold else "Regular"))
        if p.exists():
            return str(p)
    raise RuntimeError("no font with Vietnamese coverage found: install kivy or fonts-dejavu-core")


@dataclass
class PrintResult:
    state: str
    path: Path | None = None  # the PNG a simulated printer wrote


class Printer:
    """Common interface: `status()` never raises; `print_image()` raises PrinterError."""

    width: int = 576

    def status(self) -> str:
        return UNKNOWN

    def print_image(self, image: Image.Image, name: str = "print") -> PrintResult:
        raise NotImplementedError

    def health(self) -> dict[str, Any]:
        return {"printer": {"state": self.status(), "width": self.width, "kind": type(self).__name__}}


class SimPrinter(Printer):
    """Writes each print as a PNG (what the paper would show) plus the ESC/POS bytes a real printer gets.

    `state` can be set (or read from `state_file`, one word) to simulate paper out, cover open, offline."""

    def __init__(self, out_dir: Path, width: int = 576, state: str = OK, state_file: Path | None = None):
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.width = width
        self.state = state
        self.state_file = Path(state_file) if state_file else None
        self._n = 0
        self._lock = threading.Lock()

    def status(self) -> str:
        if self.state_file is not None and self.state_file.exists():
            return self.state_file.read_text().strip() or OK
        return self.state

    def print_image(self, image: Image.Image, name: str = "print") -> PrintResult:
        state = self.status()
        if state in NOT_PRINTABLE:
            raise PrinterError(state, f"simulated printer is {state}")
        from escpos.printer import Dummy

        dummy = Dummy()
        dummy.image(image.convert("1"), impl="bitImageRaster")
        dummy.cut()
        with self._lock:
            self._n += 1
            stem = f"{time.strftime('%Y%m%d-%H%M%S')}-{self._n:04d}-{_safe(name)}"
        path = self.out_dir / f"{stem}.png"
        image.save(path)
        (self.out_dir / f"{stem}.escpos").write_bytes(dummy.output)
        return PrintResult(state, path)


class EscposPrinter(Printer):
    """A real printer through python-escpos; status from DLE EOT where the printer answers it."""

    def __init__(self, device: Any, width: int = 576, can_read: bool = True):
        self.device = device
        self.width = width
        self.can_read = can_read
        self._lock = threading.Lock()

    def status(self) -> str:
        if not self.can_read:
            return UNKNOWN
        with self._lock:
            try:
                if not self.device.is_online():
                    cause = self.device.query_status(b"\x10\x04\x02")  # DLE EOT 2: offline cause
                    if cause and cause[0] & 0x04:
                        return COVER_OPEN
                    if cause and cause[0] & 0x20:
                        return PAPER_OUT
                    return OFFLINE
                paper = self.device.paper_status()
            except Exception as exc:  # USB unplugged, socket closed, no answer
                log.warning("printer status unreadable: %s", exc)
                return OFFLINE
        return {0: PAPER_OUT, 1: PAPER_LOW}.get(paper, OK)

    def print_image(self, image: Image.Image, name: str = "print") -> PrintResult:
        state = self.status()
        if state in NOT_PRINTABLE:
            raise PrinterError(state, f"printer is {state}")
        with self._lock:
            try:
                self.device.image(image.convert("1"), impl="bitImageRaster")
                self.device.cut()
            except Exception as exc:
                raise PrinterError(OFFLINE, f"printing failed: {exc}") from exc
        return PrintResult(state)


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name)[:40] or "print"


def _int(v: Any) -> int:
    return int(v, 0) if isinstance(v, str) else int(v)


def make_printer(hw: dict | None, default_dir: Path) -> Printer:
    """Build the printer from the hardware map entry `printer`.

    {"type": "usb", "vendor": "0x0416", "product": "0x5011"} · {"type": "serial", "port": "/dev/ttyUSB0",
    "baudrate": 19200} · {"type": "network", "host": "192.168.1.50", "port": 9100} · {"type": "file",
    "path": "/dev/usb/lp0"} · {"type": "sim", "dir": "…", "state": "ok"}; each takes "paper_mm" (80|58)
    or "width" (dots). Without a printer entry the kiosk uses the simulated printer in `default_dir`."""
    hw = dict(hw or {})
    kind = hw.get("type", "sim")
    width = int(hw.get("width") or PAPER_DOTS.get(int(hw.get("paper_mm", 80)), 576))
    if kind == "sim":
        return SimPrinter(Path(hw.get("dir") or default_dir), width, hw.get("state", OK),
                          Path(hw["state_file"]) if hw.get("state_file") else None)
    from escpos import printer as ep

    if kind == "usb":
        dev = ep.Usb(_int(hw["vendor"]), _int(hw["product"]))
    elif kind == "serial":
        dev = ep.Serial(hw.get("port", "/dev/ttyUSB0"), baudrate=int(hw.get("baudrate", 19200)))
    elif kind == "network":
        dev = ep.Network(hw["host"], port=int(hw.get("port", 9100)), timeout=float(hw.get("timeout", 5)))
    elif kind == "file":
        return EscposPrinter(ep.File(hw["path"]), width, can_read=False)
    else:
        raise ValueError(f"unknown printer type {kind!r} (usb, serial, network, file, sim)")
    return EscposPrinter(dev, width, can_read=bool(hw.get("read_status", True)))


def image_bytes(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()
