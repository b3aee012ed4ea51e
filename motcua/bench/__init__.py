"""`motcua bench …`: benchmarks that start their own hub and broker and print JSON."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    bench = sub.add_parser("bench", help="benchmarks (each starts its own hub and broker)")
    bsub = bench.add_subparsers(dest="bench_cmd", required=True)
    cp = bsub.add_parser("call-path", help="counter Next → hub → display state, against the broker floor")
    cp.add_argument("--calls", type=int, default=None, help="timed calls (default 500; with --sync 2900 per side)")
    cp.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    cp.add_argument("--synchronous", choices=["FULL", "NORMAL"], default="FULL", help="the hub's SQLite setting")
    cp.add_argument("--history-tickets", type=int, default=0,
                    help="first seed this many done tickets over the past year (and run a baseline without)")
    cp.add_argument("--no-baseline", action="store_true", help="with --history-tickets: skip the run without")
    cp.add_argument("--db", default="sqlite",
                    help="sqlite (default), postgresql (a throwaway cluster of its own; SQLite measured in the "
                         "same run as sqlite_p99_ms) or a postgresql:// server URL")
    cp.add_argument("--sync", action="store_true",
                    help="a hub joined to a provincial hub (sync link on) against one on its own, calls in "
                         "alternating blocks in the same run")
    cp.add_argument("--block", type=int, default=50, help="with --sync: calls per block")
    cp.add_argument("--province-nice", type=int, default=10,
                    help="with --sync: the provincial hub's CPU priority (another machine in the field; 0: level)")
    cp.set_defaults(func=lambda a: _run("call_path", a))
    tk = bsub.add_parser("tickets", help="concurrent ticket issuing through MQTT")
    tk.add_argument("--kiosks", type=int, default=20)
    tk.add_argument("--tickets", type=int, default=5000)
    tk.add_argument("--processes", type=int, default=4,
                    help="worker processes the kiosks are spread over (each kiosk is its own machine in an office)")
    tk.add_argument("--json", action="store_true")
    tk.add_argument("--synchronous", choices=["FULL", "NORMAL"], default="FULL", help="the hub's SQLite setting")
    tk.add_argument("--db", default="sqlite",
                    help="sqlite (default), postgresql (a throwaway cluster of its own) or a postgresql:// server URL")
    tk.set_defaults(func=lambda a: _run("tickets", a))
    se = bsub.add_parser("search", help="per-keystroke procedure search on a kiosk's local replica (issue #3)")
    se.add_argument("--procedures", type=int, default=6000)
    se.add_argument("--rounds", type=int, default=5, help="times each query is typed")
    se.add_argument("--json", action="store_true")
    se.set_defaults(func=lambda a: _run("search", a))
    pr = bsub.add_parser("print", help="ticket render time and a started kiosk's memory (issue #3)")
    pr.add_argument("--renders", type=int, default=50)
    pr.add_argument("--no-rss", action="store_true", help="skip starting a kiosk process (no hub, no X)")
    pr.add_argument("--json", action="store_true")
    pr.set_defaults(func=lambda a: _run("print", a))
    from motcua.bench import reports  # issue #5: weekly report and dossier lookup over a year of dossiers

    reports.add_parser(bsub)
    from motcua.bench import appointments  # issue #12: concurrent bookings, free-slot queries

    appointments.add_parser(bsub)
    from motcua.bench import fleet  # issues #14, #15: a fleet online; the registry after a broker restart

    fleet.add_parser(bsub)
    from motcua.bench import http  # issue #15: state and procedure search

    http.add_parser(bsub)
    from motcua.bench import footprint  # issue #14: idle CPU and memory of each device app

    footprint.add_parser(bsub)
    from motcua.bench import province  # issue #23: centres syncing to a provincial hub

    province.add_parser(bsub)
    from motcua.bench import console  # issue #11: the leaders' dashboard and its live stream

    console.add_parser(bsub)
    from motcua.bench import scan  # issue #25: the counter's scan pipeline, per A4 page

    scan.add_parser(bsub)
    from motcua.bench import estimate  # issue #26: the wait shown at issue vs the wait that followed

    estimate.add_parser(bsub)
    from motcua.bench import fuzz  # issue #22: a kiosk's answers while a device sends junk, on either engine

    fuzz.add_parser(bsub)
    dp = bsub.add_parser("display", help="keypad Next → LED frame written, and → first announcement sample queued")
    dp.add_argument("--calls", type=int, default=300)
    dp.add_argument("--width", type=int, default=64)
    dp.add_argument("--height", type=int, default=16)
    dp.add_argument("--dialect", choices=["north", "south"], default="north")
    dp.add_argument("--amp-warmup", type=float, default=0.5, help="amplifier warm-up (s), excluded from audio_*")
    dp.add_argument("--json", action="store_true")
    dp.set_defaults(func=lambda a: _run("display", a))


def _run(name: str, args: argparse.Namespace) -> int:
    import importlib

    return importlib.import_module(f"motcua.bench.{name}").main(args)
