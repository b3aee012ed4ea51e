"""`motcua demo`: the hub with its own Mosquitto, a demo commune centre and a simulated fleet, live.

Everything is real except the people: kiosks, counters and the display are real device sessions over
MQTT to a real hub and broker; the citizens taking tickets and the officers pressing keys are simulated.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import random
import shutil
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from motcua_core import clock as wallclock
from motcua_core.ports import port_or_free

STATUS_VI = {"open": "mở", "paused": "tạm dừng", "closed": "đóng"}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run a demo commune centre with a simulated fleet (Ctrl-C to stop)")
    p.add_argument("--data", type=Path, default=Path("demo-data"), help="demo data directory (wiped at start)")
    p.add_argument("--keep", action="store_true", help="keep the data of the previous run")
    p.add_argument("--http-port", type=int, default=8080)
    p.add_argument("--mqtt-port", type=int, default=1883)
    p.add_argument("--kiosks", type=int, default=2)
    p.add_argument("--per-minute", type=float, default=12.0, help="citizens arriving per minute, per kiosk")
    p.add_argument("--service-s", type=float, default=25.0, help="mean service time at a counter (seconds)")
    p.add_argument("--duration", type=float, default=None, help="stop after this many seconds")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--manual-counter", type=int, default=None, metavar="N",
                   help="leave counter N to a person: open it with `motcua counter --config …` (printed at start)")
    p.add_argument("--province", action="store_true",
                   help="a provincial hub and three commune hubs, joined, each commune with its fleet "
                        "(data in ./demo-province unless --data)")
    p.set_defaults(func=cmd_demo)


@dataclass
class Fleet:
    sessions: list = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    events: collections.deque = field(default_factory=lambda: collections.deque(maxlen=8))
    issued: int = 0


class HubThread:
    """The hub's asyncio loop in a background thread, so the demo's main thread can draw the view."""

    def __init__(self, config) -> None:
        from hub.app import Hub

        self.hub = Hub(config)
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="hub", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self.hub.start())
        except BaseException as exc:  # reported by start()
            self.error = exc
            self.ready.set()
            return
        self.ready.set()
        self.loop.run_forever()

    def start(self) -> None:
        self.thread.start()
        self.ready.wait(60)
        if self.error is not None:
            raise self.error

    def stop(self) -> None:
        fut = asyncio.run_coroutine_threadsafe(self.hub.stop(), self.loop)
        fut.result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


# Console accounts of the demo (printed on the demo screen; a real office makes its own: README).
DEMO_ACCOUNTS = (("quantri", "admin", None, "Quản trị viên (demo)", "demo-quantri"),
                 ("lanhdao", "leader", "demo", "Lãnh đạo đơn vị (demo)", "demo-lanhdao"))


def _demo_accounts(db) -> None:  # noqa: ANN001
    from hub.domain.passwords import hash_password
    from hub.ops import accounts
    from hub.ops.run import Runner
    from hub.store import accounts as acc_store

    for username, role, site, name, password in DEMO_ACCOUNTS:
        if acc_store.get(db, username) is None:
            Runner(db).run(site, lambda ctx, u=username, r=role, s=site, n=name, pw=password: accounts.create(
                ctx, username=u, role=r, site_id=s, agency=None, name=n, pw_hash=hash_password(pw), must_change=False))


def setup_demo_data(data: Path, mqtt_port: int, kiosks: int) -> dict[str, list[Path]]:
    """Load the demo site and starter catalogue, register the fleet, write each device's config file."""
    from hub.app import load_site_file, open_data_dir
    from hub.cli.common import DEMO_SITE
    from hub.cli.devices import device_config_dict
    from hub.store import catalogue
    from hub.store import devices as device_store
    from hub.store.db import transaction
    from hub.store.sites import list_counters
    from motcua_core.device_config import DeviceConfig

    db = open_data_dir(data)
    load_site_file(db, DEMO_SITE)
    with transaction(db):
        from motcua import demo_dossiers  # unit settings + one specialist per agency (/agency page)

        catalogue.load(db, demo_dossiers.commune_catalogue(json.loads(catalogue.STARTER.read_text(encoding="utf-8"))))

    demo_dossiers.setup(db, data)
    _demo_accounts(db)
    configs: dict[str, list[Path]] = {"kiosk": [], "counter": [], "display": []}
    devdir = data / "devices"
    devdir.mkdir(exist_ok=True)
    wanted = [("kiosk", None)] * kiosks + [("counter", c.number) for c in list_counters(db, "demo")] + [
        ("display", None)]
    with transaction(db):
        for role, counter in wanted:
            dev, secret = device_store.add(db, site_id="demo", role=role, now=wallclock.time(), counter=counter)
            cfg = DeviceConfig.from_dict({**device_config_dict(dev, secret, "127.0.0.1", mqtt_port),
                                          "data_dir": str(data / "device-state" / dev.id)})
            path = devdir / f"{dev.id}.json"
            cfg.save(path)
            configs[role].append(path)
        # A second display for a person to open (`motcua display --config …/demo-lobby.json`): LED boards
        # drawn to PNG and announcements written as WAV under the data directory (issue #4).
        dev, secret = device_store.add(db, site_id="demo", role="display", now=wallclock.time(), device_id="demo-lobby")
        DeviceConfig.from_dict({**device_config_dict(dev, secret, "127.0.0.1", mqtt_port),
                                "data_dir": str(data / "device-state" / dev.id),
                                "hardware": {"led": {"bus": f"png:{(data / 'led').resolve()}", "width": 128,
                                                     "height": 32},
                                             "audio": {"out": f"wav:{(data / 'calls').resolve()}"}}}
                               ).save(devdir / "demo-lobby.json")
    db.conn.close()
    return configs


def start_fleet(configs: dict[str, list[Path]], fleet: Fleet, args: argparse.Namespace):
    from counter_terminal import simulate as counter_sim
    from counter_terminal.core import CounterCore
    from devicekit.session import DeviceSession
    from display_controller.core import DisplayCore
    from kiosk import simulate as kiosk_sim
    from kiosk.core import KioskCore
    from motcua_core.device_config import DeviceConfig

    rng = random.Random(args.seed)
    # The demo officers' sign-ins (hub/data/demo_site.json): simulated counters sign in like an officer.
    officers = [("lan1", "1111"), ("hung2", "2222"), ("trang3", "3333"), ("bao4", "4444"), ("duc5", "5555"),
                ("huong6", "6666"), ("tuan7", "7777"), ("anh8", "8888")]

    def session(path: Path) -> DeviceSession:
        s = DeviceSession(DeviceConfig.load(path))
        s.start()
        fleet.sessions.append(s)
        return s

    display = DisplayCore(session(configs["display"][0]))

    def on_ticket(t: dict) -> None:
        fleet.issued += 1
        prio = "" if t["priority"] == "none" else " (ưu tiên)"
        fleet.events.append(f"Vé {t['number']}{prio} · {t['service_name']} · {t['people_ahead']} người phía trước")

    for path in configs["kiosk"]:
        core = KioskCore(session(path))
        fleet.threads.append(threading.Thread(
            target=kiosk_sim.run, args=(core, fleet.stop),
            kwargs={"per_minute": args.per_minute, "rng": random.Random(rng.random()), "on_ticket": on_ticket},
            daemon=True))
    for i, path in enumerate(configs["counter"]):
        if args.manual_counter == i + 1:  # counters are registered in order 1, 2, …
            continue
        core = CounterCore(session(path))
        fleet.threads.append(threading.Thread(
            target=counter_sim.run, args=(core, fleet.stop),
            kwargs={"login": officers[i % len(officers)], "mean_service_s": args.service_s,
                    "rng": random.Random(rng.random()), "on_event": lambda kind, t: None},
            daemon=True))
    for t in fleet.threads:
        t.start()
    return display


def render(state: dict | None, fleet: Fleet, calls: list[dict], urls: list[str], tz=None) -> str:
    """The live view; its clock is the site's (`tz`), as on the console and the lobby, not the host's."""
    if state is None:
        return "Đang chờ trạng thái từ máy chủ…"
    lines = [f"{state['site_name']}",
             f"{wallclock.now(tz or wallclock.VIETNAM).strftime('%H:%M:%S %d/%m/%Y')} · vé đã phát: {fleet.issued}",
             "", f"{'Quầy':<8}{'Trạng thái':<12}{'Đang phục vụ':<14}Cán bộ"]
    for c in state["counters"]:
        mark = " ◀ mới gọi" if state.get("last_call") and state["last_call"]["counter"] == c["number"] else ""
        cur = c["current"]["ticket"] if c["current"] else "—"
        lines.append(f"{c['name']:<8}{STATUS_VI.get(c['status'], c['status']):<12}{cur:<14}"
                     f"{c['officer'] or ''}{mark}")
    lines += ["", "Đang chờ theo dịch vụ:"]
    lines += [f"  {s['name']:<36}{s['waiting']:>4}" for s in state["services"]]
    lines += ["", "Lời mời gần nhất (loa):"]
    lines += [f"  Mời công dân có số {c['ticket']} đến {c['counter_name']}" + (" (gọi lại)" if c["kind"] == "recall"
              else "") for c in calls[-4:]] or ["  —"]
    lines += ["", "Kiosk:"] + [f"  {e}" for e in list(fleet.events)[-4:]]
    lines += ["", *urls, "Ctrl-C để dừng."]
    return "\n".join(lines)


PORTS_FILE = "demo-ports.json"


class Stopped(Exception):
    """SIGTERM (what systemd sends) or SIGHUP (the terminal closed): stop as Ctrl-C does, broker included."""


def _on_signal(signum, _frame) -> None:
    raise Stopped(signal.Signals(signum).name)


def _kept_ports(data: Path, http_port: int, mqtt_port: int) -> tuple[int, int]:
    """With --keep: the ports of the previous run when still free (its device configs point at its broker
    port); the kept configs are rewritten when that port is taken now, so the fleet never waits on a
    broker that is not there."""
    kept = {}
    with contextlib.suppress(OSError, ValueError):
        kept = json.loads((data / PORTS_FILE).read_text())
    http = port_or_free(kept.get("http", http_port))
    mqtt = port_or_free(kept.get("mqtt", mqtt_port))
    for path in sorted((data / "devices").glob("*.json")):
        with contextlib.suppress(OSError, ValueError):
            cfg = json.loads(path.read_text())
            if cfg.get("broker_port") not in (None, mqtt):
                cfg["broker_port"] = mqtt
                tmp = path.with_suffix(".tmp")
                tmp.write_text(json.dumps(cfg, ensure_ascii=False, indent=2))
                tmp.chmod(path.stat().st_mode & 0o777)
                tmp.replace(path)
    return http, mqtt


def cmd_demo(args: argparse.Namespace) -> int:
    from hub.app import HubConfig
    from hub.cli.common import DEMO_SITE

    if getattr(args, "province", False):
        from motcua import demo_province

        return demo_province.run(args)

    data: Path = args.data
    if data.exists() and not args.keep:
        shutil.rmtree(data)
    data.mkdir(parents=True, exist_ok=True)
    if args.keep and (data / "devices").exists():
        http_port, mqtt_port = _kept_ports(data, args.http_port, args.mqtt_port)
    else:
        http_port, mqtt_port = port_or_free(args.http_port), port_or_free(args.mqtt_port)
    (data / PORTS_FILE).write_text(json.dumps({"http": http_port, "mqtt": mqtt_port}))
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    tz = ZoneInfo(json.loads(Path(DEMO_SITE).read_text(encoding="utf-8"))["site"].get("timezone")
                  or "Asia/Ho_Chi_Minh")
    print(f"motcua demo: data in {data.resolve()}, web on :{http_port}, MQTT on :{mqtt_port}", flush=True)
    configs = setup_demo_data(data, mqtt_port, args.kiosks) if not (data / "devices").exists() else {
        role: sorted((data / "devices").glob(f"demo-{role}-*.json")) for role in ("kiosk", "counter", "display")}
    hub = HubThread(HubConfig(data_dir=data, http_port=http_port, mqtt_port=mqtt_port))
    try:
        hub.start()
    except Stopped:
        hub.stop()
        return 1
    people = []  # shown with the live view: what a person can open beside the simulated fleet (issue #4)
    if args.manual_counter and 0 < args.manual_counter <= len(configs["counter"]):
        people.append(f"Quầy {args.manual_counter}: motcua counter --config "
                      f"{configs['counter'][args.manual_counter - 1]}   (đăng nhập: lan1 / 1111)")
    if (data / "devices" / "demo-lobby.json").exists():
        people.append(f"Màn hình sảnh, bảng LED, loa: motcua display --config {data / 'devices' / 'demo-lobby.json'}")
    if (data / "specialists.json").exists():  # issue #5
        people.append(f"Cơ quan giải quyết hồ sơ (API): mã đăng nhập từng cơ quan trong {data / 'specialists.json'}")
    for line in people:
        print(line, flush=True)
    fleet = Fleet()
    try:
        display = start_fleet(configs, fleet, args)
    except Stopped:
        display = None
    urls = [f"Trang trạng thái: http://127.0.0.1:{http_port}/   ·   API: http://127.0.0.1:{http_port}/api/v1/health",
            f"Bảng điều khiển: http://127.0.0.1:{http_port}/console/   (demo: quantri / demo-quantri, "
            f"lanhdao / demo-lanhdao)", *people]
    calls: list[dict] = []
    tty = sys.stdout.isatty()
    deadline = None if args.duration is None else time.monotonic() + args.duration
    try:
        last_print = 0.0
        while display is not None and (deadline is None or time.monotonic() < deadline):
            time.sleep(0.5)
            while not display.calls.empty():
                calls.append(display.calls.get_nowait())
            if tty:
                sys.stdout.write("\x1b[H\x1b[2J" + render(display.state, fleet, calls, urls, tz) + "\n")
                sys.stdout.flush()
            elif time.monotonic() - last_print > 5:
                last_print = time.monotonic()
                print(render(display.state, fleet, calls, urls, tz) + "\n" + "-" * 60, flush=True)
    except (KeyboardInterrupt, Stopped):
        pass
    finally:
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):  # a second signal must not cut the cleanup
            signal.signal(sig, signal.SIG_IGN)
        fleet.stop.set()
        for t in fleet.threads:
            t.join(10)
        for s in fleet.sessions:
            s.stop()
        hub.stop()  # the broker goes with the hub
    served = sum(1 for c in calls if c["kind"] == "call")
    print(f"\nDemo stopped: {fleet.issued} tickets issued, {served} calls announced.")
    print(f"Data kept in {data.resolve()} (motcua.db, broker/, devices/).")
    print(f"Next: run `motcua hub serve --data {data}` and the roles yourself (README.md), "
          "read docs/architecture.md and docs/protocol.md.")
    return 0
