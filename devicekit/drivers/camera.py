"""QR codes through a camera (OpenCV), or through image files dropped in a folder (tests, demos).

Frames are polled a few times a second and decoded with OpenCV's QR detectors (`decode_qr`); the same code is
reported once until it has left the view for a moment, so holding a receipt up does not repeat it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger("motcua.camera")

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")


def decode_qr(frame: np.ndarray) -> str | None:
    """The text of a QR code in a frame, or None. OpenCV's classic detector misses about 1 % of our own
    printed tickets (its finder-pattern search is thrown by the text around the code: it depends on the
    code's bits); the ArUco-based detector finds those, so it is asked when the first finds nothing."""
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(frame)
    if not text:
        text, _, _ = cv2.QRCodeDetectorAruco().detectAndDecode(frame)
    return text or None


def file_frames(folder: Path) -> Iterator[np.ndarray | None]:
    """Each new image file in `folder` once, in name order (a simulated camera); None when idle."""
    seen: set[str] = set()
    while True:
        new = sorted(p for p in folder.glob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.name not in seen)
        if not new:
            yield None
            continue
        for p in new:
            seen.add(p.name)
            frame = cv2.imread(str(p))
            yield frame


class QrCamera:
    """Polls frames in a thread and reports each decoded QR text to `on_code`."""

    def __init__(self, on_code: Callable[[str], None], *, index: int | None = None, folder: Path | None = None,
                 interval_s: float = 0.2):
        self.on_code = on_code
        self.interval_s = interval_s
        self.index = index
        self.folder = Path(folder) if folder else None
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="motcua-camera", daemon=True)
        self.error: str | None = None
        self.active = threading.Event()  # scanning only while the dossier screen is shown

    def start(self) -> QrCamera:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)

    def _frames(self) -> Iterator[np.ndarray | None]:
        if self.folder is not None:
            yield from file_frames(self.folder)
            return
        cap = cv2.VideoCapture(self.index or 0)
        try:
            while True:
                ok, frame = cap.read()
                if not ok:
                    self.error = f"camera {self.index} gives no frames"
                yield frame if ok else None
        finally:
            cap.release()

    def _run(self) -> None:
        last, last_seen = None, 0.0
        frames = self._frames()
        while not self._stop.wait(self.interval_s):
            if not self.active.is_set():
                continue
            frame = next(frames)
            code = decode_qr(frame) if frame is not None else None
            now = time.monotonic()
            if code and (code != last or now - last_seen > 3.0):
                try:
                    self.on_code(code)
                except Exception:
                    log.exception("QR handler failed")
            if code:
                last, last_seen = code, now

    def health(self) -> dict:
        return {"camera": {"state": "error" if self.error else "ok", "error": self.error}}


def make_camera(hw: dict | None, on_code: Callable[[str], None]) -> QrCamera | None:
    """From the hardware map entry `camera`: {"type": "opencv", "index": 0} or {"type": "files", "dir": "…"}."""
    if not hw:
        return None
    kind = hw.get("type", "opencv")
    if kind == "opencv":
        return QrCamera(on_code, index=int(hw.get("index", 0)))
    if kind == "files":
        return QrCamera(on_code, folder=Path(hw["dir"]))
    raise ValueError(f"unknown camera type {kind!r} (opencv, files)")
