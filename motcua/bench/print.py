"""`motcua bench print`: ticket render time, and the resident memory of a started kiosk process.

render_ms: laying out and rasterising a full ticket (text + QR) with Pillow, per paper width.
rss_mb: a real `motcua kiosk --config …` (Kivy window, MQTT session, journal) against a real hub,
measured from /proc once the hub has pushed its config and the dispenser screens are drawn. It needs an
X display: DISPLAY, or Xvfb which the benchmark starts itself; without either it reports null.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from motcua.bench.common import BenchHub, emit, log, ms, percentile

SETTLE_S = 5.0


def render_times(width: int, n: int) -> list[float]:
    from kiosk.ticket import SAMPLE_TICKET, render_ticket, ticket_content, tracking_url

    out = []
    for i in range(n):
        t = time.perf_counter()
        content = ticket_content({**SAMPLE_TICKET, "number": f"{1001 + i}"}, unit=SAMPLE_TICKET["site_name"],
                                 qr_url=tracking_url("http://192.168.1.10:8080", "demo", 1000 + i))
        render_ticket(content, width)
        out.append((time.perf_counter() - t) * 1000)
    return out


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _soft_gl_mb(pid: int) -> float | None:
    """Resident size of the software OpenGL stack (Mesa llvmpipe: libLLVM, swrast), which Xvfb needs and a
    kiosk with a GPU driver does not load."""
    total, name = 0, ""
    try:
        for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
            if line[:1] in "0123456789abcdef" and "-" in line.split(" ", 1)[0]:
                parts = line.split()
                name = parts[5] if len(parts) > 5 else ""
            elif line.startswith("Rss:") and ("libLLVM" in name or "/dri/" in name or "swrast" in name):
                total += int(line.split()[1])
    except OSError:
        return None
    return total / 1024


def _display() -> tuple[dict, subprocess.Popen | None]:
    env = {**os.environ, "KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1"}
    if env.get("DISPLAY"):
        return env, None
    if shutil.which("Xvfb") is None:
        return env, None
    for num in range(200, 260):
        if Path(f"/tmp/.X{num}-lock").exists():
            continue
        proc = subprocess.Popen(["Xvfb", f":{num}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if Path(f"/tmp/.X11-unix/X{num}").exists():
                return {**env, "DISPLAY": f":{num}"}, proc
            time.sleep(0.05)
        proc.terminate()
    return env, None


def kiosk_rss(hub: BenchHub, cfg_path: Path, device_id: str) -> tuple[float | None, float | None, str | None]:
    env, xvfb = _display()
    if not env.get("DISPLAY"):
        return None, None, "no X display (set DISPLAY or install Xvfb)"
    env["KIVY_HOME"] = str(hub.root / "kivy-home")
    kiosk = None
    try:
        with open(hub.root / "kiosk.log", "ab") as out:
            kiosk = subprocess.Popen([sys.executable, "-m", "motcua.cli", "kiosk", "--config", str(cfg_path)],
                                     env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        db = sqlite3.connect(f"file:{hub.data / 'motcua.db'}?mode=ro", uri=True)
        while time.monotonic() < deadline:
            if kiosk.poll() is not None:
                return None, None, f"kiosk exited with {kiosk.returncode}"
            row = db.execute("SELECT status FROM devices WHERE id = ?", [device_id]).fetchone()
            if row and row[0] == "online":
                break
            time.sleep(0.1)
        db.close()
        time.sleep(SETTLE_S)  # config applied, screens built, first frames drawn
        return _rss_mb(kiosk.pid), _soft_gl_mb(kiosk.pid), None
    finally:
        if kiosk is not None and kiosk.poll() is None:
            kiosk.terminate()
            try:
                kiosk.wait(10)
            except subprocess.TimeoutExpired:
                kiosk.kill()
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(5)


def main(args: argparse.Namespace) -> int:
    result: dict = {}
    for width in (576, 384):
        times = render_times(width, args.renders)
        key = "render_ms" if width == 576 else "render_58mm_ms"
        result[key] = ms(percentile(times, 50))
        result[f"{key}_p99"] = ms(percentile(times, 99))
    result["target_render_ms"] = 50
    if args.no_rss:
        result.update(rss_mb=None, rss_note="skipped (--no-rss)")
    else:
        with BenchHub(prefix="motcua-bench-print-") as hub:
            hub.prepare()
            cfg = hub.register("kiosk")[0]
            cfg.hardware = {"printer": {"type": "sim", "dir": str(hub.root / "printed")}}
            path = hub.root / "kiosk.json"
            cfg.save(path)
            hub.start()
            log("starting the kiosk app")
            rss, soft_gl, note = kiosk_rss(hub, path, cfg.device_id)
            result["rss_mb"] = None if rss is None else round(rss, 1)
            result["rss_soft_gl_mb"] = None if soft_gl is None else round(soft_gl, 1)
            if note:
                result["rss_note"] = note
    result["target_rss_mb"] = 200
    emit(result, args.json)
    return 0
