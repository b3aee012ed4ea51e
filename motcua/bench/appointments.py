"""`motcua bench appointments`: concurrent bookings for the last seats of a slot, then the free-slot query.

A hub process with the demo site; Hộ tịch set to `--seats` seats per slot (an administrator's figure).
`--attempts` citizens (each their own phone number) try to book the same slot at the same moment: most
through the public JSON endpoint (all requests open at once), a few through their own SQLite connections
and runners, as a second process on the hub's file would (those really do race the hub for the write
lock). `booked` and `over_capacity` are counted in the hub's database afterwards, not from the answers.
Then `--queries` free-slot queries over HTTP (services and days varied, 4 clients on keep-alive
connections): `slots_p50_ms`, `slots_p99_ms`.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from datetime import time as time_of_day
from zoneinfo import ZoneInfo

from motcua.bench.common import BenchHub, emit, log, ms, percentile
from motcua_core import clock as wallclock

SERVICE = "HT"
DIRECT_SHARE = 0.2  # of the attempts, made through their own database connections
TARGET_SLOTS_P99_MS = 20.0
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _calendar(data):
    """The demo site's working calendar (the bench books its next working day)."""
    from hub.app import open_data_dir
    from hub.ops.dossiers import calendar_for

    db = open_data_dir(data)
    try:
        return calendar_for(db, "demo", TZ.key)
    finally:
        db.conn.close()


def _configure(bh: BenchHub, seats: int) -> None:
    from hub.app import open_data_dir
    from hub.ops import appointments
    from hub.ops.run import Runner

    db = open_data_dir(bh.data)
    try:
        # A crowd of real citizens at once: the site's ceiling on online bookings a minute (issue #21) is
        # raised, since what is measured here is the seat count under concurrency.
        policy = {"horizon_days": 14, "web_per_minute": 1000}
        Runner(db).run("demo", lambda ctx: appointments.configure(ctx, policy, {SERVICE: seats}))
    finally:
        db.conn.close()


def _body(i: int, day: str, slot: int) -> dict:
    return {"service": SERVICE, "day": day, "slot_start": slot, "name": f"Công dân số {i}",
            "phone": f"09{i:08d}"}


async def _http_attempts(port: int, bodies: list[dict], start: threading.Event) -> list[tuple[int, str]]:
    import aiohttp

    url = f"http://127.0.0.1:{port}/api/v1/sites/demo/appointments"

    async def one(i: int, body: dict) -> tuple[int, str]:
        # Each citizen books from their own phone: their own loopback source address, since the hub
        # limits booking POSTs per client address (hub/web/booking.py).
        local = (f"127.0.{1 + i // 250}.{1 + i % 250}", 0)
        async with (aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=local)) as s,
                    s.post(url, json=body) as r):
            doc = await r.json()
            return r.status, (doc.get("error") or {}).get("code", "")

    # Wait for the start signal, then send all at once: the hub sees them together.
    await asyncio.get_running_loop().run_in_executor(None, start.wait)
    return await asyncio.gather(*(one(i, b) for i, b in enumerate(bodies)))


def _direct_attempts(data, bodies: list[dict], start: threading.Event) -> list[tuple[int, str]]:
    """Bookings through their own connections and runners (like another process on the hub's file)."""
    from hub.app import open_data_dir
    from hub.ops import appointments
    from hub.ops.run import Runner
    from motcua_core.errors import DomainError

    def one(body: dict) -> tuple[int, str]:
        db = open_data_dir(data)
        try:
            start.wait()
            Runner(db).run("demo", lambda ctx: appointments.book(ctx, **body))
            return 201, ""
        except DomainError as exc:
            return 409, exc.code
        finally:
            db.conn.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, bodies))


def _count(data, day: str, slot: int) -> int:
    from hub.app import open_data_dir

    db = open_data_dir(data)
    try:
        return db.execute("SELECT COUNT(*) FROM appointments WHERE site_id = 'demo' AND service = ? AND day = ? "
                          "AND slot_start = ? AND status IN ('booked', 'checked_in')", [SERVICE, day, slot]).fetchone()[0]
    finally:
        db.conn.close()


def _slot_queries(port: int, days: list[str], queries: int, clients: int = 4) -> list[float]:
    services = ("HT", "CT", "DD", "KD")
    per = queries // clients

    def client(k: int) -> list[float]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        out = []
        try:
            for i in range(per):
                path = (f"/api/v1/sites/demo/appointments/slots?service={services[(i + k) % len(services)]}"
                        f"&day={days[(i * 7 + k) % len(days)]}")
                t0 = time.perf_counter()
                conn.request("GET", path)
                r = conn.getresponse()
                body = r.read()
                out.append((time.perf_counter() - t0) * 1000)
                if r.status != 200:
                    raise RuntimeError(f"slots query answered {r.status}: {body[:200]!r}")
        finally:
            conn.close()
        return out

    with ThreadPoolExecutor(max_workers=clients) as pool:
        return [t for part in pool.map(client, range(clients)) for t in part]


def main(args: argparse.Namespace) -> int:
    with BenchHub(prefix="motcua-bench-appointments-") as bh:
        bh.prepare()
        _configure(bh, args.seats)
        cal = _calendar(bh.data)
        day_d = cal.next_working_day(wallclock.now(TZ).date())
        day = day_d.isoformat()
        slot = int(datetime.combine(day_d, time_of_day(9, 0), TZ).timestamp())
        bh.start()
        bodies = [_body(i, day, slot) for i in range(args.attempts)]
        n_direct = int(args.attempts * DIRECT_SHARE)
        direct, over_http = bodies[:n_direct], bodies[n_direct:]
        log(f"{args.attempts} booking attempts ({len(over_http)} HTTP, {n_direct} direct) for {args.seats} seats "
            f"of {SERVICE} {day} 09:00")
        start = threading.Event()
        results: dict[str, list] = {}
        th = threading.Thread(target=lambda: results.update(direct=_direct_attempts(bh.data, direct, start)))
        th.start()
        timer = threading.Timer(0.3, start.set)
        timer.start()
        t0 = time.perf_counter()
        results["http"] = asyncio.run(_http_attempts(bh.http_port, over_http, start))
        th.join()
        burst_s = time.perf_counter() - t0 - 0.3
        answers = results["http"] + results["direct"]
        accepted = sum(1 for status, _ in answers if status == 201)
        refused = {code for status, code in answers if status != 201}
        booked = _count(bh.data, day, slot)
        log(f"accepted {accepted}, in the database {booked}; refusals: {sorted(refused)}")
        days = [d.isoformat() for d in (day_d + timedelta(days=i) for i in range(10)) if cal.is_working_day(d)]
        log(f"{args.queries} free-slot queries over {len(days)} working days")
        lat = _slot_queries(bh.http_port, days, args.queries)
        result = {
            "attempts": args.attempts, "seats": args.seats, "booked": booked, "accepted_answers": accepted,
            "accepted_direct": sum(1 for status, _ in results["direct"] if status == 201),
            "over_capacity": max(0, booked - args.seats), "refusals": sorted(refused),
            "burst_s": round(burst_s, 3), "slots_queries": len(lat),
            "slots_p50_ms": ms(percentile(lat, 50)), "slots_p99_ms": ms(percentile(lat, 99)),
            "slots_max_ms": ms(max(lat)), "target_slots_p99_ms": TARGET_SLOTS_P99_MS,
        }
        result["ok"] = (booked == args.seats and result["over_capacity"] == 0 and accepted == booked
                        and result["slots_p99_ms"] <= TARGET_SLOTS_P99_MS)
        emit(result, args.json)
        return 0 if result["ok"] else 1


def add_parser(bsub: argparse._SubParsersAction) -> None:
    ap = bsub.add_parser("appointments", help="concurrent bookings for the last seats, then free-slot queries (#12)")
    ap.add_argument("--attempts", type=int, default=200)
    ap.add_argument("--seats", type=int, default=50)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--json", action="store_true")
    ap.set_defaults(func=lambda a: main(a))

