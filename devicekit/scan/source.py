"""Where the counter's pages come from, from the hardware map entry `docscan`:

    {"type": "camera", "index": 0}              a document camera over the desk (OpenCV)
    {"type": "files", "dir": "/path"}           a camera stand-in replaying photos in name order
    {"type": "sane", "device": "test", "feeder": true}   a flatbed/feeder scanner (SANE)

Each `capture()` gives the pages of one press of "Chụp/Quét": one photo → one page, a feeder → every sheet.
"""

from __future__ import annotations

from pathlib import Path

import cv2

from devicekit.scan import pipeline, sane
from devicekit.scan.pipeline import Page

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")


class CameraSource:
    """One photo per capture, from a camera or from a folder of photos (each replayed once, in order)."""

    def __init__(self, *, index: int | None = None, folder: Path | None = None, mode: str = "bw", dpi: int = 200):
        self.index, self.folder, self.mode, self.dpi = index, Path(folder) if folder else None, mode, dpi
        self._used: set[str] = set()

    def _frame(self):
        if self.folder is not None:
            left = sorted(p for p in self.folder.glob("*")
                          if p.suffix.lower() in IMAGE_SUFFIXES and p.name not in self._used)
            if not left:
                raise sane.ScannerError("no more photos in the stand-in folder",
                                        "Không có ảnh mới từ máy chụp tài liệu.")
            self._used.add(left[0].name)
            return cv2.imread(str(left[0]))
        cap = cv2.VideoCapture(self.index or 0)
        try:
            ok, frame = cap.read()
        finally:
            cap.release()
        if not ok:
            raise sane.ScannerError(f"camera {self.index} gives no picture",
                                    "Máy chụp tài liệu không cho hình: kiểm tra kết nối.")
        return frame

    def capture(self) -> list[Page]:
        try:
            return [pipeline.process_photo(self._frame(), mode=self.mode, dpi=self.dpi)]
        except pipeline.NoPageFound:
            raise sane.ScannerError("no page under the camera",
                                    "Không thấy trang giấy: đặt tài liệu trên nền tối, trọn trong khung hình.") from None


class SaneSource:
    def __init__(self, device: str, *, feeder: bool = False, mode: str = "bw", dpi: int = 200):
        self.device, self.feeder, self.mode, self.dpi = device, feeder, mode, dpi

    def capture(self) -> list[Page]:
        return [pipeline.process_scan(img, mode=self.mode, dpi=self.dpi)
                for img in sane.scan(self.device, dpi=self.dpi, feeder=self.feeder)]


def make_source(hw: dict | None) -> CameraSource | SaneSource | None:
    if not hw:
        return None
    kind, mode, dpi = hw.get("type", "camera"), hw.get("mode", "bw"), int(hw.get("dpi", 200))
    if kind == "camera":
        return CameraSource(index=int(hw.get("index", 0)), mode=mode, dpi=dpi)
    if kind == "files":
        return CameraSource(folder=Path(hw["dir"]), mode=mode, dpi=dpi)
    if kind == "sane":
        return SaneSource(str(hw.get("device", "test")), feeder=bool(hw.get("feeder")), mode=mode, dpi=dpi)
    raise ValueError(f"unknown docscan type {kind!r} (camera, files, sane)")
