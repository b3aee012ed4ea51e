"""Headless kiosk: citizens arriving at random and taking tickets, through the real device code path."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

from kiosk.core import KioskCore
from motcua_core.errors import RequestError

log = logging.getLogger("motcua.kiosk")

PRIORITY_MIX = (("none", 0.88), ("elderly", 0.07), ("disability", 0.02), ("pregnant", 0.02), ("merit", 0.01))


def run(core: KioskCore, stop: threading.Event, *, per_minute: float = 20.0, rng: random.Random | None = None,
        on_ticket: Callable[[dict], None] | None = None, max_tickets: int | None = None) -> int:
    """Issue tickets with exponential gaps (a Poisson stream of arrivals) until `stop` is set."""
    rng = rng or random.Random()
    if not core.wait_config(30):
        raise RuntimeError("no configuration from the hub after 30 s: is the device registered?")
    services = [s["code"] for s in core.services]
    weights = [3 if s in ("HT", "CT") else 1 for s in services]
    issued = 0
    while not stop.is_set() and (max_tickets is None or issued < max_tickets):
        if stop.wait(rng.expovariate(per_minute / 60.0)):
            break
        service = rng.choices(services, weights)[0]
        priority = rng.choices([p for p, _ in PRIORITY_MIX], [w for _, w in PRIORITY_MIX])[0]
        try:
            ticket = core.issue_ticket(service, priority, request_id=core.new_confirmation())
        except RequestError as exc:
            log.warning("ticket refused: %s (%s)", exc.message_vi, exc.code)
            continue
        issued += 1
        if on_ticket is not None:
            on_ticket(ticket)
        else:
            wait = ticket["est_wait_min"]
            print(f"vé {ticket['number']} · {ticket['service_name']} · {ticket['people_ahead']} người phía trước"
                  f" · chờ khoảng {wait if wait is not None else '?'} phút", flush=True)
    return issued
