"""`motcua hub security alerts|release`: what the hub noticed under many addresses (a dossier code locked
for public look-up, a burst of online bookings; hub.ops.security), and an administrator's release."""

from __future__ import annotations

import argparse
import json

from hub.cli.common import data_arg, err, open_db, runner
from motcua_core import clock as wallclock
from motcua_core.errors import DomainError


def add_parsers(hsub: argparse._SubParsersAction) -> None:
    sec = hsub.add_parser("security", help="alerts from public look-ups and online bookings, and their release")
    ssub = sec.add_subparsers(dest="security_cmd", required=True)
    ls = ssub.add_parser("alerts", help="the alerts in force (JSON lines)")
    data_arg(ls)
    ls.add_argument("--site", help="one site (default: every site)")
    ls.set_defaults(func=cmd_alerts)
    rel = ssub.add_parser("release", help="end an alert: unlock a dossier code, or cancel a burst's bookings")
    data_arg(rel)
    rel.add_argument("alert_id", type=int)
    rel.add_argument("--keep-bookings", action="store_true",
                     help="a burst that was genuine: end the alert but keep its bookings")
    rel.set_defaults(func=cmd_release)


def cmd_alerts(args: argparse.Namespace) -> int:
    from hub.ops import security

    for a in security.alerts(open_db(args), args.site, wallclock.time()):
        print(json.dumps(a, ensure_ascii=False))
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from hub.ops import security
    from hub.store import security as store

    db = open_db(args)
    alert = store.get(db, args.alert_id)
    if alert is None:
        return err("Không có cảnh báo này.")
    try:
        out = runner(db).run(alert.site_id, lambda ctx: security.release(ctx, args.alert_id,
                                                                          not args.keep_bookings))
    except DomainError as exc:
        return err(exc.message_vi or exc.message)
    print(json.dumps(out, ensure_ascii=False))
    return 0
