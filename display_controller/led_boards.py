"""Keeping every counter's LED board in step with the lobby state.

`board_content` (pure) says what one board should show; `LedBoards` renders and sends a frame only when
that changes, so the RS-485 bus carries one frame per call, not one per state message.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Protocol

from devicekit.drivers import led

log = logging.getLogger("motcua.led")


class Bus(Protocol):
    def send(self, frame: bytes) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class LedSettings:
    """`hardware.led` of the display config: {"bus": "/dev/ttyUSB0" or "png:DIR", "width": 64,
    "height": 16, "brightness": 8, "idle": "counter" | "blank", "boards": {"<counter>": <address>}}."""

    bus: str = ""
    width: int = 64
    height: int = 16
    brightness: int = 8
    idle: str = "counter"
    boards: dict[int, int] = field(default_factory=dict)
    baudrate: int = 115200

    @classmethod
    def from_hardware(cls, hw: dict) -> LedSettings:
        raw = hw.get("led") or {}
        if not isinstance(raw, dict):
            raise led.LedError("hardware.led must be an object")
        s = cls(bus=str(raw.get("bus", "")), width=int(raw.get("width", 64)), height=int(raw.get("height", 16)),
                brightness=int(raw.get("brightness", 8)), idle=str(raw.get("idle", "counter")),
                boards={int(k): int(v) for k, v in (raw.get("boards") or {}).items()},
                baudrate=int(raw.get("baudrate", 115200)))
        if (s.height, s.width) not in led.SIZES:
            raise led.LedError(f"hardware.led: {s.height}×{s.width} is not a supported matrix size "
                               f"({', '.join(f'{h}×{w}' for h, w in led.SIZES)})")
        if not 0 <= s.brightness <= 15:
            raise led.LedError("hardware.led.brightness must be 0–15")
        if s.idle not in ("counter", "blank"):
            raise led.LedError("hardware.led.idle must be 'counter' or 'blank'")
        return s

    def address(self, counter: int) -> int:
        return self.boards.get(counter, counter)


def board_content(counter: dict, settings: LedSettings) -> tuple[str, ...] | None:
    """Lines for one counter's board; None means blank."""
    current = counter.get("current")
    if current:
        return tuple(led.call_lines(current["ticket"], counter["number"], settings.height))
    if settings.idle == "blank":
        return None
    return tuple(led.idle_lines(counter["number"], counter.get("status", "closed"), settings.height))


def open_bus(settings: LedSettings) -> Bus:
    if settings.bus.startswith("png:"):
        return led.PngLedBus(settings.bus[4:])
    return led.SerialLedBus(settings.bus, settings.baudrate)


class LedBoards:
    def __init__(self, bus: Bus, settings: LedSettings):
        self.bus = bus
        self.settings = settings
        self._shown: dict[int, tuple[str, ...] | None] = {}
        self._lock = threading.Lock()
        self.sent = 0

    def show_state(self, state: dict) -> list[int]:
        """Update every board whose content changed; returns the counters updated."""
        changed = []
        for counter in state.get("counters", []):
            if self.show(counter["number"], board_content(counter, self.settings)):
                changed.append(counter["number"])
        return changed

    def show_call(self, call: dict) -> bool:
        """A call event arrives before the state that follows it: update that board at once."""
        return self.show(int(call["counter"]), tuple(led.call_lines(call["ticket"], int(call["counter"]),
                                                                    self.settings.height)))

    def show(self, counter: int, lines: tuple[str, ...] | None) -> bool:
        addr = self.settings.address(counter)
        with self._lock:
            first = counter not in self._shown
            if not first and self._shown[counter] == lines:
                return False
            self._shown[counter] = lines
            try:
                if first:
                    self.bus.send(led.brightness_frame(addr, self.settings.brightness))
                if lines is None:
                    self.bus.send(led.blank_frame(addr))
                else:
                    bmp = led.render_lines(list(lines), self.settings.width, self.settings.height)
                    self.bus.send(led.bitmap_frame(addr, bmp))
                self.sent += 1
            except Exception as exc:  # a broken bus must not stop the lobby screen or the voice
                log.error("LED board %s (address %s): %s", counter, addr, exc)
                self._shown.pop(counter, None)
                return False
        return True

    def reconfigure(self, settings: LedSettings) -> None:
        """New brightness, idle text or board addresses from the hub (issue #14): every board is drawn
        again with them at the next state, on the bus already open."""
        with self._lock:
            self.settings = settings
            self._shown.clear()

    def close(self) -> None:
        self.bus.close()
