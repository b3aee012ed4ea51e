"""Headless display: prints each call as the announcer would read it, and the board on request."""

from __future__ import annotations

import queue
import threading

from display_controller.core import DisplayCore


def call_sentence(call: dict) -> str:
    """The announcement text (issue #4 turns it into speech with correct Vietnamese number reading)."""
    return f"Mời công dân có số thứ tự {call['ticket']} đến {call.get('counter_name') or 'quầy số ' + str(call['counter'])}"


def run(core: DisplayCore, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            call = core.calls.get(timeout=0.5)
        except queue.Empty:
            continue
        prefix = "(gọi lại) " if call.get("kind") == "recall" else ""
        print(prefix + call_sentence(call), flush=True)
