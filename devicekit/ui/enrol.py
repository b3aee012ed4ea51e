"""The first-boot screen of the Kivy roles (issue #14): a device without its config file asks for the
enrolment code — typed on a keyboard, read by a barcode scanner (it types like a keyboard, then Enter)
or shown to the camera as the console's QR — fetches its identity from the hub and writes the config.

It runs in a process of its own (`python -m devicekit.ui.enrol`, started by `ensure_enrolled`): Kivy
allows one app per process, and the role's app starts afterwards with the file in place."""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout

from devicekit.ui.widgets import ACCENT, BAD, BG, DARK, GOOD, MUTED, Box, Field, Key
from motcua_core.enrol_code import parse_scan, pretty

TITLE = "Đăng ký thiết bị mới"


class EnrolApp(App):
    title = f"motcua — {TITLE}"

    def __init__(self, config_path: Path, hub: str = "", camera: dict | None = None, **kw):
        super().__init__(**kw)
        self.config_path = Path(config_path)
        self.hub_default = hub
        self.camera_hw = camera
        self.camera = None
        self.enrolled = False

    def build(self):
        from kivy.core.window import Window

        Window.clearcolor = BG
        root = BoxLayout(orientation="vertical", padding=30, spacing=14)
        root.add_widget(Box(tid="title", text=TITLE, font_size="34sp", bold=True, color=DARK, halign="center",
                            size_hint_y=0.16))
        root.add_widget(Box(text="Nhập mã đăng ký do máy chủ cấp (dạng ABCD-EFGH), quét mã QR trên màn hình "
                                 "quản trị bằng máy quét hoặc camera.", font_size="20sp", color=MUTED,
                            halign="center", size_hint_y=0.16))
        root.add_widget(Box(text="Địa chỉ máy chủ", font_size="18sp", color=DARK, size_hint_y=0.08))
        self.hub_in = Field(text=self.hub_default, hint_text="http://192.168.1.10:8080", font_size="28sp",
                            size_hint_y=0.12)
        self.hub_in.tid = "hub"
        root.add_widget(self.hub_in)
        root.add_widget(Box(text="Mã đăng ký", font_size="18sp", color=DARK, size_hint_y=0.08))
        self.code_in = Field(hint_text="ABCD-EFGH", font_size="28sp", size_hint_y=0.12, focus=True)
        self.code_in.tid = "code"
        self.code_in.bind(on_text_validate=lambda *_: self.submit())
        root.add_widget(self.code_in)
        self.message = Box(tid="message", text="", font_size="22sp", color=DARK, halign="center", size_hint_y=0.14)
        root.add_widget(self.message)
        button = Key(tid="submit", text="Đăng ký", size_hint_y=0.14, background_color=ACCENT)
        button.bind(on_release=lambda *_: self.submit())
        root.add_widget(button)
        self._start_camera()
        return root

    def _start_camera(self) -> None:
        if not self.camera_hw:
            return
        try:
            from devicekit.drivers.camera import make_camera

            self.camera = make_camera(self.camera_hw, lambda text: Clock.schedule_once(lambda *_: self.scanned(text)))
            if self.camera is not None:
                self.camera.active.set()
                self.camera.start()
        except Exception as exc:  # no camera: keyboard and scanner still work
            self.message.text = f"Không dùng được camera ({exc}); hãy nhập mã."

    def scanned(self, text: str) -> None:
        code, hub = parse_scan(text)
        if hub:
            self.hub_in.text = hub
        self.code_in.text = code
        self.submit()

    def submit(self) -> None:
        if self.enrolled:
            return
        code, hub = parse_scan(self.code_in.text)  # a scanner types the whole QR text into the field
        if hub:
            self.hub_in.text = hub
        self.code_in.text = pretty(code) if len(code) == 8 else code
        self.message.color, self.message.text = DARK, "Đang liên hệ máy chủ …"
        threading.Thread(target=self._enrol, args=(self.hub_in.text.strip(), code), daemon=True).start()

    def _enrol(self, hub: str, code: str) -> None:
        from provisioning.enrol import EnrolError, enrol

        try:
            cfg = enrol(hub, code, self.config_path)
        except EnrolError as exc:
            message = str(exc)
            Clock.schedule_once(lambda *_: self._show(message, BAD))
            return
        self.enrolled = True
        Clock.schedule_once(lambda *_: self._show(
            f"Đã đăng ký: {cfg.device_id} ({cfg.role}, đơn vị {cfg.site}). Đang khởi động …", GOOD))
        Clock.schedule_once(lambda *_: self.stop(), 3.0)

    def _show(self, text: str, color) -> None:
        self.message.color, self.message.text = color, text

    def on_stop(self) -> None:
        if self.camera is not None:
            self.camera.stop()


def ensure_enrolled(config_path: Path, *, hub: str = "", size: str = "1280x800", fullscreen: bool = False,
                    camera: str = "") -> bool:
    """Show the first-boot screen when the config file is missing; True once the file exists."""
    if Path(config_path).exists():
        return True
    argv = [sys.executable, "-m", "devicekit.ui.enrol", "--config", str(config_path), "--hub", hub, "--size", size,
            "--camera", camera] + (["--fullscreen"] if fullscreen else [])
    subprocess.run(argv, check=False)
    return Path(config_path).exists()


def make_test_app(config_path: str, hub: str = "", camera_dir: str = "") -> EnrolApp:
    """Factory for tests/support/kivyrun."""
    return EnrolApp(Path(config_path), hub, {"type": "files", "dir": camera_dir} if camera_dir else None)


def main() -> None:
    p = argparse.ArgumentParser(description=TITLE)
    p.add_argument("--config", type=Path, required=True)
    p.add_argument("--hub", default="")
    p.add_argument("--size", default="1280x800")
    p.add_argument("--fullscreen", action="store_true")
    p.add_argument("--camera", default="", help="camera index for QR codes ('' = none)")
    args = p.parse_args()
    from devicekit.ui.window import configure_window

    configure_window(args.fullscreen, args.size)
    EnrolApp(args.config, args.hub, {"type": "opencv", "index": int(args.camera)} if args.camera else None).run()


if __name__ == "__main__":
    main()
