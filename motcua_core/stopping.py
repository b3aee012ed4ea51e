"""A process's stop event, set by SIGTERM or SIGINT.

The handler runs in the main thread between two bytecodes, possibly while that very thread holds the
event's lock inside `Event.wait`; an `event.set()` made there then waits for itself forever (the sync
link's process outlived its killed hub that way). So the handler hands `set` to a short thread of its own,
which takes the lock as soon as the main thread lets it go."""

from __future__ import annotations

import signal
import threading


def stop_on(event: threading.Event, *signals: int) -> threading.Event:
    """Set `event` when one of `signals` (default SIGTERM and SIGINT) arrives; returns `event`."""
    def handler(*_: object) -> None:
        threading.Thread(target=event.set, name="stop-signal", daemon=True).start()

    for sig in signals or (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, handler)
    return event
