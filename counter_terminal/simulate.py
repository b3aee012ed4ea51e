"""Headless counter: a simulated officer calling, serving, recalling and skipping, via the real code path."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

from counter_terminal.core import CounterCore
from motcua_core.errors import RequestError

log = logging.getLogger("motcua.counter")


def run(core: CounterCore, stop: threading.Event, *, login: tuple[str, str] | None = None,
        mean_service_s: float = 20.0,
        no_show_rate: float = 0.05, rng: random.Random | None = None,
        on_event: Callable[[str, dict | None], None] | None = None) -> int:
    """Serve citizens until `stop` is set, signed in as `login` (username, PIN) like an officer at the
    keypad (the hub refuses counter actions without a sign-in); returns how many were served."""
    rng = rng or random.Random()
    say = on_event or (lambda kind, t: print(f"{kind} {t['number'] if t else ''}", flush=True))
    served = 0
    while not stop.is_set():
        try:
            if not core.session.wait_connected(5):
                continue
            if core.session.officer_token is None:
                if login is None:
                    raise SystemExit("a simulated counter needs an officer's username and PIN to sign in")
                core.login(*login)
            core.open()
            ticket = core.next()
            if ticket is None:
                stop.wait(rng.uniform(1.0, 3.0))
                continue
            say("call", ticket)
            if rng.random() < no_show_rate:
                for _ in range(2):
                    if stop.wait(rng.uniform(2.0, 4.0)):
                        return served
                    core.recall()
                    say("recall", ticket)
                stop.wait(rng.uniform(2.0, 4.0))
                core.skip()
                say("no_show", ticket)
                continue
            stop.wait(max(2.0, rng.gauss(mean_service_s, mean_service_s / 3)))
            core.complete()
            served += 1
            say("done", ticket)
        except RequestError as exc:
            log.warning("counter action refused: %s (%s)", exc.message_vi, exc.code)
            stop.wait(1.0)
    return served
