"""`motcua demo --province`: a provincial hub and three commune hubs, each `motcua hub serve` in its own
process with its own Mosquitto and SQLite file on loopback ports, the communes joined to the province
with the real join, each commune with a simulated fleet (kiosks issuing, counters calling). The terminal
shows each centre, its link (state, sequence written, acknowledged, lag) and what the province holds.

Cut a commune's link with `touch <data>/<commune>/sync.pause` (the link disconnects and stays down; the
commune keeps serving), mend it with `rm <data>/<commune>/sync.pause` and watch the lag fall to 0.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from motcua_core import clock as wallclock

COMMUNES = (("xa-hoa-an", "Xã Hòa An"), ("xa-binh-minh", "Xã Bình Minh"), ("xa-an-phu", "Xã An Phú"))
LEADER = ("lanhdaotinh", "demo-lanhdaotinh")  # the province leader's demo account (console)


@dataclass
class Centre:
    site: str
    name: str
    data: Path
    http_port: int
    mqtt_port: int
    proc: subprocess.Popen | None = None
    issued: int = 0
    sessions: list = field(default_factory=list)


def _free() -> int:
    from motcua_core.ports import port_or_free

    return port_or_free(0)


def _site_file(root: Path, site: str, name: str) -> Path:
    from hub.cli.common import DEMO_SITE

    doc = json.loads(DEMO_SITE.read_text(encoding="utf-8"))
    doc["site"]["id"], doc["site"]["name"] = site, name
    path = root / f"{site}.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _serve(c: Centre) -> None:
    log = open(c.data / "hub-process.log", "ab")  # noqa: SIM115 (the child keeps it)
    c.proc = subprocess.Popen([sys.executable, "-m", "motcua.cli", "hub", "serve", "--data", str(c.data),
                               "--http-host", "127.0.0.1", "--http-port", str(c.http_port),
                               "--mqtt-port", str(c.mqtt_port), "--mqtt-tls-port", str(_free())],
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _wait_http(port: int, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"hub on :{port} did not start")


def _prepare_province(root: Path, http_port: int) -> Centre:
    from hub.app import load_site_file, open_data_dir
    from hub.domain.passwords import hash_password
    from hub.ops import accounts
    from hub.ops import sync as sync_ops
    from hub.ops.run import Runner

    p = Centre("tinh", "Trung tâm Phục vụ hành chính công tỉnh", root / "tinh", http_port, _free())
    db = open_data_dir(p.data)
    load_site_file(db, _site_file(root, p.site, p.name))
    runner = Runner(db)
    runner.run(None, lambda ctx: sync_ops.init_province(ctx, "Tỉnh Mẫu (demo)"))
    runner.run(None, lambda ctx: accounts.create(ctx, username=LEADER[0], role="province_leader", site_id=None,
                                                 agency=None, name="Lãnh đạo tỉnh (demo)",
                                                 pw_hash=hash_password(LEADER[1]), must_change=False))
    db.conn.close()
    return p


def _prepare_commune(root: Path, site: str, name: str, province: Centre, kiosks: int, counters: int) -> tuple:
    from hub.app import load_site_file, open_data_dir
    from hub.cli.devices import device_config_dict
    from hub.ops import sync as sync_ops
    from hub.ops.run import Runner
    from hub.store import devices as device_store
    from hub.store.db import transaction
    from hub.sync.join import join_province
    from motcua_core.device_config import DeviceConfig

    c = Centre(site, name, root / site, _free(), _free())
    db = open_data_dir(c.data)
    load_site_file(db, _site_file(root, site, name))
    configs: dict[str, list] = {"kiosk": [], "counter": []}
    with transaction(db):
        for role, counter in [("kiosk", None)] * kiosks + [("counter", n) for n in range(1, counters + 1)]:
            dev, secret = device_store.add(db, site_id=site, role=role, now=wallclock.time(), counter=counter)
            configs[role].append(DeviceConfig.from_dict({
                **device_config_dict(dev, secret, "127.0.0.1", c.mqtt_port),
                "data_dir": str(c.data / "device-state" / dev.id)}))
    pdb = open_data_dir(province.data)
    code = Runner(pdb).run(None, lambda ctx: sync_ops.add_centre(ctx, site, name))
    pdb.conn.close()
    join_province(db, c.data, f"http://127.0.0.1:{province.http_port}", code, plain=True)
    db.conn.close()
    return c, configs


def _fleet(c: Centre, configs: dict, stop: threading.Event, rng: random.Random, args) -> list[threading.Thread]:
    from counter_terminal import simulate as counter_sim
    from counter_terminal.core import CounterCore
    from devicekit.session import DeviceSession
    from kiosk import simulate as kiosk_sim
    from kiosk.core import KioskCore

    officers = [("lan1", "1111"), ("hung2", "2222"), ("trang3", "3333"), ("bao4", "4444")]
    threads = []

    def session(cfg):
        s = DeviceSession(cfg)
        s.start()
        c.sessions.append(s)
        return s

    def issued(_t: dict) -> None:
        c.issued += 1

    for cfg in configs["kiosk"]:
        threads.append(threading.Thread(target=kiosk_sim.run, args=(KioskCore(session(cfg)), stop), daemon=True,
                                        kwargs={"per_minute": args.per_minute, "rng": random.Random(rng.random()),
                                                "on_ticket": issued}))
    for i, cfg in enumerate(configs["counter"]):
        threads.append(threading.Thread(target=counter_sim.run, args=(CounterCore(session(cfg)), stop), daemon=True,
                                        kwargs={"login": officers[i % len(officers)], "mean_service_s": args.service_s,
                                                "rng": random.Random(rng.random()), "on_event": lambda k, t: None}))
    return threads


def _view(province: Centre, communes: list[Centre], root: Path) -> str:
    from hub.store import sync as store
    from hub.store.db import open_db

    lines = [f"Tỉnh Mẫu (demo) — {time.strftime('%H:%M:%S')}", "",
             f"{'Trung tâm':<16}{'vé':>6}  {'đường truyền':<13}{'đã ghi':>8}{'tỉnh nhận':>10}{'chậm':>6}"]
    pdb = open_db(province.data / "motcua.db")
    try:
        marks = {s["site_id"]: s["hwm"] for s in store.province_sites(pdb)}
    finally:
        pdb.conn.close()
    for c in communes:
        state_file = c.data / "sync-link.state"
        state = json.loads(state_file.read_text())["state"] if state_file.exists() else "—"
        state = {"up": "hoạt động", "paused": "BỊ CẮT", "connecting": "đang nối", "rejoin": "cần tham gia lại"
                 }.get(state, state)
        db = open_db(c.data / "motcua.db")
        try:
            s = store.link_sites(db)[0]
        finally:
            db.conn.close()
        lines.append(f"{c.name:<16}{c.issued:>6}  {state:<13}{s['seq']:>8}{marks.get(c.site, 0):>10}"
                     f"{s['seq'] - marks.get(c.site, 0):>6}")
    lines += ["", f"Bảng điều khiển toàn tỉnh: http://127.0.0.1:{province.http_port}/console/province "
                  f"(đăng nhập {LEADER[0]} / {LEADER[1]})",
              f"Cắt đường truyền một xã: touch {root / communes[0].site / 'sync.pause'}",
              f"Nối lại:                 rm {root / communes[0].site / 'sync.pause'}",
              "Ctrl-C để dừng."]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from motcua_core.ports import port_or_free

    root: Path = args.data if args.data != Path("demo-data") else Path("demo-province")
    if root.exists() and not args.keep:
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    os.umask(0o077)
    province = _prepare_province(root, port_or_free(args.http_port))
    _serve(province)
    communes: list[Centre] = []
    stop = threading.Event()
    threads: list[threading.Thread] = []
    rng = random.Random(args.seed)
    try:
        _wait_http(province.http_port)
        print(f"motcua demo --province: dữ liệu ở {root.resolve()}; hub tỉnh :{province.http_port}", flush=True)
        prepared = [_prepare_commune(root, site, name, province, max(1, args.kiosks), 4) for site, name in COMMUNES]
        for c, _cfg in prepared:
            _serve(c)
            communes.append(c)
        for c, cfg in prepared:
            _wait_http(c.http_port)
            time.sleep(0.5)
            threads += _fleet(c, cfg, stop, rng, args)
        for t in threads:
            t.start()
        tty = sys.stdout.isatty()
        deadline = None if args.duration is None else time.monotonic() + args.duration
        last = 0.0
        while deadline is None or time.monotonic() < deadline:
            time.sleep(1)
            view = _view(province, communes, root)
            if tty:
                sys.stdout.write("\x1b[H\x1b[2J" + view + "\n")
                sys.stdout.flush()
            elif time.monotonic() - last > 5:
                last = time.monotonic()
                print(view + "\n" + "-" * 60, flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        for t in threads:
            t.join(10)
        for c in communes:
            for s in c.sessions:
                s.stop()
        for c in [*communes, province]:
            if c.proc is not None and c.proc.poll() is None:
                c.proc.send_signal(signal.SIGTERM)
                try:
                    c.proc.wait(20)
                except subprocess.TimeoutExpired:
                    c.proc.kill()
    print(f"\nDemo dừng: {sum(c.issued for c in communes)} vé ở {len(communes)} xã. Dữ liệu ở {root.resolve()}.")
    return 0
