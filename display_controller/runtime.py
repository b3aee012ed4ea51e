"""The display controller's moving parts wired together: state → LED boards, calls → LED + announcer.

Headless or under the lobby screen, the same runtime runs; `hardware` in the device config says which
real or simulated outputs to use:

    "led":   see LedSettings (bus "png:DIR" simulates the boards)
    "audio": {"out": "alsa:default" | "wav:DIR" | "none", "dialect": "north" | "south",
              "voice_pack": DIR (recorded pack; default: espeak-ng, built on first use),
              "repeats": 2, "stale_after_s": 60, "amp_pin": 17 (GPIO, BCM), "amp_warmup_s": 0.8,
              "amp_idle_off_s": 60}
"""

from __future__ import annotations

import logging
import queue
import threading
from pathlib import Path

from devicekit.drivers.audio import AlsaSink, Amplifier, AudioSink, WavFileSink
from display_controller.announcer import Announcer
from display_controller.core import STALE_CALL_S, DisplayCore
from display_controller.led_boards import LedBoards, LedSettings, open_bus
from display_controller.voicepack import open_pack

log = logging.getLogger("motcua.display")


def make_sink(out: str) -> AudioSink | None:
    if out in ("", "none"):
        return None
    if out.startswith("wav:"):
        return WavFileSink(Path(out[4:]))
    if out.startswith("alsa:"):
        return AlsaSink(out[5:] or "default")
    raise ValueError(f"hardware.audio.out {out!r}: use alsa:DEVICE, wav:DIR or none")


def make_amplifier(audio: dict) -> Amplifier:
    relay = None
    if audio.get("amp_pin") is not None:
        from devicekit.drivers.gpio import relay as gpio_relay

        relay = gpio_relay(int(audio["amp_pin"]))
    return Amplifier(relay, warmup_s=float(audio.get("amp_warmup_s", 0.8)),
                     idle_off_s=float(audio.get("amp_idle_off_s", 60)))


class DisplayRuntime:
    def __init__(self, core: DisplayCore, hardware: dict, *, voice_cache: Path | None = None):
        self.core = core
        self.hardware = hardware  # the lobby reads its `screen` entry (languages) from here
        self.leds: LedBoards | None = None
        self.announcer: Announcer | None = None
        led_settings = LedSettings.from_hardware(hardware)
        if led_settings.bus:
            self.leds = LedBoards(open_bus(led_settings), led_settings)
        audio = hardware.get("audio") or {}
        sink = make_sink(str(audio.get("out", "none")))
        if sink is not None:
            dialect = str(audio.get("dialect", "north"))
            pack = open_pack(audio.get("voice_pack"), dialect, voice_cache)
            self.announcer = Announcer(pack, sink, make_amplifier(audio), repeats=int(audio.get("repeats", 2)),
                                       stale_after_s=float(audio.get("stale_after_s", STALE_CALL_S)),
                                       clock=core.clock)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.on_call = None  # the lobby screen sets this to highlight the newest call

    def start(self) -> DisplayRuntime:
        if self.announcer is not None:
            self.announcer.start()
        prev = self.core.on_state

        def on_state(state: dict) -> None:
            if prev is not None:
                prev(state)
            if self.leds is not None:
                self.leds.show_state(state)

        self.core.on_state = on_state
        if self.core.state is not None and self.leds is not None:
            self.leds.show_state(self.core.state)
        self._thread = threading.Thread(target=self._calls, name="motcua-calls", daemon=True)
        self._thread.start()
        return self

    def _calls(self) -> None:
        while not self._stop.is_set():
            try:
                call = self.core.calls.get(timeout=0.2)
            except queue.Empty:
                continue
            try:
                if self.leds is not None:
                    self.leds.show_call(call)
                if self.announcer is not None:
                    self.announcer.submit(call)
                if self.on_call is not None:
                    self.on_call(call)
            except Exception:
                log.exception("handling call %s failed", call.get("call_id"))

    def health(self) -> dict:
        """Extra fields for the device's health report (the hub keeps the latest)."""
        out: dict = {}
        if self.leds is not None:
            out["led"] = {"frames": self.leds.sent, "boards": len(self.leds._shown)}
        if self.announcer is not None:
            a = self.announcer
            errors = [s.error for s in a.history if s.error]
            out["announcer"] = {"spoken": len(a.history), "skipped_stale": a.skipped_stale + self.core.skipped_stale,
                                "last_error": errors[-1] if errors else None, "voice_pack": a.pack.name,
                                "amplifier_on": a.amplifier.is_on}
        return out

    def follow_hub(self, local: dict) -> None:
        """Apply each hardware map the hub pushes (entries of the local file `local` still win)."""
        self.core.session.config_listeners.append(
            lambda cfg: self.apply_hardware({**(cfg.get("hardware") or {}), **local}))

    def apply_hardware(self, hardware: dict) -> bool:
        """Take the live part of a new hardware map (LED brightness, idle text, addresses) without a
        restart; False when the change needs one (another bus or matrix size: provisioning.fleetcmd)."""
        if self.leds is None:
            return False
        new = LedSettings.from_hardware(hardware)
        old = self.leds.settings
        if (new.bus, new.width, new.height, new.baudrate) != (old.bus, old.width, old.height, old.baudrate):
            return False
        if new != old:
            self.leds.reconfigure(new)
            if self.core.state is not None:
                self.leds.show_state(self.core.state)
        return True

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        if self.announcer is not None:
            self.announcer.stop()
        if self.leds is not None:
            self.leds.close()
