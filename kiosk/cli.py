"""`motcua kiosk …`: the kiosk app (dispenser, lookup or voting, as the hub's config says), its headless
simulator, and `print-sample` for technicians (no hub needed)."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from pathlib import Path

from motcua_core.stopping import stop_on


def add_parser(sub: argparse._SubParsersAction) -> None:
    k = sub.add_parser("kiosk", help="citizen kiosk: ticket dispenser, procedure lookup or voting tablet",
                       description="Runs the kiosk app; its mode (dispenser, lookup, voting) comes from the "
                                   "device's role in the hub's pushed config.")
    k.add_argument("--config", type=Path, help="device config file from `motcua hub device add`")
    k.add_argument("--simulate", action="store_true", help="dispenser without a screen: simulated citizens")
    k.add_argument("--per-minute", type=float, default=6.0, help="simulated arrivals per minute")
    k.add_argument("--fullscreen", action="store_true", help="use the whole screen (a real kiosk)")
    k.add_argument("--size", default="1280x800", help="window size WIDTHxHEIGHT when not full screen")
    k.add_argument("--first-boot", action="store_true",
                   help="no config file yet: show the enrolment screen first (the installed unit passes this)")
    k.add_argument("-v", "--verbose", action="store_true")
    k.set_defaults(func=cmd_kiosk, kiosk_cmd=None)
    ksub = k.add_subparsers(dest="kiosk_cmd")
    ps = ksub.add_parser("print-sample", help="render a sample ticket to a PNG (no hub, no printer needed)")
    ps.add_argument("--out", type=Path, default=Path("ticket.png"))
    ps.add_argument("--width", type=int, default=576, choices=(576, 384), help="576 = 80 mm paper, 384 = 58 mm")
    ps.add_argument("--lang", default="vi", choices=("vi", "en"))
    ps.set_defaults(func=cmd_print_sample)


def cmd_print_sample(args: argparse.Namespace) -> int:
    from kiosk.ticket import render_sample

    img = render_sample(args.width, args.lang)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    img.save(args.out)
    print(f"{args.out}: {img.width}×{img.height} dots ({'80' if args.width == 576 else '58'} mm paper)")
    return 0


def _load(args: argparse.Namespace):
    from motcua_core.device_config import ConfigError

    if args.config is None:
        raise SystemExit("error: motcua kiosk needs --config FILE (or: motcua kiosk print-sample)")
    if args.first_boot and not args.config.exists() and not args.simulate:  # first boot: ask for the enrolment code (issue #14)
        from devicekit.ui.enrol import ensure_enrolled

        ensure_enrolled(args.config, size=args.size, fullscreen=args.fullscreen)
    from kiosk.runtime import load_config

    try:
        cfg = load_config(args.config)
    except (ConfigError, OSError) as exc:
        raise SystemExit(f"error: {exc}") from None
    if cfg.role not in ("kiosk", "lookup", "voting"):
        raise SystemExit(f"error: {args.config} is for a {cfg.role} device, not a kiosk, lookup or voting one")
    return cfg


def cmd_kiosk(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    cfg = _load(args)
    if args.simulate:
        return _simulate(cfg, args.per_minute)
    from devicekit.ui.window import configure_window  # the window settings every screen role shares

    configure_window(args.fullscreen, args.size)
    from kiosk.ui.app import build_app

    build_app(args.config).run()
    return 0


def _simulate(cfg, per_minute: float) -> int:
    from devicekit.session import DeviceSession
    from kiosk import simulate
    from kiosk.core import KioskCore

    if cfg.role != "kiosk":
        raise SystemExit("error: --simulate drives a ticket dispenser (role kiosk)")
    session = DeviceSession(cfg)
    core = KioskCore(session)  # callbacks wired before the session starts
    session.start()
    if not session.wait_connected(15):
        print(f"warning: broker {cfg.broker_host}:{cfg.broker_port} not reachable yet; still trying", file=sys.stderr)
    stop = stop_on(threading.Event())
    try:
        simulate.run(core, stop, per_minute=per_minute)
    finally:
        session.stop()
    return 0
