"""`motcua hub appointments set|summary`: the booking policy, seats per slot, and a day's figures (issue #12)."""

from __future__ import annotations

import argparse
import json

from hub.cli.common import data_arg, err, open_db, runner
from motcua_core.errors import DomainError


def _pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key.strip(), value.strip()


def add_parsers(hsub: argparse._SubParsersAction) -> None:
    ap = hsub.add_parser("appointments", help="appointments: booking policy, seats per slot, figures")
    asub = ap.add_subparsers(dest="appointments_cmd", required=True)
    st = asub.add_parser("set", help="change the booking policy and/or seats per slot of services")
    data_arg(st)
    st.add_argument("--site", default="demo")
    st.add_argument("--policy", type=_pair, action="append", default=[], metavar="KEY=VALUE",
                    help="slot_min, walkin_share, grace_min, mode (strict|interleave), every, per_person_day, "
                         "horizon_days, early_min")
    st.add_argument("--seats", type=_pair, action="append", default=[], metavar="SERVICE=N",
                    help="seats per slot set by hand (N=auto: derive from the counters again)")
    st.set_defaults(func=cmd_set)
    sm = asub.add_parser("summary", help="a day's bookings against capacity, punctuality, no-shows (JSON)")
    data_arg(sm)
    sm.add_argument("--site", default="demo")
    sm.add_argument("--day", help="YYYY-MM-DD (default: today)")
    sm.set_defaults(func=cmd_summary)


def _value(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return text  # a bare word: mode=interleave


def cmd_set(args: argparse.Namespace) -> int:
    from hub.ops import appointments

    policy = {k: _value(v) for k, v in args.policy}
    seats = {k: None if v == "auto" else _value(v) for k, v in args.seats}
    try:
        out = runner(open_db(args)).run(args.site, lambda ctx: appointments.configure(ctx, policy, seats))
    except DomainError as exc:
        return err(exc.message_vi or exc.message)
    print(json.dumps(out, ensure_ascii=False))
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from hub.ops import appointments

    try:
        out = runner(open_db(args)).view(args.site, lambda ctx: appointments.summary(ctx, args.day or ctx.day))
    except DomainError as exc:
        return err(exc.message_vi or exc.message)
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0
