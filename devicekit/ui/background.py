"""A device request off the Kivy thread: requests block (they wait for the hub), the screen must not."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock

from motcua_core.errors import RequestError


def in_background(work: Callable[[], Any], done: Callable[[Any, RequestError | None], None]) -> None:
    """Run `work()` on a thread of its own, then `done(result, None)` — or `done(None, refusal)` when it
    raised RequestError — back on the Kivy thread."""
    def run() -> None:
        try:
            result, err = work(), None
        except RequestError as exc:
            result, err = None, exc
        Clock.schedule_once(lambda *_: done(result, err))
    threading.Thread(target=run, daemon=True).start()
