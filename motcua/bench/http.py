"""`motcua bench http`: the hub's public read endpoints under 10 concurrent clients (issue #15).

- `floor_rps`: a bare aiohttp app (its own process, like the hub) answering a fixed body as large as the
  site's state: what aiohttp and this machine allow at all.
- `state_rps`, `state_p99_ms`: GET /api/v1/sites/<site>/state from the hub, the lobby state as built for
  the displays (target: at least 0.8 × floor_rps).
- `procedures_rps`, `procedures_p99_ms`: GET /api/v1/procedures?q=… on a catalogue of `--procedures`
  (6,000), with queries typed one keystroke at a time as a citizen types (target: p99 ≤ 20 ms).

The load comes from this process (aiohttp client, `--concurrency` connections each sending one request
at a time); each target gets `--seconds` in all, in slices taken in turn, so the ratio holds on a busy
machine.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import time
from urllib.parse import quote

from motcua.bench.common import BenchHub, cpu_s, emit, free_port, log, ms, percentile

TARGET_STATE_RATIO = 0.8
TARGET_PROCEDURES_P99_MS = 20.0


def _floor_server(port: int, size: int) -> None:
    from aiohttp import web

    body = b'{"pad":"' + b"x" * max(0, size - 10) + b'"}'

    async def fixed(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_get("/fixed", fixed)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


async def _load(urls: list[str], seconds: float, concurrency: int) -> tuple[int, list[float], int]:
    """Requests done, their latencies (ms) and failures, `concurrency` at a time for `seconds`."""
    import aiohttp

    latencies: list[float] = []
    failed = 0
    deadline = time.perf_counter() + seconds

    async def worker(k: int, session: aiohttp.ClientSession) -> None:
        nonlocal failed
        i = k
        while time.perf_counter() < deadline:
            url = urls[i % len(urls)]
            i += concurrency
            t0 = time.perf_counter()
            async with session.get(url) as r:
                await r.read()
                if r.status != 200:
                    failed += 1
                    continue
            latencies.append((time.perf_counter() - t0) * 1000)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(k, session) for k in range(concurrency)))
    return len(latencies), latencies, failed


ROUNDS = 5


def _phases(targets: dict[str, list[str]], seconds: float, concurrency: int,
            servers: dict[str, int]) -> dict[str, dict]:
    """Each target for `seconds` in all, in ROUNDS slices taken in turn: on a shared machine a busy
    moment then falls on every target alike, and the ratio between them holds."""
    for urls in targets.values():
        asyncio.run(_load(urls[:concurrency], 0.3, concurrency))  # warm-up: connections, caches
    done = dict.fromkeys(targets, 0)
    lat: dict[str, list[float]] = {name: [] for name in targets}
    failed = dict.fromkeys(targets, 0)
    cpu = dict.fromkeys(targets, 0.0)
    for r in range(ROUNDS):
        for name, urls in targets.items():
            before = cpu_s(servers[name])
            n, latencies, bad = asyncio.run(_load(urls, seconds / ROUNDS, concurrency))
            cpu[name] += cpu_s(servers[name]) - before
            done[name] += n
            lat[name] += latencies
            failed[name] += bad
        log(f"round {r + 1}/{ROUNDS}: " + ", ".join(f"{k} {done[k] / (seconds * (r + 1) / ROUNDS):.0f}/s"
                                                   for k in targets))
    return {name: {"rps": round(done[name] / seconds, 1), "p50_ms": ms(percentile(lat[name], 50)),
                   "p99_ms": ms(percentile(lat[name], 99)), "failed": failed[name],
                   "cpu_ms": round(1000 * cpu[name] / done[name], 3) if done[name] else None} for name in targets}


def _wait_http(port: int, timeout: float = 15) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/fixed", timeout=1).read()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the floor server did not start")


def keystrokes(queries: tuple[str, ...]) -> list[str]:
    """Every prefix of every query, as typed (from two characters: the kiosk searches from there)."""
    return [q[:n] for q in queries for n in range(2, len(q) + 1)]


def main(args: argparse.Namespace) -> int:
    import urllib.request

    from hub.app import open_data_dir
    from hub.store import catalogue as cat_store
    from hub.store.db import transaction
    from motcua.bench.search import QUERIES, synthetic_catalogue

    with BenchHub(prefix="motcua-bench-http-") as bh:
        bh.prepare()
        log(f"loading a catalogue of {args.procedures} procedures")
        db = open_data_dir(bh.data)
        try:
            with transaction(db):
                cat_store.load(db, synthetic_catalogue(args.procedures))
            loaded = cat_store.count(db)
        finally:
            db.conn.close()
        bh.start()
        assert bh.proc is not None
        base = f"http://127.0.0.1:{bh.http_port}"
        state_url = f"{base}/api/v1/sites/demo/state"
        size = len(urllib.request.urlopen(state_url, timeout=5).read())
        port = free_port()
        floor = mp.get_context("spawn").Process(target=_floor_server, args=(port, size), daemon=True)
        floor.start()
        try:
            _wait_http(port)
            c, s = args.concurrency, args.seconds
            got = _phases({"floor": [f"http://127.0.0.1:{port}/fixed"] * c, "state": [state_url] * c,
                           "procedures": [f"{base}/api/v1/procedures?q={quote(q)}" for q in keystrokes(QUERIES)]},
                          s, c, {"floor": floor.pid, "state": bh.proc.pid, "procedures": bh.proc.pid})
            fixed, state, procs = got["floor"], got["state"], got["procedures"]
        finally:
            floor.terminate()
            floor.join(5)
    ratio = round(state["rps"] / fixed["rps"], 2) if fixed["rps"] else None
    result = {
        "bench": "http",
        "concurrency": args.concurrency,
        "seconds": args.seconds,
        "procedures": loaded,
        "state_bytes": size,
        "floor_rps": fixed["rps"],
        "floor_p99_ms": fixed["p99_ms"],
        "state_rps": state["rps"],
        "state_p99_ms": state["p99_ms"],
        "state_ratio": ratio,
        "procedures_rps": procs["rps"],
        "procedures_p50_ms": procs["p50_ms"],
        "procedures_p99_ms": procs["p99_ms"],
        # Server CPU per request (user + system): what the request costs whatever else the machine runs.
        "floor_cpu_ms": fixed["cpu_ms"],
        "state_cpu_ms": state["cpu_ms"],
        "procedures_cpu_ms": procs["cpu_ms"],
        "failed": fixed["failed"] + state["failed"] + procs["failed"],
    }
    result["targets_met"] = bool(ratio is not None and ratio >= TARGET_STATE_RATIO and procs["p99_ms"] is not None
                                 and procs["p99_ms"] <= TARGET_PROCEDURES_P99_MS and result["failed"] == 0)
    emit(result, args.json)
    return 0 if result["failed"] == 0 else 1


def add_parser(bsub: argparse._SubParsersAction) -> None:
    hp = bsub.add_parser("http", help="state and procedure-search endpoints against a bare aiohttp floor")
    hp.add_argument("--procedures", type=int, default=6000)
    hp.add_argument("--concurrency", type=int, default=10)
    hp.add_argument("--seconds", type=float, default=10.0, help="time each endpoint is loaded, in all")
    hp.add_argument("--json", action="store_true")
    hp.set_defaults(func=main)
