"""Flatbed and feeder scanners through SANE's `scanimage` (Debian `sane-utils`): one process per
document, every page of the feeder as a PNG in a private temporary folder, read back as arrays.

The command line rather than a binding: `scanimage` ships with every SANE install, a stuck scanner is a
process to kill (with a timeout) instead of a hung thread, and SANE's own `test` backend
(`device: "test"`) lets tests and demos run the same path without a scanner.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy as np

FEEDER = "Automatic Document Feeder"


class ScannerError(RuntimeError):
    """The scanner did not give pages; `message_vi` is what the officer reads."""

    def __init__(self, message: str, message_vi: str):
        super().__init__(message)
        self.message_vi = message_vi


def command(device: str, *, dpi: int, feeder: bool, max_pages: int, extra: list[str] | None = None) -> list[str]:
    """The scanimage command for one document (pure: tests read it)."""
    cmd = ["scanimage", "-d", device, "--format=png", "--mode", "Gray", "--resolution", str(dpi),
           "--batch=page-%03d.png"]
    if feeder:
        cmd += ["--source", FEEDER, f"--batch-count={max_pages}"]
    else:
        cmd += ["--batch-count=1"]
    return cmd + list(extra or [])


def scan(device: str, *, dpi: int = 200, feeder: bool = False, max_pages: int = 50,
         extra: list[str] | None = None, timeout_s: float = 120.0) -> list[np.ndarray]:
    """Scan one document (every sheet in the feeder, or the flatbed once) → greyscale pages in order."""
    if shutil.which("scanimage") is None:
        raise ScannerError("scanimage is not installed (Debian package sane-utils)",
                           "Chưa cài phần mềm máy quét (gói sane-utils).")
    with tempfile.TemporaryDirectory(prefix="motcua-scan-") as tmp:
        try:
            res = subprocess.run(command(device, dpi=dpi, feeder=feeder, max_pages=max_pages, extra=extra),
                                 cwd=tmp, capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise ScannerError("the scanner did not finish in time", "Máy quét không phản hồi, xin thử lại.") from None
        pages = sorted(Path(tmp).glob("page-*.png"))
        if not pages:
            detail = (res.stderr or "").strip().splitlines()[-1:] or [f"exit {res.returncode}"]
            raise ScannerError(f"no page scanned: {detail[0]}",
                               "Máy quét không quét được trang nào: kiểm tra giấy và kết nối máy quét.")
        return [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) for p in pages]
