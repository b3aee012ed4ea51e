"""One timer thread for every request timeout of a process.

threading.Timer starts a new thread per call; on a small board that costs around a millisecond before
each request is even published (measured in `motcua bench call-path`). A heap served by one thread
costs microseconds.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("motcua.device")


class Handle:
    """A scheduled call; cancel() before it is due and it never runs."""

    __slots__ = ("cancelled", "fn", "args")

    def __init__(self, fn: Callable[..., Any], args: tuple):
        self.fn, self.args, self.cancelled = fn, args, False

    def cancel(self) -> None:
        self.cancelled = True


class Scheduler:
    def __init__(self) -> None:
        self._cv = threading.Condition()
        self._heap: list[tuple[float, int, Handle]] = []
        self._ids = itertools.count()
        self._thread: threading.Thread | None = None

    def schedule(self, delay: float, fn: Callable[..., Any], *args: Any) -> Handle:
        handle = Handle(fn, args)
        with self._cv:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="motcua-timers", daemon=True)
                self._thread.start()
            heapq.heappush(self._heap, (time.monotonic() + delay, next(self._ids), handle))
            if self._heap[0][2] is handle:
                self._cv.notify()
        return handle

    def _run(self) -> None:
        with self._cv:
            while True:
                while self._heap and self._heap[0][2].cancelled:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cv.wait()
                    continue
                due, _, handle = self._heap[0]
                left = due - time.monotonic()
                if left > 0:
                    self._cv.wait(left)
                    continue
                heapq.heappop(self._heap)
                self._cv.release()
                try:
                    handle.fn(*handle.args)
                except Exception:  # a failing callback must not stop every other timeout
                    log.exception("timer callback failed")
                finally:
                    self._cv.acquire()


_default = Scheduler()


def schedule(delay: float, fn: Callable[..., Any], *args: Any) -> Handle:
    """Run fn(*args) on the shared timer thread after `delay` seconds."""
    return _default.schedule(delay, fn, *args)
