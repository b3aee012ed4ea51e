"""GPIO: the counter keypad (buttons), its indicator LED, and relays (the lobby amplifier).

Real: gpiozero on the board's default pin factory. Simulated: gpiozero's MockFactory
(`Device.pin_factory = MockFactory()`), which tests drive pin by pin.

The keypad rules are a pure class, `KeyGate`, so that bounce, held keys and double presses are decided
the same way on every board and tested without hardware:
- a key fires once on its press edge; holding it down never repeats (no auto-repeat: a held Next must
  not call a second citizen);
- edges closer than `bounce_s` to the previous edge of that key are contact bounce and ignored;
- after any action fires, every key is locked for `lockout_s` (an officer tapping Next twice by
  reflex calls one citizen, not two).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

KEYS = ("next", "recall", "skip", "done")


@dataclass
class KeyGate:
    bounce_s: float = 0.03
    lockout_s: float = 0.6
    _down: dict[str, bool] = field(default_factory=dict)
    _last_edge: dict[str, float] = field(default_factory=dict)
    _last_fire: float = float("-inf")

    def press(self, key: str, t: float) -> bool:
        """A press edge at time t; True if the action should run."""
        if t - self._last_edge.get(key, float("-inf")) < self.bounce_s:
            return False
        self._last_edge[key] = t
        if self._down.get(key):
            return False  # already held: a second press edge without a release is noise
        self._down[key] = True
        if t - self._last_fire < self.lockout_s:
            return False
        self._last_fire = t
        return True

    def release(self, key: str, t: float) -> None:
        if t - self._last_edge.get(key, float("-inf")) < self.bounce_s:
            return
        self._last_edge[key] = t
        self._down[key] = False


class Keypad:
    """Physical keys wired to GPIO pins (BCM numbers), e.g. {"next": 5, "recall": 6, "skip": 13,
    "done": 19}, active low with the internal pull-up; `on_key(name)` runs on gpiozero's thread."""

    def __init__(self, pins: dict[str, int], on_key: Callable[[str], None], *, indicator_pin: int | None = None,
                 gate: KeyGate | None = None, clock: Callable[[], float] = time.monotonic):
        from gpiozero import LED, Button

        unknown = set(pins) - set(KEYS)
        if unknown:
            raise ValueError(f"unknown keypad key(s) {sorted(unknown)}: use {', '.join(KEYS)}")
        self.gate = gate or KeyGate()
        self.on_key = on_key
        self.clock = clock
        self._lock = threading.Lock()
        # gpiozero's own bounce_time drops edges silently on some pin factories; KeyGate does it instead.
        self.buttons = {name: Button(pin, pull_up=True) for name, pin in pins.items()}
        for name, button in self.buttons.items():
            button.when_pressed = lambda _b=None, n=name: self._press(n)
            button.when_released = lambda _b=None, n=name: self._release(n)
        self.indicator = LED(indicator_pin) if indicator_pin is not None else None

    def _press(self, name: str) -> None:
        with self._lock:
            fire = self.gate.press(name, self.clock())
        if fire:
            self.on_key(name)

    def _release(self, name: str) -> None:
        with self._lock:
            self.gate.release(name, self.clock())

    def set_indicator(self, mode: str) -> None:
        """"on" (signed in, ready), "off" (signed out), "blink" (working, or an error to notice)."""
        if self.indicator is None:
            return
        if mode == "on":
            self.indicator.on()
        elif mode == "blink":
            self.indicator.blink(on_time=0.15, off_time=0.15)
        else:
            self.indicator.off()

    def close(self) -> None:
        for b in self.buttons.values():
            b.close()
        if self.indicator is not None:
            self.indicator.close()


def relay(pin: int, active_high: bool = True):
    """A relay output (the amplifier's power), off at start."""
    from gpiozero import OutputDevice

    return OutputDevice(pin, active_high=active_high, initial_value=False)


def use_mock_pins() -> None:
    """Simulated pins for a machine without GPIO (tests, the demo, a desktop)."""
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    if not isinstance(Device.pin_factory, MockFactory):
        Device.pin_factory = MockFactory()
