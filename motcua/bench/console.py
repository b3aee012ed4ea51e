"""`motcua bench console`: the leaders' dashboard on a provincial centre's year — ~123,000 dossiers up to
today and a busy day of tickets — against a running hub.

- dashboard_p99_ms: `GET /api/v1/sites/demo/dashboard` (a leader's token), the whole page's data;
- push_p99_ms: a counter's Next (sent over MQTT by a real device session) → the open dashboard's live
  stream (`/api/v1/sites/demo/live`, server-sent events) delivers the state showing that call. The calls
  go back to back (`--interval 0`), the worst case: the stream sends at most one state per 50 ms
  (hub.web.dashboard.LiveFeed), so most of these wait for the next slot; at an office's pace
  (`--interval 1`) each call goes out at once.

Targets named in issue #11 (printed, never asserted): dashboard_p99_ms ≤ 50, push_p99_ms ≤ 100.
"""

from __future__ import annotations

import argparse
import http.client
import json
import queue
import random
import threading
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from motcua.bench.common import BenchHub, emit, log, ms, percentile
from motcua.bench.reports import seed
from motcua_core import clock as wallclock

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SERVICES = ["HT", "CT", "DD", "XD", "KD", "NV", "LD", "NN", "VH"]


def add_parser(bsub: argparse._SubParsersAction) -> None:
    p = bsub.add_parser("console", help="leaders' dashboard: data API latency and counter Next → live stream")
    p.add_argument("--dossiers", type=int, default=123000)
    p.add_argument("--tickets", type=int, default=1500, help="today's tickets before the run (a busy day)")
    p.add_argument("--requests", type=int, default=300, help="dashboard data requests timed")
    p.add_argument("--calls", type=int, default=200, help="counter Next calls timed to the live stream")
    p.add_argument("--interval", type=float, default=0.0, help="seconds between two Next calls (0: back to back)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=main)


def seed_day(db, n: int, waiting_ht: int, rng: random.Random, now: float) -> None:  # noqa: ANN001
    """Today's tickets: served through the morning by eight officers, and `waiting_ht` still waiting for HT."""
    from hub.store.db import transaction

    day = datetime.fromtimestamp(now, TZ).date().isoformat()
    start = datetime.fromisoformat(f"{day}T07:30").replace(tzinfo=TZ).timestamp()
    span = max(600.0, now - start - 600)
    rows, seqs = [], dict.fromkeys(SERVICES, 0)
    officers = ["nguyen-thi-lan", "tran-van-hung", "le-thu-trang", "pham-quoc-bao", "hoang-minh-duc",
                "vu-thi-huong", "do-anh-tuan", "bui-ngoc-anh"]
    for i in range(n):
        svc = rng.choice(SERVICES)
        seqs[svc] += 1
        issued = start + span * i / n
        called = issued + rng.uniform(60, 1500)
        done = called + rng.uniform(120, 900)
        rows.append((day, svc, seqs[svc], f"{seqs[svc]:04d}", "done", issued, issued, called, called, done,
                     rng.randint(1, 8), rng.choice(officers)))
    for _ in range(waiting_ht):
        seqs["HT"] += 1
        issued = now - rng.uniform(0, 1800)
        rows.append((day, "HT", seqs["HT"], f"{seqs['HT']:04d}", "waiting", issued, issued, None, None, None,
                     None, None))
    with transaction(db):
        db.conn.executemany(
            "INSERT INTO tickets(site_id, day, service, seq, number, status, issued_at, queued_at, called_at, "
            "first_called_at, done_at, counter, officer) VALUES('demo',?,?,?,?,?,?,?,?,?,?,?,?)", rows)


class Stream:
    """The dashboard's live stream read in a thread: each `state` event with the time it arrived."""

    def __init__(self, port: int, token: str) -> None:
        self.events: queue.Queue[tuple[float, dict]] = queue.Queue()
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.conn.request("GET", "/api/v1/sites/demo/live", headers={"Authorization": f"Bearer {token}"})
        self.resp = self.conn.getresponse()
        if self.resp.status != 200:
            raise RuntimeError(f"live stream refused: {self.resp.status}")
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for raw in self.resp:
                line = raw.decode().rstrip("\n")
                if line.startswith("data: "):
                    self.events.put((time.perf_counter(), json.loads(line[6:])))
        except (OSError, AttributeError, ValueError):
            pass  # closed by close(): http.client drops its file under a reading thread

    def close(self) -> None:
        self.conn.close()


def time_dashboard(port: int, token: str, n: int) -> tuple[list[float], dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    out, body = [], {}
    for _ in range(n):
        t = time.perf_counter()
        conn.request("GET", "/api/v1/sites/demo/dashboard", headers={"Authorization": f"Bearer {token}"})
        r = conn.getresponse()
        raw = r.read()
        out.append((time.perf_counter() - t) * 1000)
        if r.status != 200:
            raise RuntimeError(f"dashboard failed: {r.status} {raw[:200]!r}")
        body = json.loads(raw)
    conn.close()
    return out, body


def time_pushes(bh: BenchHub, cfg, token: str, calls: int, interval: float) -> list[float]:  # noqa: ANN001
    from devicekit.session import DeviceSession

    session = DeviceSession(cfg)
    session.start()
    if not session.wait_connected(20):
        raise RuntimeError("counter could not connect")
    try:
        signed = {"token": session.request("counter.login", {"username": "lan1", "pin": "1111"})["token"]}
        stream = Stream(bh.http_port, token)
        stream.events.get(timeout=10)  # the first state, sent on connect
        out = []
        for _ in range(calls):
            time.sleep(interval)
            t0 = time.perf_counter()
            ticket = session.request("counter.next", signed)["ticket"]["number"]
            while True:
                at, state = stream.events.get(timeout=10)
                c1 = next(c for c in state["counters"] if c["number"] == 1)
                if c1["ticket"] == ticket:
                    out.append((at - t0) * 1000)
                    break
        stream.close()
        return out
    finally:
        session.stop()


def main(args: argparse.Namespace) -> int:
    from hub.app import open_data_dir

    rng = random.Random(args.seed)
    now = wallclock.time()
    today = datetime.fromtimestamp(now, TZ).date()
    with BenchHub(prefix="motcua-bench-console-") as bh:
        bh.prepare()
        db = open_data_dir(bh.data, synchronous="OFF")
        log(f"seeding {args.dossiers} dossiers over the year to {today} and {args.tickets} tickets today "
            f"(data in {bh.root})")
        counts = seed(db, "demo", args.dossiers, rng, end=date.fromordinal(today.toordinal()))
        seed_day(db, args.tickets, args.calls + 20, rng, now)
        db.execute("ANALYZE")
        db.conn.close()
        token = bh.api_token("leader")
        (counter,) = bh.register("counter", counter=1)
        bh.start()
        time_dashboard(bh.http_port, token, 20)  # warm the connection and the page cache
        lat, body = time_dashboard(bh.http_port, token, args.requests)
        push = time_pushes(bh, counter, token, args.calls, args.interval)
    result = {
        "bench": "console", "dossiers": counts["dossiers"], "tickets_today": args.tickets + args.calls + 20,
        "at_risk": len(body["dossiers"]["at_risk"]), "week_received": body["dossiers"]["total"]["received"],
        "requests": len(lat), "dashboard_p50_ms": ms(percentile(lat, 50)),
        "dashboard_p99_ms": ms(percentile(lat, 99)), "calls": len(push),
        "push_interval_s": args.interval, "push_p50_ms": ms(percentile(push, 50)),
        "push_p99_ms": ms(percentile(push, 99)),
        "targets": {"dashboard_p99_ms": 50, "push_p99_ms": 100},
    }
    emit(result, args.json)
    return 0
