"""LED boards: the serial frame protocol, the renderer (with Vietnamese letters) and the drivers."""

from __future__ import annotations

from pathlib import Path

import pytest
import serial
from PIL import Image

from devicekit.drivers import led
from display_controller.led_boards import LedBoards, LedSettings, board_content


def test_crc_is_ccitt_false() -> None:
    assert led.crc16(b"123456789") == 0x29B1  # the standard check value


def test_frames_roundtrip_and_resync_after_noise() -> None:
    bmp = led.render_lines(["1005 → 3"], 64, 16)
    good = led.bitmap_frame(3, bmp)
    corrupt = bytearray(led.bitmap_frame(4, bmp))
    corrupt[10] ^= 0xFF
    stream = b"\x00\xaa\x13" + bytes(corrupt) + good + led.brightness_frame(3, 9) + good[:7]
    frames, rest = led.decode_frames(stream)
    assert [(a, c) for a, c, _ in frames] == [(3, led.CMD_BITMAP), (3, led.CMD_BRIGHTNESS)]
    assert led.Bitmap.unpack(frames[0][2]) == bmp and frames[1][2] == b"\x09"
    assert rest == good[:7]
    assert good[:2] == b"\xaa\x55" and good[2] == 3 and int.from_bytes(good[4:6], "big") == 4 + 8 * 16
    with pytest.raises(led.LedError):
        led.brightness_frame(3, 16)
    with pytest.raises(led.LedError):
        led.encode_frame(0, led.CMD_BLANK)


@pytest.mark.parametrize(("h", "w"), [(16, 64), (32, 128)])
def test_call_fits_the_matrix(h: int, w: int) -> None:
    lines = led.call_lines("1005", 3, h)
    bmp = led.render_lines(lines, w, h)
    assert (bmp.width, bmp.height) == (w, h) and bmp.lit() > 60
    # Each digit is drawn: the bitmaps of 1005 and 1006 differ.
    assert bmp != led.render_lines(led.call_lines("1006", 3, h), w, h)


def test_vietnamese_marks_are_drawn() -> None:
    """Quầy, dừng, Tạm: the marks above and below the letters are lit pixels, not dropped."""
    def top(b: led.Bitmap) -> int:
        return next(y for y, row in enumerate(b.rows) if any(row))

    def bottom(b: led.Bitmap) -> int:
        return max(y for y, row in enumerate(b.rows) if any(row))

    plain, marked = (led.render_lines([t], 128, 32, px=20) for t in ("Quay", "Quầy"))
    assert top(marked) < top(plain) and marked.lit() > plain.lit() + 5  # the circumflex and grave accent
    plain, dot = (led.render_lines([t], 128, 32, px=20) for t in ("Tam", "Tạm"))
    assert bottom(dot) > bottom(plain)  # the dot below
    horn = led.render_lines(["dừng"], 128, 32, px=20)
    assert horn != led.render_lines(["dung"], 128, 32, px=20)


def test_serial_driver_sends_the_documented_bytes() -> None:
    bus = led.SerialLedBus("loop://")
    frame = led.bitmap_frame(5, led.render_lines(["A012 → 5"], 64, 16))
    bus.send(frame)
    assert bus.port.read(len(frame)) == frame
    bus.close()
    with pytest.raises(led.LedError, match="cannot open LED bus"):
        led.SerialLedBus("/dev/does-not-exist")
    assert serial  # pyserial is the real driver's dependency


def test_boards_follow_state_and_send_only_changes(tmp_path: Path) -> None:
    settings = LedSettings.from_hardware({"led": {"bus": f"png:{tmp_path}", "width": 64, "height": 16,
                                                  "boards": {"3": 13}, "brightness": 6}})
    bus = led.PngLedBus(tmp_path)
    boards = LedBoards(bus, settings)
    state = {"counters": [{"number": 3, "status": "open", "current": {"ticket": "1005"}},
                          {"number": 4, "status": "paused", "current": None}]}
    assert boards.show_state(state) == [3, 4]
    assert boards.show_state(state) == []  # nothing changed: nothing on the bus
    assert bus.brightness[13] == 6 and bus.boards[13] == led.render_lines(["1005 → 3"], 64, 16)
    assert bus.boards[4] == led.render_lines(["Tạm dừng"], 64, 16)
    img = Image.open(tmp_path / "led-13.png")
    assert img.size == (64 * 8, 16 * 8)
    assert board_content({"number": 2, "status": "closed", "current": None},
                         LedSettings(idle="blank")) is None
    with pytest.raises(led.LedError, match="supported matrix size"):
        LedSettings.from_hardware({"led": {"bus": "png:x", "width": 50, "height": 7}})
