"""The lobby announcer: one call at a time, in order, never overlapping, never stale.

Calls arrive from DisplayCore (already de-duplicated and filtered for staleness on arrival). A call can
also go stale while it waits behind others (a burst after a reconnect), so the age is checked again just
before speaking. A single worker thread plays everything: a new call waits for the current one to end.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from devicekit.drivers.audio import Amplifier, AudioError, AudioSink
from display_controller.numbers import dialect as dialect_named
from display_controller.sentence import build
from display_controller.voicepack import VoicePack
from motcua_core import clock as wallclock

log = logging.getLogger("motcua.announcer")


@dataclass
class Spoken:
    """One announcement as it was made (for tests, health and the operator's log)."""

    call_id: int | None
    ticket: str
    counter: int
    text: str
    clips: tuple[str, ...]
    queued_at: float  # monotonic, when the call reached the announcer
    first_sample_at: float = 0.0  # monotonic, when the first sample went to the sink
    ended_at: float = 0.0
    warmup_s: float = 0.0
    error: str | None = None


@dataclass
class Announcer:
    pack: VoicePack
    sink: AudioSink
    amplifier: Amplifier = field(default_factory=lambda: Amplifier(None))
    repeats: int = 2
    stale_after_s: float = 60.0
    clock: Callable[[], float] = wallclock.time
    on_spoken: Callable[[Spoken], None] | None = None

    def __post_init__(self) -> None:
        self.dialect = dialect_named(self.pack.dialect)
        self._queue: queue.Queue[tuple[dict, float] | None] = queue.Queue()
        self.history: list[Spoken] = []
        self.skipped_stale = 0
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None

    def start(self) -> Announcer:
        self._thread = threading.Thread(target=self._run, name="motcua-announcer", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(30)
        self.amplifier.close()

    def submit(self, call: dict) -> None:
        self._idle.clear()
        self._queue.put((call, time.monotonic()))

    def wait_idle(self, timeout: float) -> bool:
        """True once every submitted call has been spoken or skipped."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            call, queued = item
            try:
                self.announce(call, queued)
            except Exception:
                log.exception("announcement of %s failed", call.get("ticket"))
            if self._queue.empty():
                self._idle.set()

    def announce(self, call: dict, queued: float | None = None) -> Spoken | None:
        """Speak one call now (the worker calls this; tests and `say` may call it directly)."""
        at = call.get("at")
        if at is not None and self.clock() - float(at) > self.stale_after_s:
            self.skipped_stale += 1
            log.info("call %s for counter %s is stale; not announced", call.get("ticket"), call.get("counter"))
            return None
        ann = build(str(call["ticket"]), int(call["counter"]), self.dialect)
        spoken = Spoken(call.get("call_id"), str(call["ticket"]), int(call["counter"]), ann.text, ann.clips,
                        queued or time.monotonic())
        pcm = self.pack.render(ann, self.repeats)
        try:
            spoken.warmup_s = self.amplifier.power_on()

            def started() -> None:
                spoken.first_sample_at = time.monotonic()

            self.sink.play(pcm, on_start=started)
        except AudioError as exc:
            spoken.error = str(exc)
            log.error("%s", exc)
        finally:
            spoken.ended_at = time.monotonic()
            self.amplifier.idle()
        self.history.append(spoken)
        if self.on_spoken is not None:
            self.on_spoken(spoken)
        return spoken
