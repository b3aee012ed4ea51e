"""Printer, barcode reader and camera drivers with the hardware absent: escpos Dummy, a pty, image files."""

from __future__ import annotations

import os
import queue
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from escpos.printer import Dummy

from devicekit.drivers import printer as printers
from devicekit.drivers.camera import QrCamera, make_camera
from devicekit.drivers.scanner import SerialScanner, make_scanner
from kiosk.ticket import render_sample


def test_sim_printer_writes_png_and_escpos(tmp_path: Path) -> None:
    p = printers.make_printer({"type": "sim", "dir": str(tmp_path), "paper_mm": 58}, tmp_path / "unused")
    assert p.width == 384
    result = p.print_image(render_sample(p.width), "ticket-1024")
    assert result.path is not None and result.path.exists()
    raw = result.path.with_suffix(".escpos").read_bytes()
    assert raw.startswith(b"\x1dv0")  # GS v 0: raster bit image
    assert p.health()["printer"]["state"] == "ok"


@pytest.mark.parametrize("state", ["paper_out", "cover_open", "offline"])
def test_sim_printer_refuses_when_down(tmp_path: Path, state: str) -> None:
    flag = tmp_path / "state"
    p = printers.SimPrinter(tmp_path, state_file=flag)
    flag.write_text(state)
    with pytest.raises(printers.PrinterError) as err:
        p.print_image(render_sample(576))
    assert err.value.state == state
    assert not list(tmp_path.glob("*.png"))


class _StatusDummy(Dummy):
    """escpos Dummy with the printer's answers to DLE EOT queries (what a real printer reports)."""

    def __init__(self, online: bool, cause: int = 0, paper: int = 2):
        super().__init__()
        self._online, self._cause, self._paper = online, cause, paper

    def is_online(self) -> bool:
        return self._online

    def query_status(self, mode: bytes) -> bytes:
        return bytes([self._cause])

    def paper_status(self) -> int:
        return self._paper


@pytest.mark.parametrize("dev, state", [
    (_StatusDummy(True), "ok"), (_StatusDummy(True, paper=1), "paper_low"), (_StatusDummy(True, paper=0), "paper_out"),
    (_StatusDummy(False, cause=0x04), "cover_open"), (_StatusDummy(False, cause=0x20), "paper_out"),
    (_StatusDummy(False), "offline"),
])
def test_escpos_status_words(dev, state: str) -> None:
    assert printers.EscposPrinter(dev).status() == state


def test_escpos_prints_raster_when_ok() -> None:
    dev = _StatusDummy(True)
    printers.EscposPrinter(dev).print_image(render_sample(576))
    assert b"\x1dv0" in dev.output and dev.output.endswith(b"\x1dVA\x00") or b"\x1dV" in dev.output


def test_serial_scanner_over_a_pty() -> None:
    master, slave = os.openpty()
    got: queue.Queue[str] = queue.Queue()
    scanner = make_scanner({"type": "serial", "port": os.ttyname(slave)}, got.put)
    assert isinstance(scanner, SerialScanner)
    scanner.start()
    try:
        os.write(master, b"HOAAN-261123-0007\r\nHOAAN-261123-0008\n")
        assert got.get(timeout=30) == "HOAAN-261123-0007"
        assert got.get(timeout=30) == "HOAAN-261123-0008"
    finally:
        scanner.stop()
        os.close(master)
        os.close(slave)


def test_serial_scanner_loop_url() -> None:
    got: queue.Queue[str] = queue.Queue()
    scanner = SerialScanner("loop://", got.put).start()
    try:
        scanner.port.write(b"ABC-1\r")
        assert got.get(timeout=30) == "ABC-1"
    finally:
        scanner.stop()


def qr_png(path: Path, text: str) -> Path:
    img = cv2.QRCodeEncoder.create().encode(text)
    img = cv2.resize(img, (img.shape[1] * 8, img.shape[0] * 8), interpolation=cv2.INTER_NEAREST)
    img = cv2.copyMakeBorder(img, 60, 60, 60, 60, cv2.BORDER_CONSTANT, value=255)
    noisy = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)  # a camera frame is colour
    cv2.imwrite(str(path), noisy)
    return path


def test_camera_reads_qr_from_image_files(tmp_path: Path) -> None:
    got: queue.Queue[str] = queue.Queue()
    cam = make_camera({"type": "files", "dir": str(tmp_path / "frames")}, got.put)
    assert isinstance(cam, QrCamera)
    cam.interval_s = 0.05
    cam.start()
    try:
        time.sleep(0.2)
        qr_png(tmp_path / "frames" / "a.png", "IGNORED-WHILE-INACTIVE")
        time.sleep(0.3)
        assert got.empty(), "the camera must not decode while the dossier screen is not shown"
        cam.active.set()
        cv2.imwrite(str(tmp_path / "frames" / "b.png"), np.full((200, 200, 3), 255, np.uint8))  # no code
        qr_png(tmp_path / "frames" / "c.png", "HOAAN-261123-0009")
        assert got.get(timeout=30) == "IGNORED-WHILE-INACTIVE"  # the frame waiting since before (files only)
        assert got.get(timeout=30) == "HOAAN-261123-0009"
    finally:
        cam.stop()
