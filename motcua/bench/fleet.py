"""`motcua bench fleet`: one hub with a fleet of devices online (issues #14 and #15).

What it costs the hub to have N devices connected, reporting status and health at the real cadence
(motcua.bench.fleet_clients: one registered account and one MQTT session per device), and how fast the
hub's own registry — what the fleet page shows — is right again after the broker is killed.

1. The call path (motcua.bench.call_path.CallProbe: kiosk, counter, lobby display) with no fleet:
   `call_p99_idle_ms`.
2. The fleet connects; once the hub's registry records every device online, the same calls at the
   same pace over `--duration` seconds (longer than a health interval, so every device reports at least
   once): `call_p99_ms`, and the hub's `hub_cpu_pct` (per cent of one core), `hub_rss_mb`, `broker_rss_mb`.
3. Mosquitto is killed (SIGKILL) and restarted by the hub: `reconnect_s` until every device is connected
   again, `hub_online_s` until the hub's registry has recorded every one of them online since the kill,
   `hub_online` how many it had at the end of `--restart-timeout`.
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import time
from pathlib import Path

from motcua.bench.call_path import DELIVERY_TIMEOUT_S, CallProbe
from motcua.bench.common import BenchHub, cpu_s, emit, log, ms, percentile, rss_mb
from motcua.bench.fleet_clients import Fleet

HEALTH_INTERVAL_S = 30.0  # DeviceConfig's default: the real cadence
TARGET_RSS_MB = 250
TARGET_CALL_RATIO = 1.5
TARGET_RESTART_S = 30.0


def hub_online(db_path: Path, fleet_ids: set[str], since: float) -> int:
    """Fleet devices the hub's registry records online with a message received since `since`."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    try:
        rows = conn.execute("SELECT id FROM devices WHERE status = 'online' AND last_seen >= ?", [since]).fetchall()
    finally:
        conn.close()
    return sum(1 for (i,) in rows if i in fleet_ids)


def load_sites(bh: BenchHub, count: int) -> list[str]:
    """`count` commune offices (copies of the demo site, ids f001…) beside the demo site, where the
    call-path devices are: one provincial hub serving many offices, each with its own lobby screens."""
    import json

    from hub.app import open_data_dir
    from hub.cli.common import DEMO_SITE
    from hub.ops.run import Runner
    from hub.ops.sites import load_site

    base = json.loads(DEMO_SITE.read_text(encoding="utf-8"))
    ids = [f"f{i:03d}" for i in range(1, count + 1)]
    db = open_data_dir(bh.data)
    try:
        for sid in ids:
            cfg = {**base, "site": {**base["site"], "id": sid, "name": f"{base['site']['name']} {sid}"}}
            Runner(db).run(None, lambda ctx, cfg=cfg: load_site(ctx, cfg))
    finally:
        db.conn.close()
    return ids


def paced_calls(probe: CallProbe, calls: int, gap: float) -> tuple[list[float], int]:
    """`calls` Next presses, one every `gap` seconds: latencies (ms) and how many never showed."""
    latencies: list[float] = []
    lost = 0
    start = time.monotonic()
    for i in range(calls):
        latency = probe.call()
        if latency is None:
            lost += 1
        else:
            latencies.append(latency)
        time.sleep(max(0.0, start + (i + 1) * gap - time.monotonic()))
    return latencies, lost


def wait_until(check, timeout: float, step: float = 0.2) -> float | None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if check():
            return time.monotonic() - t0
        time.sleep(step)
    return None


def main(args: argparse.Namespace) -> int:
    n: int = args.devices
    calls: int = args.calls
    if n < 1 or calls < 1:
        raise SystemExit("error: --devices and --calls must be at least 1")
    if 2 * calls + 10 > 2997:
        raise SystemExit("error: at most 1,490 calls per phase (ticket numbers would wrap around)")
    gap = args.duration / calls
    with BenchHub(prefix="motcua-bench-fleet-") as bh:
        bh.prepare()
        probe = CallProbe(bh)
        sites = load_sites(bh, max(1, -(-n // args.per_site)))
        log(f"registering {n} devices over {len(sites)} sites")
        configs = []
        for i, site in enumerate(sites):
            here = min(args.per_site, n - i * args.per_site)
            displays = max(1, here // 10)  # a lobby screen or LED board for every nine other devices
            configs += bh.register("display", displays, site=site, health_interval_s=HEALTH_INTERVAL_S)
            configs += bh.register("kiosk", here - displays, site=site, health_interval_s=HEALTH_INTERVAL_S)
        fleet_ids = {c.device_id for c in configs}
        bh.start()
        assert bh.proc is not None
        db_path = bh.data / "motcua.db"
        fleet: Fleet | None = None
        try:
            probe.start(2 * calls + 10)
            for _ in range(10):
                probe.call()  # warm-up
            log(f"idle: {calls} calls, one every {gap * 1000:.0f} ms")
            idle, idle_lost = paced_calls(probe, calls, gap)

            fleet = Fleet([c.to_dict() for c in configs]).start()
            log(f"fleet of {n} connecting")
            t0 = time.time()
            took = wait_until(lambda: fleet.online >= n and hub_online(db_path, fleet_ids, t0) >= n, 120)
            log(f"fleet online: {fleet.online} connected, hub records {hub_online(db_path, fleet_ids, t0)}"
                + (f" after {took:.1f} s" if took is not None else " (timed out)"))
            cpu0, fleet_cpu0, wall0 = cpu_s(bh.proc.pid), cpu_s(fleet.proc.pid), time.monotonic()
            log(f"with the fleet: {calls} calls over {args.duration:.0f} s")
            busy, busy_lost = paced_calls(probe, calls, gap)
            wall = time.monotonic() - wall0
            hub_cpu = 100 * (cpu_s(bh.proc.pid) - cpu0) / wall
            fleet_cpu = 100 * (cpu_s(fleet.proc.pid) - fleet_cpu0) / wall
            hub_rss, broker_rss = rss_mb(bh.proc.pid), rss_mb(bh.broker_pid)

            log("killing the broker (SIGKILL); the hub restarts it")
            t_kill = time.time()
            os.kill(bh.broker_pid, signal.SIGKILL)

            def since_kill(check) -> float | None:  # seconds from the kill until check() holds
                left = args.restart_timeout - (time.time() - t_kill)
                return None if wait_until(check, max(left, 0.1), 0.05) is None else round(time.time() - t_kill, 1)

            since_kill(lambda: fleet.online < n)
            reconnect_s = since_kill(lambda: fleet.online >= n)
            hub_online_s = since_kill(lambda: hub_online(db_path, fleet_ids, t_kill) >= n)
            online_now, registry_now = fleet.online, hub_online(db_path, fleet_ids, t_kill)
            log(f"after the restart: {online_now} connected, hub records {registry_now} online")
            health = bh.health()
        finally:
            if fleet is not None:
                fleet.stop()
            probe.stop()

    p99_idle, p99 = percentile(idle, 99), percentile(busy, 99)
    router = health.get("router") or {}
    result = {
        "bench": "fleet",
        "devices": n,
        "sites": len(sites),
        "online": online_now,
        "hub_rss_mb": hub_rss,
        "broker_rss_mb": broker_rss,
        "hub_cpu_pct": round(hub_cpu, 1),
        "fleet_clients_cpu_pct": round(fleet_cpu, 1),  # the simulated devices' process, on the same machine
        "call_p50_idle_ms": ms(percentile(idle, 50)),
        "call_p99_idle_ms": ms(p99_idle),
        "call_p50_ms": ms(percentile(busy, 50)),
        "call_p99_ms": ms(p99),
        "call_ratio_p99": round(p99 / p99_idle, 2) if p99 and p99_idle else None,
        "calls_lost": idle_lost + busy_lost,
        "reconnect_s": reconnect_s,
        "hub_online_s": hub_online_s,
        "hub_online": registry_now,
        "presence_messages": router.get("presence"),
        "presence_batches": router.get("presence_batches"),
        "delivery_timeout_s": DELIVERY_TIMEOUT_S,
    }
    result["targets_met"] = bool(
        hub_rss is not None and hub_rss <= TARGET_RSS_MB and result["call_ratio_p99"] is not None
        and result["call_ratio_p99"] <= TARGET_CALL_RATIO and reconnect_s is not None
        and reconnect_s <= TARGET_RESTART_S and registry_now == online_now == n
        and hub_online_s is not None and hub_online_s <= TARGET_RESTART_S)
    emit(result, args.json)
    return 0 if result["calls_lost"] == 0 and online_now == n else 1


def add_parser(bsub: argparse._SubParsersAction) -> None:
    fl = bsub.add_parser("fleet", help="N devices online: hub memory/CPU, call p99, registry after a broker restart")
    fl.add_argument("--devices", type=int, default=2000)
    fl.add_argument("--per-site", type=int, default=20,
                    help="devices per commune office (the fleet is spread over sites of this size)")
    fl.add_argument("--calls", type=int, default=300, help="timed calls in each phase (idle, with the fleet)")
    fl.add_argument("--duration", type=float, default=40.0,
                    help="seconds each phase's calls are spread over (longer than a health interval)")
    fl.add_argument("--restart-timeout", type=float, default=60.0,
                    help="how long to wait for devices and the hub's registry after the broker restart")
    fl.add_argument("--json", action="store_true")
    fl.set_defaults(func=main)
