"""The hardware self-test of a device (issue #14): the checks of its role, each passing, failing with a
reason a technician can act on, or skipped when that hardware is not configured.

Run by `motcua provision selftest` at the device (it may ask a person to press each key or scan the test
code, `wait_s` > 0) and by the hub's `selftest` command (provisioning.fleetcmd, `wait_s` = 0: checks that
need a person are skipped with that reason). Simulated hardware is tested through the same drivers: a
`sim` printer writes PNGs, `png:` LED buses write PNGs, `wav:` audio writes WAV files, `loop://` serial
ports echo what is written (the scanner check writes the test code and reads it back), gpiozero mock
pins stand for the keypad.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from motcua_core.device_config import DeviceConfig

log = logging.getLogger("motcua.selftest")

TEST_CODE = "MOTCUA-SELFTEST"
HUB_HARDWARE = "hub-hardware.json"
ROLE_CHECKS = {
    "kiosk": ("printer", "scanner", "camera", "screen"),
    "lookup": ("scanner", "camera", "screen"),
    "voting": ("screen",),
    "counter": ("keypad", "scanner", "printer", "screen"),
    "display": ("led", "audio", "screen"),
}
Prompt = Callable[[str], None] | None


@dataclass
class Check:
    name: str
    state: str  # pass | fail | skip
    detail: str

    def as_dict(self) -> dict:
        return asdict(self)


def hub_hardware(cfg: DeviceConfig) -> dict:
    """The hardware map the hub last pushed (provisioning.fleetcmd keeps it in the device's data folder)."""
    try:
        got = json.loads((cfg.data_dir / HUB_HARDWARE).read_text())
    except (OSError, ValueError):
        return {}
    return got if isinstance(got, dict) else {}


def run_selftest(cfg: DeviceConfig, *, wait_s: float = 0.0, prompt: Prompt = None) -> list[Check]:
    """Every check of the device's role, in order; a check that crashes is a failure, not a crash. The
    hardware is the hub's map overridden key by key by the config file (as the kiosk reads it)."""
    out = []
    hardware = {**hub_hardware(cfg), **cfg.hardware}
    for name in ROLE_CHECKS[cfg.role]:
        hw = hardware.get(name)
        if not hw and name != "screen":
            out.append(Check(name, "skip", "không cấu hình (not configured in the hardware map)"))
            continue
        try:
            out.append(CHECKS[name](cfg, hw or {}, wait_s, prompt))
        except Exception as exc:  # a driver error is the check's result
            log.exception("self-test %s", name)
            out.append(Check(name, "fail", f"{type(exc).__name__}: {exc}"))
    return out


# --- printer ---------------------------------------------------------------------------------------

PRINTER_FIX = {
    "paper_out": "hết giấy: lắp cuộn giấy mới (paper out: load a new roll)",
    "cover_open": "nắp máy in đang mở: đóng nắp (cover open: close it)",
    "offline": "máy in không trả lời: kiểm tra nguồn và cáp USB/mạng (offline: check power and cable)",
}


def test_ticket(width: int, cfg: DeviceConfig):
    """A test slip: Vietnamese text with stacked marks (Ầ, Ữ, Ợ) and a QR of the test code."""
    from PIL import Image, ImageDraw, ImageFont

    from devicekit.drivers.printer import font_path
    from motcua_core.documents.codes import qr_image

    qr = qr_image(TEST_CODE, box=6)
    img = Image.new("L", (width, 260 + qr.height), 255)
    d = ImageDraw.Draw(img)
    big, small = ImageFont.truetype(font_path(True), 34), ImageFont.truetype(font_path(), 24)
    d.text((10, 10), "KIỂM TRA MÁY IN", font=big, fill=0)
    d.text((10, 60), "Thử chữ: Ầ Ữ Ợ ỗ ậ đ — Bộ phận một cửa", font=small, fill=0)
    d.text((10, 100), f"Thiết bị: {cfg.device_id}", font=small, fill=0)
    d.text((10, 135), datetime.now().strftime("%H:%M %d/%m/%Y"), font=small, fill=0)
    d.text((10, 175), "Quét mã dưới đây để thử máy quét:", font=small, fill=0)
    img.paste(qr.convert("L"), ((width - qr.width) // 2, 220))
    return img


def check_printer(cfg: DeviceConfig, hw: dict, wait_s: float, prompt: Prompt) -> Check:
    from devicekit.drivers.printer import NOT_PRINTABLE, PAPER_LOW, PrinterError, make_printer

    printer = make_printer(hw, cfg.data_dir / "selftest-prints")
    state = printer.status()
    if state in NOT_PRINTABLE:
        return Check("printer", "fail", PRINTER_FIX.get(state, state))
    try:
        result = printer.print_image(test_ticket(printer.width, cfg), "selftest")
    except PrinterError as exc:
        return Check("printer", "fail", PRINTER_FIX.get(exc.state, str(exc)))
    where = f" ({result.path})" if result.path else ""
    low = "; sắp hết giấy: chuẩn bị cuộn mới (paper low)" if state == PAPER_LOW else ""
    return Check("printer", "pass", f"đã in phiếu thử, trạng thái {state}{where}{low}")


# --- LED boards, audio -----------------------------------------------------------------------------

def check_led(cfg: DeviceConfig, hw: dict, wait_s: float, prompt: Prompt) -> Check:
    from devicekit.drivers import led
    from display_controller.led_boards import LedSettings, open_bus

    settings = LedSettings.from_hardware({"led": hw})
    addresses = sorted(set(settings.boards.values())) or [led.BROADCAST]
    bus = open_bus(settings)
    try:
        pattern = led.render_lines(["8888", "TEST"][: 1 + (settings.height >= 32)], settings.width, settings.height)
        for addr in addresses:
            bus.send(led.brightness_frame(addr, settings.brightness))
            bus.send(led.bitmap_frame(addr, pattern))
    finally:
        bus.close()
    names = ", ".join("tất cả (broadcast)" if a == led.BROADCAST else str(a) for a in addresses)
    return Check("led", "pass", f"đã gửi mẫu thử tới bảng {names} qua {settings.bus}: mỗi bảng phải hiện 8888")


def check_audio(cfg: DeviceConfig, hw: dict, wait_s: float, prompt: Prompt) -> Check:
    from devicekit.drivers.audio import chime
    from display_controller.runtime import make_amplifier, make_sink

    out = str(hw.get("out", "none"))
    if out.startswith("alsa:"):
        devices = subprocess.run(["aplay", "-L"], capture_output=True, text=True, timeout=10).stdout.split()
        dev = out[5:] or "default"
        if dev not in devices and not dev.startswith(("hw:", "plughw:")):
            return Check("audio", "fail", f"không có thiết bị ALSA {dev!r}: kiểm tra loa/USB sound "
                         f"(aplay -L lists {', '.join(devices[:6])})")
    sink = make_sink(out)
    if sink is None:
        return Check("audio", "skip", "audio.out là none (no sound output configured)")
    amp = make_amplifier(hw)
    notes = []
    try:
        amp.power_on()
        if hw.get("amp_pin") is not None:
            if not amp.is_on:
                return Check("audio", "fail", f"rơ-le ampli (GPIO {hw['amp_pin']}) không bật (amplifier relay stuck)")
            notes.append(f"rơ-le ampli GPIO {hw['amp_pin']} bật")
        try:
            from display_controller.numbers import dialect
            from display_controller.sentence import build
            from display_controller.voicepack import open_pack

            pack = open_pack(hw.get("voice_pack"), str(hw.get("dialect", "north")))
            ann = build("1001", 1, dialect(str(hw.get("dialect", "north"))))
            pcm = pack.render(ann, 1)
            notes.append(f"đã phát câu thử “{ann.text}”")
        except Exception as exc:  # no voice pack: the chime still proves the sound path
            pcm = chime(16000)
            notes.append(f"chỉ phát tiếng chuông (voice pack unavailable: {exc})")
        sink.play(pcm)
    finally:
        amp.close()
    return Check("audio", "pass", f"{'; '.join(notes)} qua {out}")


# --- keypad, scanner, camera -----------------------------------------------------------------------

def check_keypad(cfg: DeviceConfig, hw: dict, wait_s: float, prompt: Prompt) -> Check:
    from devicekit.drivers.gpio import KEYS, KeyGate, Keypad, use_mock_pins

    if hw.get("mock"):
        use_mock_pins()
    pins = {k: int(hw["pins"][k]) for k in KEYS if k in hw.get("pins", {})}  # the keypad's order
    seen: list[str] = []
    got = threading.Event()
    keypad = Keypad(pins, lambda name: (seen.append(name), got.set()), gate=KeyGate(lockout_s=0.0))
    try:
        if wait_s <= 0:
            return Check("keypad", "skip", f"đã mở GPIO {', '.join(map(str, pins.values()))}; "
                         "bấm thử phím cần người tại thiết bị (run selftest at the device)")
        for name in pins:
            if prompt:
                prompt(f"Bấm phím “{name}” (press {name}) trong {wait_s:g} giây …")
            deadline = time.monotonic() + wait_s
            while name not in seen and time.monotonic() < deadline:
                got.wait(0.05)
                got.clear()
            if name not in seen:
                return Check("keypad", "fail", f"phím “{name}” (GPIO {pins[name]}) không phản hồi: kiểm tra dây "
                             "và nút (no press seen)")
    finally:
        keypad.close()
    return Check("keypad", "pass", f"đủ {len(pins)} phím: {', '.join(pins)}")


def check_scanner(cfg: DeviceConfig, hw: dict, wait_s: float, prompt: Prompt) -> Check:
    import serial

    port = hw["port"]
    try:
        ser = serial.serial_for_url(port, baudrate=int(hw.get("baudrate", 9600)), timeout=0.2)
    except (serial.SerialException, ValueError) as exc:
        return Check("scanner", "fail", f"không mở được {port}: cắm lại máy quét, kiểm tra cổng ({exc})")
    try:
        if port.startswith("loop://"):  # simulated: what is written comes back as if scanned
            ser.write(f"{TEST_CODE}\r\n".encode())
        elif wait_s <= 0:
            return Check("scanner", "skip", f"đã mở {port}; quét thử cần người tại thiết bị")
        elif prompt:
            prompt(f"Quét mã thử trên phiếu in thử (scan the test code) trong {wait_s:g} giây …")
        deadline = time.monotonic() + max(wait_s, 2.0)
        buf = b""
        while time.monotonic() < deadline:
            buf += ser.read(64)
            if TEST_CODE.encode() in buf:
                return Check("scanner", "pass", f"đọc được mã thử qua {port}")
        text = buf.decode("utf-8", "replace").strip()
        return Check("scanner", "fail", f"không đọc được mã thử qua {port}" + (f" (read {text!r}: check the "
                     "scanner's suffix/baud settings)" if text else ": kiểm tra cáp và chế độ USB-serial của máy quét"))
    finally:
        ser.close()


def check_camera(cfg: DeviceConfig, hw: dict, wait_s: float, prompt: Prompt) -> Check:
    from devicekit.drivers.camera import decode_qr, file_frames

    if hw.get("type", "opencv") == "files":
        frames, where = file_frames(Path(hw["dir"])), f"thư mục {hw['dir']}"
    else:
        import cv2

        cap = cv2.VideoCapture(int(hw.get("index", 0)))
        if not cap.isOpened():
            return Check("camera", "fail", f"không mở được camera {hw.get('index', 0)}: kiểm tra cáp và "
                         "dtoverlay/camera_auto_detect")
        frames = (cap.read()[1] for _ in iter(int, 1))
        where = f"camera {hw.get('index', 0)}"
        if prompt and wait_s > 0:
            prompt(f"Đưa mã QR trên phiếu in thử trước camera trong {wait_s:g} giây …")
    deadline = time.monotonic() + max(wait_s, 1.0)
    got_frame = False
    while time.monotonic() < deadline:
        frame = next(frames)
        if frame is None:
            time.sleep(0.1)
            continue
        got_frame = True
        code = decode_qr(frame)
        if code:
            return Check("camera", "pass", f"đọc được QR “{code}” từ {where}")
    if not got_frame:
        return Check("camera", "fail", f"{where} không cho hình: kiểm tra cáp camera")
    if wait_s <= 0:
        return Check("camera", "skip", f"{where} cho hình; đọc QR cần người đưa mã trước camera")
    return Check("camera", "fail", f"{where} cho hình nhưng không thấy QR: lau ống kính, kiểm tra lấy nét")


# --- screen ----------------------------------------------------------------------------------------

def _touch_present() -> bool:
    try:
        text = Path("/proc/bus/input/devices").read_text()
    except OSError:
        return False
    return bool(re.search(r'N: Name=".*(touch|ft5406|goodix|ilitek|eGalax).*"', text, re.I))


def check_screen(cfg: DeviceConfig, hw: dict, wait_s: float, prompt: Prompt) -> Check:
    size = None
    if os.environ.get("DISPLAY"):
        out = subprocess.run(["xdpyinfo"], capture_output=True, text=True, timeout=10).stdout
        m = re.search(r"dimensions:\s+(\d+)x(\d+) pixels", out)
        size = (int(m[1]), int(m[2])) if m else None
    if size is None:
        for modes in sorted(Path("/sys/class/drm").glob("card*-*/modes")):
            status = modes.with_name("status")
            if status.exists() and status.read_text().strip() == "connected" and modes.read_text().strip():
                w, h = modes.read_text().split()[0].split("x")
                size = (int(w), int(h.rstrip("i")))
                break
    if size is None:
        if not hw:
            return Check("screen", "skip", "không có màn hình (no screen found and none configured)")
        return Check("screen", "fail", "không thấy màn hình: kiểm tra cáp HDMI/DSI và nguồn màn hình")
    touch = _touch_present()
    want = (hw.get("width"), hw.get("height"))
    if all(want) and tuple(want) != size:
        return Check("screen", "fail", f"độ phân giải {size[0]}×{size[1]}, cần {want[0]}×{want[1]}: "
                     "chỉnh hdmi_mode / màn hình")
    if hw.get("touch") and not touch:
        return Check("screen", "fail", f"{size[0]}×{size[1]} nhưng không thấy cảm ứng: kiểm tra cáp USB cảm ứng")
    return Check("screen", "pass", f"{size[0]}×{size[1]}, cảm ứng: {'có' if touch else 'không'}")


CHECKS = {"printer": check_printer, "led": check_led, "audio": check_audio, "keypad": check_keypad,
          "scanner": check_scanner, "camera": check_camera, "screen": check_screen}


def as_request(checks: list[Check]) -> dict:
    """The `device.selftest` request data."""
    return {"checks": [c.as_dict() for c in checks], "at": datetime.now().astimezone().isoformat(timespec="seconds")}


def report(cfg: DeviceConfig, checks: list[Check], timeout: float = 10.0) -> dict:
    """Send a result run at the device to the hub (a session of its own, for the CLI)."""
    from devicekit.session import DeviceSession

    session = DeviceSession(cfg)
    session.start()
    try:
        session.wait_connected(timeout)
        return session.request("device.selftest", as_request(checks), timeout=timeout / 2)
    finally:
        session.stop()
