"""Audio out: 16-bit mono PCM played through ALSA (`aplay`) or written to WAV files, and the amplifier
relay that must be powered (and warmed up) before the first sound.

Real: `AlsaSink` pipes PCM into `aplay -D <device>` (Debian package alsa-utils).
Simulated: `WavFileSink` writes each announcement to a numbered WAV file a person can listen to.
"""

from __future__ import annotations

import array
import logging
import math
import re
import shutil
import subprocess
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

log = logging.getLogger("motcua.audio")


class AudioError(RuntimeError):
    """Sound could not be produced; the message says what to do."""


@dataclass(frozen=True)
class Pcm:
    """Signed 16-bit little-endian mono samples."""

    data: bytes
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.data) / 2 / self.rate


def read_wav(path: Path) -> Pcm:
    """Read a 16-bit mono WAV; anything else is refused with a message naming the file."""
    try:
        with wave.open(str(path), "rb") as w:
            if w.getsampwidth() != 2 or w.getnchannels() != 1:
                raise AudioError(f"{path}: must be 16-bit mono WAV (has {w.getsampwidth() * 8}-bit, "
                                 f"{w.getnchannels()} channels)")
            return Pcm(w.readframes(w.getnframes()), w.getframerate())
    except (wave.Error, EOFError) as exc:
        raise AudioError(f"{path}: not a readable WAV file: {exc}") from None


def write_wav(path: Path, pcm: Pcm) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(pcm.rate)
        w.writeframes(pcm.data)
    tmp.replace(path)


def silence(seconds: float, rate: int) -> bytes:
    return b"\x00\x00" * int(round(seconds * rate))


def trim_silence(pcm: Pcm, threshold: int = 300, pad_s: float = 0.02) -> Pcm:
    """Cut leading and trailing near-silence (synthesised clips carry ~0.1 s of it on each side)."""
    samples = array.array("h", pcm.data)
    loud = [i for i, s in enumerate(samples) if abs(s) > threshold]
    if not loud:
        return pcm
    pad = int(pad_s * pcm.rate)
    start, end = max(0, loud[0] - pad), min(len(samples), loud[-1] + pad + 1)
    return Pcm(samples[start:end].tobytes(), pcm.rate)


def chime(rate: int, volume: float = 0.5) -> Pcm:
    """A two-note "ding-dong" (E6 then C6, each decaying) used before every announcement."""
    out = array.array("h")
    for freq, dur in ((1318.5, 0.45), (1046.5, 0.75)):
        n = int(dur * rate)
        for i in range(n):
            t = i / rate
            env = math.exp(-4.0 * t) * min(1.0, i / (0.005 * rate))
            value = env * (math.sin(2 * math.pi * freq * t) + 0.3 * math.sin(2 * math.pi * 2 * freq * t))
            out.append(int(max(-1.0, min(1.0, value * volume / 1.3)) * 32767))
    return Pcm(out.tobytes(), rate)


# --- sinks ----------------------------------------------------------------------------------------

class AudioSink(Protocol):
    def play(self, pcm: Pcm, on_start: Callable[[], None] | None = None) -> None:
        """Produce the sound; return when it has finished. `on_start` runs when the first sample is queued."""


@dataclass
class WavFileSink:
    """Simulated speakers: every announcement becomes `<dir>/<prefix>-NNNN.wav`.

    With `realtime` the call also lasts as long as the sound would (divided by `speedup`, for tests), so
    timing behaves like real playback."""

    directory: Path
    prefix: str = "announcement"
    realtime: bool = False
    speedup: float = 1.0
    written: list[Path] = field(default_factory=list)
    _last: int | None = field(default=None, init=False, repr=False)

    def play(self, pcm: Pcm, on_start: Callable[[], None] | None = None) -> None:
        if on_start is not None:
            on_start()
        if self._last is None:  # a restarted display numbers on after the files already there, never over them
            self._last = max((int(m.group(1)) for p in self.directory.glob(f"{self.prefix}-*.wav")
                              if (m := re.fullmatch(rf"{re.escape(self.prefix)}-(\d+)\.wav", p.name))), default=0)
        self._last += 1
        path = self.directory / f"{self.prefix}-{self._last:04d}.wav"
        write_wav(path, pcm)
        self.written.append(path)
        if self.realtime:
            time.sleep(pcm.seconds / self.speedup)


@dataclass
class AlsaSink:
    """Real speakers through ALSA. `device` is an ALSA PCM name ("default", "plughw:1,0", …)."""

    device: str = "default"

    def play(self, pcm: Pcm, on_start: Callable[[], None] | None = None) -> None:
        aplay = shutil.which("aplay")
        if aplay is None:
            raise AudioError("cannot play sound: `aplay` is missing (apt-get install alsa-utils); "
                             "use --out FILE.wav to write the announcement instead")
        cmd = [aplay, "-q", "-D", self.device, "-t", "raw", "-f", "S16_LE", "-c", "1", "-r", str(pcm.rate)]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdin is not None
        try:
            if on_start is not None:
                on_start()
            proc.stdin.write(pcm.data)
            proc.stdin.close()
        except BrokenPipeError:
            pass
        err = proc.stderr.read().decode("utf-8", "replace").strip() if proc.stderr else ""
        if proc.wait() != 0:
            last = err.splitlines()[-1] if err else "aplay failed"  # ALSA prints a page; the last line says why
            raise AudioError(f"cannot play sound on ALSA device {self.device!r} ({last}). Is a sound card "
                             "present (`aplay -l`)? Choose the device with --device or hardware.audio.out "
                             "\"alsa:DEVICE\", or write a file with --out FILE.wav")


# --- amplifier relay ------------------------------------------------------------------------------

class Amplifier:
    """The lobby amplifier's power relay: on before the chime (then wait `warmup_s` for it to settle),
    off again after `idle_off_s` without announcements, so it does not hum all day.

    `relay` is anything with on()/off()/is_active (a gpiozero OutputDevice, or None for no relay)."""

    def __init__(self, relay: object | None, *, warmup_s: float = 0.8, idle_off_s: float = 60.0,
                 sleep: Callable[[float], None] = time.sleep):
        self.relay = relay
        self.warmup_s = warmup_s
        self.idle_off_s = idle_off_s
        self._sleep = sleep
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self.switched_on = 0  # how many times the relay was switched on (for health and tests)

    @property
    def is_on(self) -> bool:
        return bool(self.relay is not None and self.relay.is_active)  # type: ignore[attr-defined]

    def power_on(self) -> float:
        """Switch on if off and wait for warm-up; returns the seconds spent warming up."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self.relay is None or self.is_on:
                return 0.0
            self.relay.on()  # type: ignore[attr-defined]
            self.switched_on += 1
        self._sleep(self.warmup_s)
        return self.warmup_s

    def idle(self) -> None:
        """Called after each announcement: schedule the relay off after the idle period."""
        with self._lock:
            if self.relay is None:
                return
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.idle_off_s, self._off)
            self._timer.daemon = True
            self._timer.start()

    def _off(self) -> None:
        with self._lock:
            self._timer = None
            if self.relay is not None:
                self.relay.off()  # type: ignore[attr-defined]

    def close(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        if self.relay is not None:
            self.relay.off()  # type: ignore[attr-defined]
            close = getattr(self.relay, "close", None)
            if close is not None:  # release the GPIO pin (a restarted runtime claims it again)
                close()
