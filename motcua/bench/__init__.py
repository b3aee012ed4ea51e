"""`motcua bench …`: benchmarks that start their own hub and broker and print JSON."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    bench = sub.add_parser("bench", help="benchmarks (each starts its own hub and broker)")
    bsub = bench.add_subparsers(dest="bench_cmd", required=True)
    cp = bsub.add_parser("call-path", help="counter Next → hub → display state, against the broker floor")
    cp.add_argument("--calls", type=int, default=500)
    cp.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    cp.set_defaults(func=lambda a: _run("call_path", a))
    tk = bsub.add_parser("tickets", help="concurrent ticket issuing through MQTT")
    tk.add_argument("--kiosks", type=int, default=20)
    tk.add_argument("--tickets", type=int, default=5000)
    tk.add_argument("--json", action="store_true")
    tk.set_defaults(func=lambda a: _run("tickets", a))


def _run(name: str, args: argparse.Namespace) -> int:
    import importlib

    return importlib.import_module(f"motcua.bench.{name}").main(args)
