"""Headless display: prints each call as the announcer reads it, while the runtime (if any) drives the
LED boards and the voice output configured in the device's hardware map."""

from __future__ import annotations

import queue
import threading

from display_controller.core import DisplayCore
from display_controller.numbers import NORTH, Dialect
from display_controller.sentence import build


def call_sentence(call: dict, d: Dialect = NORTH) -> str:
    """The announcement exactly as spoken, numbers in words."""
    try:
        return build(str(call["ticket"]), int(call["counter"]), d).text
    except ValueError:  # a label the reader cannot speak: show it as it is
        return f"Mời công dân có số thứ tự {call['ticket']} đến quầy số {call['counter']}."


def _print(call: dict) -> None:
    prefix = "(gọi lại) " if call.get("kind") == "recall" else ""
    where = call.get("counter_name") or f"Quầy {call['counter']}"
    print(f"{prefix}{call['ticket']} → {where}: {call_sentence(call)}", flush=True)


def run(core: DisplayCore, stop: threading.Event, runtime=None) -> None:
    if runtime is not None:  # the runtime takes the calls; print them as they pass
        runtime.on_call = _print
        stop.wait()
        return
    while not stop.is_set():
        try:
            call = core.calls.get(timeout=0.5)
        except queue.Empty:
            continue
        _print(call)
