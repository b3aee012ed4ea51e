"""`motcua bench estimate`: is the wait a citizen is told at the kiosk the wait that follows?

A simulated working morning of the demo site (8 counters, 9 services, the interleave priority rule),
run through the hub's real operations (`hub.ops.run.Runner` on a SQLite file, a simulated clock): citizens
arrive at random (a share of them priority), every counter is open, an officer presses Next as soon as
the citizen before is served, each service taking a random time around the service's configured figure.
For every ticket the estimate given at issue (`est_wait_min`, what the kiosk prints) is compared with the
time until its first call.

    median_abs_error_s           median |estimate − actual| over all tickets
    median_wait_s                median actual wait
    priority_median_abs_error_s  the same over priority tickets alone
    target_s                     max(120 s, 25 % of the median wait): both errors should be under it
"""

from __future__ import annotations

import argparse
import heapq
import random
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from motcua.bench.common import emit, log

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAY_START = datetime(2026, 3, 2, 7, 30, tzinfo=TZ)  # a Monday: the simulated day never depends on today


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("estimate", help="wait shown at issue vs the wait that followed, over a simulated morning")
    p.add_argument("--hours", type=float, default=4.0, help="length of the simulated morning")
    p.add_argument("--load", type=float, default=0.85, help="arrivals as a share of the counters' capacity")
    p.add_argument("--priority-share", type=float, default=0.12)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=main)


def _setup(data: Path):
    from hub.app import load_site_file, open_data_dir
    from hub.cli.common import DEMO_SITE
    from hub.ops.run import Runner
    from hub.store import devices as device_store
    from hub.store.db import transaction

    db = open_data_dir(data, synchronous="OFF")
    load_site_file(db, DEMO_SITE)
    with transaction(db):
        kiosk, _ = device_store.add(db, site_id="demo", role="kiosk", now=DEMO_NOW)
        counters = {n: device_store.add(db, site_id="demo", role="counter", now=DEMO_NOW, counter=n)[0]
                    for n in range(1, 9)}
    clock = [DEMO_NOW]
    return db, Runner(db, clock=lambda: clock[0]), clock, kiosk, counters


DEMO_NOW = DAY_START.timestamp()


def simulate(hours: float, load: float, priority_share: float, seed: int) -> dict:
    from hub.ops import queue as ops
    from hub.store import sites as site_store

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="motcua-estimate-") as tmp:
        db, runner, clock, kiosk, devices = _setup(Path(tmp))
        site = site_store.get_site(db, "demo")
        services = {s.code: s for s in site_store.list_services(db, "demo")}
        counters = {c.number: c for c in site_store.list_counters(db, "demo")}
        officers = [r[0] for r in db.execute("SELECT id FROM officers WHERE site_id = ? ORDER BY id", ["demo"])]
        # Arrival rate per service: capacity shared equally among the services a counter serves.
        capacity = {code: 0.0 for code in services}
        for c in counters.values():
            for code in c.services:
                capacity[code] += 1 / len(c.services) / (services[code].avg_service_s or site.default_service_s)
        events: list[tuple[float, int, str, object]] = []
        seq = 0

        def push(at: float, kind: str, arg: object) -> None:
            nonlocal seq
            seq += 1
            heapq.heappush(events, (at, seq, kind, arg))

        end = DEMO_NOW + hours * 3600
        for code, cap in capacity.items():
            t = DEMO_NOW
            while True:
                t += rng.expovariate(cap * load)
                if t >= end:
                    break
                push(t, "arrive", code)
        for i, n in enumerate(sorted(counters)):
            officer = officers[i % len(officers)]
            runner.run("demo", lambda ctx, o=officer: ops.counter_open(ctx, o), device=devices[n], now=DEMO_NOW)
        busy: dict[int, bool] = {n: False for n in counters}
        shown: dict[int, tuple[float, float, bool]] = {}  # ticket id -> (issued at, estimate s, priority)
        waits: list[tuple[float, float, bool]] = []  # (estimate s, actual s, priority)

        def call(n: int, now: float) -> None:
            clock[0] = now
            got = runner.run("demo", ops.call_next, device=devices[n], now=now)
            t = got.get("ticket")
            if t is None:
                busy[n] = False
                return
            busy[n] = True
            issued, est, prio = shown.pop(t["id"])
            waits.append((est, now - issued, prio))
            mean = services[t["service"]].avg_service_s or site.default_service_s
            push(now + rng.lognormvariate(0, 0.5) * mean / 1.13, "free", n)  # lognormal, mean ≈ `mean`

        while events:
            now, _, kind, arg = heapq.heappop(events)
            clock[0] = now
            if kind == "arrive":
                prio = rng.random() < priority_share
                got = runner.run("demo", lambda ctx, c=arg, p=prio: ops.issue_ticket(ctx, c, "elderly" if p else "none"),
                                 device=kiosk, now=now)["ticket"]
                est = got.get("est_wait_min")  # what the citizen is told: whole minutes
                shown[got["id"]] = (now, float(est or 0) * 60, prio)
                for n, c in counters.items():
                    if not busy[n] and arg in c.services:
                        call(n, now)
                        break
            else:
                call(int(arg), now)
        db.conn.close()
    errors = [abs(e - a) for e, a, _ in waits]
    perrors = [abs(e - a) for e, a, p in waits if p]
    median_wait = statistics.median(a for _, a, _ in waits)
    target = max(120.0, 0.25 * median_wait)
    result = {
        "tickets": len(waits), "priority_tickets": len(perrors),
        "median_abs_error_s": round(statistics.median(errors), 1),
        "median_wait_s": round(median_wait, 1),
        "priority_median_abs_error_s": round(statistics.median(perrors), 1) if perrors else None,
        "median_error_s": round(statistics.median(e - a for e, a, _ in waits), 1),  # < 0: told too little
        "p90_abs_error_s": round(sorted(errors)[int(0.9 * (len(errors) - 1))], 1),
        "target_s": round(target, 1),
    }
    result["within_target"] = result["median_abs_error_s"] <= target and (
        result["priority_median_abs_error_s"] is None or result["priority_median_abs_error_s"] <= target)
    return result


def main(args: argparse.Namespace) -> int:
    t0 = time.monotonic()
    log(f"simulating {args.hours} h at load {args.load}, {args.priority_share:.0%} priority (seed {args.seed})")
    result = simulate(args.hours, args.load, args.priority_share, args.seed)
    result["run_s"] = round(time.monotonic() - t0, 1)
    emit(result, args.json)
    return 0
