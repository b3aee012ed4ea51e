"""What a display does, without a screen: keep the newest lobby state and the calls to announce.

The lobby screen, LED boards and announcer (issue #4) and the headless simulator all read from here.
"""

from __future__ import annotations

import collections
import queue
import threading
import time
from collections.abc import Callable

from devicekit.session import DeviceSession
from motcua_core import clock as wallclock

STALE_CALL_S = 60.0
SEEN_CALLS_KEPT = 1000


class DisplayCore:
    """Subscribes to the site's display topics.

    State messages are retained, so a display that restarts redraws at once; an older state (lower `seq`
    from the same hub boot) never replaces a newer one. Call events go to `calls` for the announcer, except those older than
    `stale_after_s` (a display coming back after a cut must not read out calls from minutes ago) and
    those already seen (QoS 1 may deliver twice).
    """

    def __init__(self, session: DeviceSession, *, stale_after_s: float = STALE_CALL_S,
                 clock: Callable[[], float] = wallclock.time):
        self.session = session
        self.stale_after_s = stale_after_s
        self.clock = clock
        self.state: dict | None = None
        self.calls: queue.Queue[dict] = queue.Queue()
        self.skipped_stale = 0
        self._seen_calls: set[int] = set()
        self._seen_order: collections.deque[int] = collections.deque()
        self._lock = threading.Lock()
        self._state_changed = threading.Condition(self._lock)
        self.on_state: Callable[[dict], None] | None = None
        session.subscribe_display(self._on_display)

    def _on_display(self, leaf: str, msg: dict) -> None:
        if leaf == "state":
            with self._lock:
                old = self.state
                if old is not None and old.get("boot") == msg.get("boot") and msg.get("seq", 0) < old.get("seq", 0):
                    return
                self.state = msg
                self._state_changed.notify_all()
            if self.on_state is not None:
                self.on_state(msg)
        elif leaf == "call":
            call_id = msg.get("call_id")
            if call_id in self._seen_calls:
                return
            self._seen_calls.add(call_id)
            self._seen_order.append(call_id)
            if len(self._seen_order) > SEEN_CALLS_KEPT:
                self._seen_calls.discard(self._seen_order.popleft())
            if self.clock() - float(msg.get("at", 0)) > self.stale_after_s:
                self.skipped_stale += 1
                return
            self.calls.put(msg)

    def wait_state(self, predicate: Callable[[dict], bool], timeout: float) -> dict | None:
        """Block until a state satisfying `predicate` arrives (or timeout); returns it."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self.state is None or not predicate(self.state):
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._state_changed.wait(left)
            return self.state
