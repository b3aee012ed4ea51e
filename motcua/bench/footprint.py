"""`motcua bench footprint`: CPU and memory of each device app at rest and under a burst (issue #14).

Each app — kiosk 1280×800, counter 800×480, voting 1024×768, lobby display 1920×1080 with its scrolling
notice — is started as the real `motcua …` command on an Xvfb screen of that size against a real hub,
one after the other (the machine's cores are not shared between them). Once online it settles, is left
idle for `--idle` seconds (idle_cpu_pct: per cent of one core over that time, from /proc), then a burst
of tickets and calls runs through the hub (burst_cpu_pct); rss_mb is read after the burst. Xvfb draws
with Mesa's software OpenGL (llvmpipe), so every frame costs CPU that a Pi's GPU would carry: the
figures are an upper bound for a board with working GL.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from motcua.bench.common import BenchHub, connect, emit, log

APPS = {  # role -> (command, screen size, extra arguments)
    "kiosk": (["kiosk"], "1280x800", []),
    "counter": (["counter"], "800x480", []),
    "voting": (["kiosk"], "1024x768", []),
    "display": (["display"], "1920x1080", []),
}
SETTLE_S = 5.0
TARGETS = {"idle_cpu_pct": 25.0, "rss_mb": 200.0}


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_pct(pid: int, seconds: float, during=None) -> float:
    c0, t0 = cpu_seconds(pid), time.monotonic()
    if during is not None:
        during()
    remaining = seconds - (time.monotonic() - t0)
    if remaining > 0:
        time.sleep(remaining)
    return 100.0 * (cpu_seconds(pid) - c0) / (time.monotonic() - t0)


def xvfb(size: str) -> tuple[subprocess.Popen, str]:
    for num in range(300, 360):
        if Path(f"/tmp/.X{num}-lock").exists():
            continue
        proc = subprocess.Popen(["Xvfb", f":{num}", "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if Path(f"/tmp/.X11-unix/X{num}").exists():
                return proc, f":{num}"
            time.sleep(0.05)
        proc.terminate()
    raise RuntimeError("could not start Xvfb")


def wait_online(hub: BenchHub, device_id: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    db = sqlite3.connect(f"file:{hub.data / 'motcua.db'}?mode=ro", uri=True)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{device_id} exited with {proc.returncode}")
            row = db.execute("SELECT status FROM devices WHERE id = ?", [device_id]).fetchone()
            if row and row[0] == "online":
                return
            time.sleep(0.1)
    finally:
        db.close()
    raise RuntimeError(f"{device_id} did not come online")


def burst(kiosk, counter, calls: int) -> None:
    """Tickets issued and called at a brisk office pace: every screen has something to redraw."""
    for _ in range(calls):
        kiosk.request("ticket.issue", {"service": "HT"})
        counter.request("counter.next", {"token": counter.officer_token})
        time.sleep(0.25)


def measure(hub: BenchHub, role: str, cfg_path: Path, device_id: str, idle_s: float, calls: int,
            kiosk, counter) -> dict:
    cmd, size, extra = APPS[role]
    screen, display = xvfb(size)
    env = {**os.environ, "DISPLAY": display, "KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1",
           "KIVY_HOME": str(hub.root / f"kivy-{role}")}
    proc = None
    try:
        with open(hub.root / f"{role}.log", "ab") as out:
            proc = subprocess.Popen([sys.executable, "-m", "motcua.cli", *cmd, "--config", str(cfg_path),
                                     "--size", size, *extra], env=env, stdout=out, stderr=subprocess.STDOUT)
        wait_online(hub, device_id, proc)
        time.sleep(SETTLE_S)
        idle = cpu_pct(proc.pid, idle_s)
        busy = cpu_pct(proc.pid, calls * 0.3, lambda: burst(kiosk, counter, calls))
        return {"idle_cpu_pct": round(idle, 1), "burst_cpu_pct": round(busy, 1), "rss_mb": round(rss_mb(proc.pid), 1),
                "screen": size}
    finally:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        screen.terminate()
        screen.wait(5)


def main(args: argparse.Namespace) -> int:
    from counter_terminal.core import CounterCore
    from devicekit.session import DeviceSession
    from kiosk.core import KioskCore

    roles = args.roles or list(APPS)
    result: dict = {}
    with BenchHub("motcua-bench-footprint-") as hub:
        hub.prepare()
        apps = {"kiosk": hub.register("kiosk")[0], "counter": hub.register("counter", counter=1)[0],
                "voting": hub.register("voting", counter=1)[0], "display": hub.register("display")[0]}
        load_kiosk = hub.register("kiosk")[0]
        load_counter = hub.register("counter", counter=2)[0]
        hub.start()
        ks, cs = DeviceSession(load_kiosk), DeviceSession(load_counter)
        KioskCore(ks)
        CounterCore(cs)
        connect(ks)
        connect(cs)
        # counter actions need an officer's sign-in (issue #10): counter 2's officer for the burst
        cs.officer_token = cs.request("counter.login", {"username": "hung2", "pin": "2222"})["token"]
        cs.request("counter.open", {"token": cs.officer_token})
        try:
            for role in roles:
                cfg = apps[role]
                path = hub.root / f"{role}.json"
                cfg.save(path)
                log(f"{role}: starting on a {APPS[role][1]} screen, idle {args.idle:g} s, then {args.calls} calls")
                result[role] = measure(hub, role, path, cfg.device_id, args.idle, args.calls, ks, cs)
                log(f"{role}: {result[role]}")
        finally:
            ks.stop()
            cs.stop()
    result["targets"] = TARGETS
    result["within_targets"] = all(r["idle_cpu_pct"] <= TARGETS["idle_cpu_pct"] and r["rss_mb"] <= TARGETS["rss_mb"]
                                   for k, r in result.items() if k in APPS)
    emit(result, args.json)
    return 0


def add_parser(bsub: argparse._SubParsersAction) -> None:
    fp = bsub.add_parser("footprint", help="idle CPU and memory of each device app under Xvfb (issue #14)")
    fp.add_argument("--idle", type=float, default=30.0, help="seconds left idle (default 30)")
    fp.add_argument("--calls", type=int, default=20, help="tickets issued and called in the burst")
    fp.add_argument("--roles", nargs="+", choices=list(APPS), help="only these apps")
    fp.add_argument("--json", action="store_true")
    fp.set_defaults(func=main)
