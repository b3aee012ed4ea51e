"""`motcua bench tickets`: many kiosks issuing tickets at once through MQTT; is every number unique and
contiguous, and how close does the hub come to what the disk allows?

Each kiosk is a real registered device with its own DeviceSession (own MQTT connection) and its own
thread sending one request at a time, as a kiosk in a lobby does. The kiosks are spread over
`--processes` worker processes (default 4): in an office each is its own machine, and twenty sessions
under one interpreter cost more CPU than the hub on the same two cores. Services are spread round-robin.
Afterwards the tickets are checked twice: in the answers the kiosks got, and in the hub's SQLite file.

In the same run, `sqlite_floor_inserts_per_s`: a plain sqlite3 loop of one INSERT + COMMIT per row, WAL and
synchronous=FULL like the hub, on the same file system. The hub commits a whole batch of requests at
once (group commit), so it can beat this floor; the floor says how slow one commit per ticket would be.
With `--db postgresql` the floor is PostgreSQL's (one INSERT + COMMIT per row from one client), and
`db_server_cpu_ms_per_ticket` adds the server's own processes to the machine's account.

Targets: on SQLite (issue #15) ≥ 500 tickets/s, ≥ half the floor and ≤ 0.35 ms of hub CPU per ticket; on
PostgreSQL (issue #22) ≥ half its floor; on both 0 duplicates and 0 gaps.
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from devicekit.session import DeviceSession
from motcua.bench.common import (
    BenchHub,
    connect,
    cpu_times,
    database,
    emit,
    log,
    postgres_floor,
    server_cpu_s,
)
from motcua_core.device_config import DeviceConfig

NUMBERS_PER_SERVICE = 999  # the demo site numbers each service 1001–1999, …; beyond that numbers wrap
TARGET_TICKETS_PER_S = 500.0
TARGET_FLOOR_RATIO = 0.5  # at least half the single-commit floor of the engine, measured in the same run
TARGET_HUB_CPU_MS = 0.35  # issue #15: the hub's CPU (user + system) per ticket (the SQLite engine's target)
# On PostgreSQL (issue #22) the targets are half the single-commit PostgreSQL floor, 0 duplicates, 0 gaps.
FLOOR_ROWS = 1000
REQUEST_TIMEOUT_S = 10.0  # generous: a retry (same request_id) would only cost time, never a ticket


def sqlite_floor(directory: Path, rows: int = FLOOR_ROWS) -> float:
    """Rows per second for one INSERT + COMMIT each, with the hub's journal and sync settings."""
    path = directory / "sqlite-floor.db"
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, service TEXT, seq INTEGER, at REAL)")
        t0 = time.perf_counter()
        for i in range(rows):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t(service, seq, at) VALUES (?, ?, ?)", ("HT", i, time.time()))
            conn.execute("COMMIT")
        elapsed = time.perf_counter() - t0
    finally:
        conn.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return rows / elapsed


def targets_met(engine: str, ok: bool, rate: float, floor: float, hub_cpu_ms: float | None) -> bool:
    """Each engine's own targets (see the module's docstring); `ok`: every ticket answered, stored, and
    numbered without a duplicate or a gap."""
    if not ok or rate < TARGET_FLOOR_RATIO * floor:
        return False
    if engine == "postgresql":
        return True
    return rate >= TARGET_TICKETS_PER_S and hub_cpu_ms is not None and hub_cpu_ms <= TARGET_HUB_CPU_MS


def count_problems(rows: Iterable[tuple[str, str, int]]) -> tuple[int, int]:
    """(duplicates, gaps) among (service, day, n) rows; n must run contiguous per (service, day).

    duplicates: rows whose (service, day, n) was seen before. gaps: values missing between the smallest and
    the largest n of each (service, day).
    """
    groups: dict[tuple[str, str], list[int]] = collections.defaultdict(list)
    for service, day, n in rows:
        groups[(service, day)].append(n)
    duplicates = gaps = 0
    for ns in groups.values():
        distinct = set(ns)
        duplicates += len(ns) - len(distinct)
        gaps += max(distinct) - min(distinct) + 1 - len(distinct)
    return duplicates, gaps


def check_database(data: Path) -> dict:
    """Duplicates and gaps in the hub's tickets table (its file, or $MOTCUA_DB), by number and by seq
    (which must start at 1)."""
    from hub.app import open_data_dir

    db = open_data_dir(data)
    try:
        rows = db.execute("SELECT id, service, day, seq, number FROM tickets").fetchall()
    finally:
        db.conn.close()
    dup_numbers, gap_numbers = count_problems((s, d, int(n)) for _, s, d, _, n in rows)
    dup_seq, gap_seq = count_problems((s, d, q) for _, s, d, q, _ in rows)
    first: dict[tuple[str, str], int] = {}
    for _, s, d, q, _ in rows:
        first[(s, d)] = min(q, first.get((s, d), q))
    late_start = sum(q - 1 for q in first.values())  # seq 1 … q-1 of that day were never issued
    return {"ids": {r[0] for r in rows}, "duplicates": max(dup_numbers, dup_seq),
            "gaps": max(gap_numbers, gap_seq) + late_start}


def _kiosk_worker(configs: list[dict], plans: list[list[str]], ready: Any, go: Any, results: Any) -> None:
    """One process of kiosks, each with its own session and thread, as on separate machines; reports
    "" (or what went wrong) on `ready`, issues its plan once `go` is set, then sends what it got."""
    from kiosk.core import KioskCore

    cores: list[KioskCore] = []
    try:
        for cfg in configs:
            cores.append(KioskCore(DeviceSession(DeviceConfig.from_dict(cfg))))
            connect(cores[-1].session)
        for core in cores:
            if not core.wait_config(15):
                raise RuntimeError(f"kiosk {core.session.config.device_id} got no config from the hub")
    except Exception as exc:
        ready.put(f"{type(exc).__name__}: {exc}")
        for core in cores:
            core.session.stop()
        return
    answers: list[list[dict]] = [[] for _ in cores]
    errors: list[str] = []

    def run(k: int) -> None:
        core, out = cores[k], answers[k]
        go.wait()
        for service in plans[k]:
            try:
                out.append(core.issue_ticket(service, request_id=core.new_confirmation()))
            except Exception as exc:  # RequestError has a code; anything else is a bench bug
                errors.append(getattr(exc, "code", type(exc).__name__))

    threads = [threading.Thread(target=run, args=(k,), name=f"kiosk-{k}") for k in range(len(cores))]
    for t in threads:
        t.start()
    cpu0 = time.process_time()
    ready.put("")
    for t in threads:
        t.join()
    finished, cpu = time.monotonic(), time.process_time() - cpu0
    for core in cores:
        core.session.stop()
    results.put({"answers": [t for out in answers for t in out], "errors": errors, "finished": finished,
                 "cpu_s": cpu})


def main(args: argparse.Namespace) -> int:
    kiosks: int = args.kiosks
    total: int = args.tickets
    if kiosks < 1 or total < 1:
        raise SystemExit("error: --kiosks and --tickets must be at least 1")
    with database(getattr(args, "db", "sqlite")) as url:
        return _run(args, kiosks, total, url)


def _run(args: argparse.Namespace, kiosks: int, total: int, url: str | None) -> int:
    from hub.app import open_data_dir
    from hub.store.sites import list_services
    with BenchHub(prefix="motcua-bench-tickets-", synchronous=args.synchronous) as bh:
        bh.prepare()
        db = open_data_dir(bh.data)
        services = [s.code for s in list_services(db, "demo")]
        db.conn.close()
        if total > NUMBERS_PER_SERVICE * len(services):
            raise SystemExit(f"error: at most {NUMBERS_PER_SERVICE * len(services)} tickets per run "
                             "(ticket numbers would wrap around)")
        if url is None:
            log(f"sqlite floor: {FLOOR_ROWS} single-row commits")
            floor = sqlite_floor(bh.root)
        else:
            log(f"postgres floor: {FLOOR_ROWS} single-row commits")
            floor = postgres_floor(url, FLOOR_ROWS)
        configs = bh.register("kiosk", kiosks, request_timeout_s=REQUEST_TIMEOUT_S)
        bh.start()

        # Ticket j goes to kiosk j % kiosks and service j % len(services): every kiosk uses every service.
        plans = [[services[j % len(services)] for j in range(k, total, kiosks)] for k in range(kiosks)]
        procs = max(1, min(args.processes, kiosks))
        ctx = multiprocessing.get_context("fork")  # before any thread of ours: the workers start clean
        ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
        groups = [list(range(w, kiosks, procs)) for w in range(procs)]
        workers = [ctx.Process(target=_kiosk_worker, name=f"kiosks-{w}", daemon=True,
                               args=([configs[k].to_dict() for k in g], [plans[k] for k in g], ready, go, results))
                   for w, g in enumerate(groups)]
        answers: list[dict] = []
        errors: list[str] = []
        try:
            for w in workers:
                w.start()
            log(f"starting {kiosks} kiosks in {procs} process(es)")
            for _ in workers:
                problem = ready.get(timeout=60)
                if problem:
                    raise RuntimeError(problem)
            log(f"{kiosks} kiosks issuing {total} tickets")
            db_before = bh.health().get("database") or {}
            assert bh.proc is not None
            cpu0 = cpu_times(bh.proc.pid)
            broker0 = sum(cpu_times(bh.broker_pid)) if bh.broker_pid else 0.0
            server0 = server_cpu_s(url) if url is not None else None
            t0 = time.monotonic()
            go.set()
            finished, clients_cpu = t0, 0.0
            for _ in workers:
                out = results.get(timeout=600)
                answers += out["answers"]
                errors += out["errors"]
                finished, clients_cpu = max(finished, out["finished"]), clients_cpu + out["cpu_s"]
            cpu1 = cpu_times(bh.proc.pid)
            elapsed = finished - t0
            hub_user, hub_sys = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
            hub_cpu = hub_user + hub_sys
            broker_cpu = sum(cpu_times(bh.broker_pid)) - broker0 if bh.broker_pid else None
            server1 = server_cpu_s(url) if server0 is not None and url is not None else None
            server_cpu = sum(v - server0.get(pid, 0.0) for pid, v in server1.items()) \
                if server0 is not None and server1 is not None else None
        finally:
            go.set()
            for w in workers:
                w.join(timeout=30)
                if w.is_alive():
                    w.kill()
        health = bh.health()
        router = health.get("router") or {}
        db_after = health.get("database") or {}
        bh.stop()  # the hub has committed and closed its database: check the file as it was left

        issued = answers
        resp_dups, resp_gaps = count_problems((t["service"], t["issued_at"][:10], int(t["number"]))
                                              for t in issued)
        resp_dups += len(issued) - len({t["id"] for t in issued})  # the same ticket handed out twice
        db_check = check_database(bh.data)
    answered_ids = {t["id"] for t in issued}
    not_in_db = len(answered_ids - db_check["ids"])  # a ticket a citizen holds that the hub lost
    unanswered = len(db_check["ids"] - answered_ids)  # issued by the hub, never seen by a kiosk

    ok = (len(issued) == total and not errors and resp_dups == 0 and resp_gaps == 0
          and db_check["duplicates"] == 0 and db_check["gaps"] == 0 and not not_in_db and not unanswered)
    rate = len(issued) / elapsed if elapsed > 0 else 0.0
    result = {
        "bench": "tickets",
        "synchronous": args.synchronous,
        "kiosks": kiosks,
        "processes": procs,
        "tickets": len(issued),
        "requested": total,
        "errors": len(errors),
        "elapsed_s": round(elapsed, 3),
        "tickets_per_s": round(rate, 1),
        "duplicates": resp_dups + db_check["duplicates"],
        "gaps": resp_gaps + db_check["gaps"],
        "db_tickets": len(db_check["ids"]),
        "not_in_db": not_in_db,
        "unanswered": unanswered,
        "responses": {"duplicates": resp_dups, "gaps": resp_gaps},
        "database": {"duplicates": db_check["duplicates"], "gaps": db_check["gaps"]},
        "hub_batches": router.get("batches"),
        "hub_requests": router.get("requests"),
        "engine": "sqlite" if url is None else "postgresql",
        ("sqlite_floor_inserts_per_s" if url is None else "postgres_floor_inserts_per_s"): round(floor, 1),
        "floor_ratio": round(rate / floor, 2) if floor else None,
        # The hub process's CPU (user + system) over the issuing, per ticket: issue #15 asks ≤ 0.35 ms.
        "hub_cpu_ms_per_ticket": round(1000 * hub_cpu / len(issued), 3) if issued else None,
        # … of which in the kernel (socket I/O, fsync): what Python-level work cannot remove.
        "hub_sys_ms_per_ticket": round(1000 * hub_sys / len(issued), 3) if issued else None,
        # The rest of the machine's work per ticket, in the same run: the broker, and the kiosks (worker
        # processes: real device sessions, several per interpreter). On 2 cores the three share the CPU.
        "broker_cpu_ms_per_ticket": round(1000 * broker_cpu / len(issued), 3) if issued and broker_cpu else None,
        "kiosks_cpu_ms_per_ticket": round(1000 * clients_cpu / len(issued), 3) if issued else None,
        # PostgreSQL on this machine: all of the server's processes (backends, WAL writer …), per ticket.
        **({"db_server_cpu_ms_per_ticket": round(1000 * server_cpu / len(issued), 3)
                                            if issued and server_cpu is not None else None}
           if url is not None else {}),
        # PostgreSQL: statements and messages to the server (round trips) per ticket, batches included
        **{f"db_{k}_per_ticket": round((db_after[k] - db_before[k]) / len(issued), 2)
           for k in ("round_trips", "statements") if issued and k in db_after and k in db_before},
        "targets_met": targets_met("sqlite" if url is None else "postgresql", ok, rate, floor,
                                   1000 * hub_cpu / len(issued) if issued else None),
    }
    emit(result, args.json)
    return 0 if ok else 1
