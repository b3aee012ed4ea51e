"""Counter LED matrix boards: rendering text to a 1-bit bitmap, the serial frame protocol, and drivers.

The frame protocol is documented in docs/led-protocol.md. In short, every frame on the RS-485 bus is

    0xAA 0x55 | addr | cmd | len_hi len_lo | payload (len bytes) | crc_hi crc_lo

with CRC-16/CCITT-FALSE over addr..payload. Commands: BITMAP (width, height, rows of packed bits, MSB
first), BRIGHTNESS (0–15), BLANK, PING.

Real: `SerialLedBus` writes frames with pyserial (any URL pyserial knows: /dev/ttyUSB0, rfc2217://…).
Simulated: `PngLedBus` draws each board's last bitmap as a PNG (lit pixels red on black, enlarged).
"""

from __future__ import annotations

import struct
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SOF = b"\xaa\x55"
CMD_BITMAP = 0x01
CMD_BRIGHTNESS = 0x02
CMD_BLANK = 0x03
CMD_PING = 0x04
BROADCAST = 0xFF
MAX_PAYLOAD = 4 + (64 * 256) // 8  # up to 64×256 pixels
SIZES = ((16, 64), (16, 96), (32, 64), (32, 128), (32, 192), (64, 128))


class LedError(ValueError):
    pass


# --- frames (pure) --------------------------------------------------------------------------------

def crc16(data: bytes, crc: int = 0xFFFF) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF): cheap on an 8-bit board's microcontroller."""
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def encode_frame(addr: int, cmd: int, payload: bytes = b"") -> bytes:
    if not 1 <= addr <= 0xFF:
        raise LedError(f"board address must be 1–247 or 255 (broadcast), got {addr}")
    if len(payload) > MAX_PAYLOAD:
        raise LedError(f"payload of {len(payload)} bytes is too large")
    body = struct.pack(">BBH", addr, cmd, len(payload)) + payload
    return SOF + body + struct.pack(">H", crc16(body))


def decode_frames(buf: bytes) -> tuple[list[tuple[int, int, bytes]], bytes]:
    """Parse as many whole frames as `buf` holds: ([(addr, cmd, payload)], rest). Garbage and frames
    with a bad CRC are skipped, as a board does: it resynchronises on the next 0xAA 0x55."""
    frames = []
    i = 0
    while True:
        j = buf.find(SOF, i)
        if j < 0:
            return frames, buf[-1:] if buf.endswith(SOF[:1]) else b""
        if len(buf) - j < 6:
            return frames, buf[j:]
        addr, cmd, n = struct.unpack(">BBH", buf[j + 2:j + 6])
        if n > MAX_PAYLOAD:
            i = j + 2
            continue
        end = j + 6 + n + 2
        if len(buf) < end:
            return frames, buf[j:]
        body = buf[j + 2:j + 6 + n]
        if struct.unpack(">H", buf[end - 2:end])[0] == crc16(body):
            frames.append((addr, cmd, body[4:]))
            i = end
        else:
            i = j + 2


@dataclass(frozen=True)
class Bitmap:
    """A 1-bit image: `rows` is height rows of width pixels (True = lit)."""

    width: int
    height: int
    rows: tuple[tuple[bool, ...], ...]

    def pack(self) -> bytes:
        out = bytearray(struct.pack(">HH", self.width, self.height))
        for row in self.rows:
            for x in range(0, self.width, 8):
                byte = 0
                for bit in range(8):
                    if x + bit < self.width and row[x + bit]:
                        byte |= 0x80 >> bit
                out.append(byte)
        return bytes(out)

    @classmethod
    def unpack(cls, payload: bytes) -> Bitmap:
        width, height = struct.unpack(">HH", payload[:4])
        stride = (width + 7) // 8
        if len(payload) != 4 + stride * height:
            raise LedError(f"bitmap payload of {len(payload)} bytes does not fit {width}×{height}")
        rows = tuple(
            tuple(bool(payload[4 + y * stride + x // 8] & (0x80 >> (x % 8))) for x in range(width))
            for y in range(height))
        return cls(width, height, rows)

    def lit(self) -> int:
        return sum(sum(r) for r in self.rows)


def bitmap_frame(addr: int, bmp: Bitmap) -> bytes:
    return encode_frame(addr, CMD_BITMAP, bmp.pack())


def brightness_frame(addr: int, level: int) -> bytes:
    if not 0 <= level <= 15:
        raise LedError(f"brightness must be 0–15, got {level}")
    return encode_frame(addr, CMD_BRIGHTNESS, bytes([level]))


def blank_frame(addr: int) -> bytes:
    return encode_frame(addr, CMD_BLANK)


# --- rendering (pure, Pillow) ---------------------------------------------------------------------
# The font is a TrueType face rasterised without anti-aliasing at the matrix's pixel size, i.e. a bitmap
# font generated per size. DejaVu Sans covers every Vietnamese letter (stacked marks: Ầ, Ữ, Ợ …).

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


@lru_cache(maxsize=1)
def font_path() -> str:
    for p in FONT_CANDIDATES:
        if Path(p).is_file():
            return p
    try:
        import kivy

        p = Path(kivy.__file__).parent / "data" / "fonts" / "DejaVuSans.ttf"
        if p.is_file():
            return str(p)
    except ImportError:
        pass
    raise LedError("no font for the LED renderer: install fonts-dejavu-core")


@lru_cache(maxsize=64)
def _font(px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path(), px)


def _fit(draw: ImageDraw.ImageDraw, text: str, width: int, height: int) -> tuple[ImageFont.FreeTypeFont, tuple]:
    """The largest font size whose ink box fits width × height."""
    for px in range(height * 2, 5, -1):
        font = _font(px)
        box = draw.textbbox((0, 0), text, font=font)
        if box[2] - box[0] <= width and box[3] - box[1] <= height:
            return font, box
    font = _font(6)
    return font, draw.textbbox((0, 0), text, font=font)


def render_lines(lines: list[str], width: int, height: int, *, px: int | None = None) -> Bitmap:
    """Each line centred in an equal horizontal band, as large as fits (or at `px` pixels, top-aligned)."""
    img = Image.new("1", (width, height), 0)
    draw = ImageDraw.Draw(img)
    draw.fontmode = "1"  # no anti-aliasing: each pixel is an LED, on or off
    band = height // max(1, len(lines))
    for i, line in enumerate(lines):
        if not line:
            continue
        if px is not None:
            font = _font(px)
            box = draw.textbbox((0, 0), line, font=font)
            x, y = 0, i * band
        else:
            gap = 1 if len(lines) > 1 else 0  # a dark row between lines, so stacked marks stay apart
            font, box = _fit(draw, line, width, band - gap)
            w, h = box[2] - box[0], box[3] - box[1]
            x = (width - w) // 2 - box[0]
            y = i * band + gap + (band - gap - h) // 2 - box[1]
        draw.text((x, y), line, font=font, fill=1)
    px = img.load()
    rows = tuple(tuple(bool(px[x, y]) for x in range(width)) for y in range(height))
    return Bitmap(width, height, rows)


def call_lines(ticket: str, counter: int, height: int) -> list[str]:
    """What a counter board shows for a call: "1005 → 3" on one line (as large as the board allows), or
    the number above "→ Quầy 3" on a board tall enough (64 rows) for Vietnamese marks on the second line."""
    if height >= 64:
        return [ticket, f"→ Quầy {counter}"]
    return [f"{ticket} → {counter}"]


def idle_lines(counter: int, status: str, height: int) -> list[str]:
    text = {"paused": "Tạm dừng", "closed": "Đóng"}.get(status, f"Quầy {counter}")
    if height >= 32:
        return [f"Quầy {counter}", text] if status in ("paused", "closed") else [text]
    return [text if status in ("paused", "closed") else f"Quầy {counter}"]


def to_image(bmp: Bitmap, scale: int = 8, color: tuple[int, int, int] = (255, 40, 20)) -> Image.Image:
    """A picture of the board as a person sees it: round lit dots on black."""
    img = Image.new("RGB", (bmp.width * scale, bmp.height * scale), (10, 10, 10))
    draw = ImageDraw.Draw(img)
    dim = (45, 18, 15)
    for y, row in enumerate(bmp.rows):
        for x, on in enumerate(row):
            box = (x * scale + 1, y * scale + 1, (x + 1) * scale - 2, (y + 1) * scale - 2)
            draw.ellipse(box, fill=color if on else dim)
    return img


# --- drivers --------------------------------------------------------------------------------------

class SerialLedBus:
    """Real boards: frames to an RS-485 adapter through pyserial (115200 8N1 by default)."""

    def __init__(self, url: str, baudrate: int = 115200):
        import serial

        try:
            self.port = serial.serial_for_url(url, baudrate=baudrate, timeout=0.5, write_timeout=1.0)
        except (serial.SerialException, ValueError) as exc:
            raise LedError(f"cannot open LED bus {url!r}: {exc}") from None
        self._lock = threading.Lock()

    def send(self, frame: bytes) -> None:
        with self._lock:
            self.port.write(frame)
            self.port.flush()

    def close(self) -> None:
        self.port.close()


class PngLedBus:
    """Simulated boards: decodes the frames it is sent (so the encoding is exercised) and keeps each
    board's picture in `<dir>/led-<addr>.png`."""

    def __init__(self, directory: Path, scale: int = 8):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.scale = scale
        self.boards: dict[int, Bitmap | None] = {}
        self.brightness: dict[int, int] = {}
        self.frames = 0
        self._lock = threading.Lock()

    def path(self, addr: int) -> Path:
        return self.directory / f"led-{addr}.png"

    def send(self, frame: bytes) -> None:
        frames, _ = decode_frames(frame)
        with self._lock:
            for addr, cmd, payload in frames:
                self.frames += 1
                if cmd == CMD_BITMAP:
                    bmp = Bitmap.unpack(payload)
                    self.boards[addr] = bmp
                    img = to_image(bmp, self.scale)
                    tmp = self.path(addr).with_suffix(".tmp.png")
                    img.save(tmp)
                    tmp.replace(self.path(addr))
                elif cmd == CMD_BLANK:
                    self.boards[addr] = None
                    self.path(addr).unlink(missing_ok=True)
                elif cmd == CMD_BRIGHTNESS:
                    self.brightness[addr] = payload[0]

    def close(self) -> None:
        pass
