"""`motcua hub fleet …` and the fleet's `motcua hub device …` commands (issue #14): enrolment codes,
replacing a device, asking for a self-test, pushing a hardware map, releases and rollouts."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from hub.cli.common import data_arg, data_dir, local_time, open_db, runner
from motcua_core import clock as wallclock
from motcua_core.errors import DomainError

if TYPE_CHECKING:
    import sqlite_utils


def add_parsers(hsub: argparse._SubParsersAction) -> None:
    fl = hsub.add_parser("fleet", help="every device: presence, health, alerts, self-tests, updates")
    data_arg(fl)
    fl.add_argument("--site", help="one site only")
    fl.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    fl.set_defaults(func=cmd_fleet)
    fsub = fl.add_subparsers(dest="fleet_cmd")
    up = fsub.add_parser("update", help="ask devices to install the release the hub serves (start with one)")
    data_arg(up)
    who = up.add_mutually_exclusive_group(required=True)
    who.add_argument("--device", action="append", help="device id (repeatable)")
    who.add_argument("--all", action="store_true", help="every device whose version is behind")
    up.add_argument("--site", help="with --all: one site only")
    up.set_defaults(func=cmd_fleet_update)
    rel = fsub.add_parser("release", help="serve a built wheel or sdist to the devices")
    data_arg(rel)
    rel.add_argument("file", type=Path)
    rel.set_defaults(func=cmd_fleet_release)


def add_device_parsers(dsub: argparse._SubParsersAction) -> None:
    rep = dsub.add_parser("replace", help="new hardware for a device: new enrolment code, old secret refused")
    data_arg(rep)
    rep.add_argument("device_id")
    rep.add_argument("--valid-hours", type=float, default=24.0)
    rep.set_defaults(func=cmd_device_replace)
    st = dsub.add_parser("selftest", help="ask a device to run its hardware self-test (result in `hub fleet`)")
    data_arg(st)
    st.add_argument("device_id")
    st.set_defaults(func=cmd_device_selftest)
    hw = dsub.add_parser("hardware", help="push a device's hardware map (JSON file), checked against the drivers")
    data_arg(hw)
    hw.add_argument("device_id")
    hw.add_argument("file", type=Path)
    hw.set_defaults(func=cmd_device_hardware)


def _fail(exc: DomainError) -> int:
    print(f"lỗi: {exc.message_vi or exc.message} ({exc.message})", file=sys.stderr)
    return 2


def _print_code(device_id: str, code: str, valid_hours: float) -> None:
    from motcua_core.enrol_code import pretty

    print(f"{device_id}: enrolment code {pretty(code)} (valid {valid_hours:g} h, single use)")
    print(f"  on the device: motcua provision enrol --hub http://<hub>:8080 --code {pretty(code)}")


def add_for_enrolment(db: sqlite_utils.Database, args: argparse.Namespace) -> int:
    from hub.ops import enrolment

    try:
        dev, code = runner(db).run(None, lambda ctx: enrolment.add_pending(
            ctx, site_id=args.site, role=args.role, counter=args.counter, device_id=args.device_id, name=args.name,
            valid_s=args.valid_hours * 3600))
    except DomainError as exc:
        return _fail(exc)
    _print_code(dev.id, code, args.valid_hours)
    return 0


def cmd_device_replace(args: argparse.Namespace) -> int:
    from hub.ops import enrolment

    db = open_db(args)
    try:
        code = runner(db).run(None, lambda ctx: enrolment.replace(ctx, args.device_id, args.valid_hours * 3600))
    except DomainError as exc:
        return _fail(exc)
    print(f"{args.device_id}: the old board's secret is refused from now on (a running hub drops it within a second)")
    _print_code(args.device_id, code, args.valid_hours)
    return 0


def cmd_device_selftest(args: argparse.Namespace) -> int:
    from hub.ops import fleet

    db = open_db(args)
    try:
        runner(db).run(None, lambda ctx: fleet.request_selftest(ctx, args.device_id))
    except DomainError as exc:
        return _fail(exc)
    print(f"{args.device_id}: self-test requested; the result shows in `motcua hub fleet`")
    return 0


def cmd_device_hardware(args: argparse.Namespace) -> int:
    from hub.ops import fleet

    try:
        hardware = json.loads(args.file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"lỗi: {args.file}: {exc}", file=sys.stderr)
        return 2
    db = open_db(args)
    try:
        runner(db).run(None, lambda ctx: fleet.set_hardware(ctx, args.device_id, hardware))
    except DomainError as exc:
        return _fail(exc)
    print(f"{args.device_id}: hardware map stored and pushed (retained config)")
    return 0


def cmd_fleet(args: argparse.Namespace) -> int:
    if getattr(args, "fleet_cmd", None):
        return 2
    from hub.ops import fleet

    db = open_db(args)
    view = fleet.fleet_view(db, data_dir(args), wallclock.time(), args.site)
    if args.json:
        print(json.dumps(view, ensure_ascii=False, indent=2))
        return 0
    print(f"{'device':28} {'role':8} {'ctr':>3} {'state':8} {'since':16} {'version':9} {'printer':10} "
          f"{'disk%':>5} {'temp':>5} {'self-test':14} alerts")
    for d in view["devices"]:
        since = local_time(db, d.get("site") or args.site, d["status_since"], "%m-%d %H:%M") if d["status_since"] else "-"
        st = d["selftest"]["summary"] if d.get("selftest") else "-"
        print(f"{d['id']:28} {d['role']:8} {d['counter'] or '':>3} {d['state']:8} {since:16} "
              f"{d['version'] or '-':9} {d['printer'] or '-':10} {_num(d['disk_used_pct']):>5} "
              f"{_num(d['temp_c']):>5} {st:14} {', '.join(d['alerts'])}")
    counts = ", ".join(f"{k} {v}" for k, v in view["alert_counts"].items() if v) or "none"
    print(f"{view['online']}/{len(view['devices'])} online; release {view['release'] or '-'}; alerts: {counts}")
    return 0


def _num(v: float | None) -> str:
    return "-" if v is None else f"{v:.0f}"


def cmd_fleet_update(args: argparse.Namespace) -> int:
    from hub.ops import fleet

    db = open_db(args)
    try:
        sent = runner(db).run(None, lambda ctx: fleet.rollout(ctx, data_dir(args), args.device, args.site))
    except DomainError as exc:
        return _fail(exc)
    print(f"update to {sent['version']} requested on {len(sent['devices'])} device(s): {', '.join(sent['devices'])}")
    return 0


def cmd_fleet_release(args: argparse.Namespace) -> int:
    from hub.ops import releases

    try:
        rel = releases.add(data_dir(args), args.file)
    except (OSError, ValueError) as exc:
        print(f"lỗi: {exc}", file=sys.stderr)
        return 2
    print(f"serving {rel.package} {rel.version} ({rel.path.name}, sha256 {rel.sha256[:12]}…)")
    return 0
