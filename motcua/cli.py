"""The `motcua` command: one entry point for every role. Heavy imports happen inside each command."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path


def _device_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, required=True, help="device config file from `motcua hub device add`")
    p.add_argument("--simulate", action="store_true", help="run headless with simulated people (no screen)")
    p.add_argument("-v", "--verbose", action="store_true")


def _start_session(args: argparse.Namespace, role: str):
    from devicekit.config import ConfigError, DeviceConfig
    from devicekit.session import DeviceSession

    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        cfg = DeviceConfig.load(args.config)
    except (ConfigError, OSError) as exc:
        raise SystemExit(f"error: {args.config}: {exc}") from None
    if cfg.role != role and not (role == "kiosk" and cfg.role in ("voting", "lookup")):
        raise SystemExit(f"error: {args.config} is for a {cfg.role} device, not a {role}")
    session = DeviceSession(cfg)
    session.start()
    if not session.wait_connected(15):
        print(f"warning: broker {cfg.broker_host}:{cfg.broker_port} not reachable yet; still trying",
              file=sys.stderr)
    return session


def _stop_event() -> threading.Event:
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    return stop


def _no_ui(role: str, issue: int) -> int:
    print(f"The {role} touch screen (Kivy) is not built yet (issue #{issue}). Run it headless with --simulate.",
          file=sys.stderr)
    return 2


def cmd_kiosk(args: argparse.Namespace) -> int:
    if not args.simulate:
        return _no_ui("kiosk", 3)
    from kiosk import simulate
    from kiosk.core import KioskCore

    session = _start_session(args, "kiosk")
    try:
        simulate.run(KioskCore(session), _stop_event(), per_minute=args.per_minute)
    finally:
        session.stop()
    return 0


def cmd_counter(args: argparse.Namespace) -> int:
    if not args.simulate:
        return _no_ui("counter terminal", 4)
    from counter_terminal import simulate
    from counter_terminal.core import CounterCore

    session = _start_session(args, "counter")
    try:
        simulate.run(CounterCore(session), _stop_event(), officer=args.officer, mean_service_s=args.service_s)
    finally:
        session.stop()
    return 0


def cmd_display(args: argparse.Namespace) -> int:
    if not args.simulate:
        return _no_ui("display controller", 4)
    from display_controller import simulate
    from display_controller.core import DisplayCore

    session = _start_session(args, "display")
    try:
        simulate.run(DisplayCore(session), _stop_event())
    finally:
        session.stop()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="motcua", description="Software for a Vietnamese one-stop office.")
    sub = parser.add_subparsers(dest="cmd", required=True)

    from hub.cli import add_parser as add_hub

    add_hub(sub)

    k = sub.add_parser("kiosk", help="citizen kiosk (ticket dispenser)")
    _device_args(k)
    k.add_argument("--per-minute", type=float, default=6.0, help="simulated arrivals per minute")
    k.set_defaults(func=cmd_kiosk)

    c = sub.add_parser("counter", help="officer's counter terminal")
    _device_args(c)
    c.add_argument("--officer", help="officer id to sign in (simulation)")
    c.add_argument("--service-s", type=float, default=20.0, help="simulated mean service time in seconds")
    c.set_defaults(func=cmd_counter)

    d = sub.add_parser("display", help="lobby display, LED boards and announcer")
    _device_args(d)
    d.set_defaults(func=cmd_display)

    from provisioning.cli import add_parser as add_provision

    add_provision(sub)

    from motcua.demo import add_parser as add_demo

    add_demo(sub)

    from motcua.bench import add_parser as add_bench

    add_bench(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
