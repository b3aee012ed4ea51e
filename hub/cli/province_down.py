"""`motcua hub province publish …`, `province command` and `province published` (docs/province.md,
"Down"): what the province's administrator publishes once for every centre, and commands to a centre."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from hub.cli.common import data_arg, data_dir, err, open_db, runner


def add_parsers(psub: argparse._SubParsersAction) -> None:
    pub = psub.add_parser("publish", help="publish to every centre: the calendar, forms, a release; "
                                          "or what the province manages of one centre's site")
    what = pub.add_subparsers(dest="publish_what", required=True)
    for name, helptext in (("calendar", "days off and make-up days for the whole province (JSON: days_off, "
                                        "working_days, note)"),
                           ("forms", "the province's wording of the forms (JSON: version, form_texts)"),
                           ("release", "a built wheel or sdist: every centre fetches it for its devices")):
        p = what.add_parser(name, help=helptext)
        data_arg(p)
        p.add_argument("file", type=Path)
        p.set_defaults(func=cmd_publish, kind=name)
    sc = what.add_parser("site-config", help="a centre's site: its unit's identifiers, notice, ticket hours (JSON)")
    data_arg(sc)
    sc.add_argument("site")
    sc.add_argument("file", type=Path)
    sc.set_defaults(func=cmd_publish, kind="site_config")
    c = psub.add_parser("command", help="ask the centre holding SITE to: backup, resync (send everything up "
                                        "again) or resend (receive everything published again)")
    data_arg(c)
    c.add_argument("site")
    c.add_argument("command", choices=("backup", "resync", "resend"))
    c.set_defaults(func=cmd_command)
    rb = psub.add_parser("rebuild", help="rebuild a centre hub whose disk died from the province's copy, into an "
                                         "empty data directory (a one-time code from province add-centre)")
    data_arg(rb)
    rb.add_argument("--hub", required=True, help="the provincial hub's address, e.g. https://tinh.example:8080")
    rb.add_argument("--code", required=True)
    rb.add_argument("--mqtt-plain", action="store_true",
                    help="use the provincial broker's plain listener even when it has a TLS one (tests, a VPN)")
    rb.add_argument("--json", action="store_true")
    rb.set_defaults(func=cmd_rebuild)
    ls = psub.add_parser("published", help="what the province has published (the latest first)")
    data_arg(ls)
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_published)


def _run(args: argparse.Namespace, op) -> int:  # noqa: ANN001
    from hub.ops.run import cli_message
    from motcua_core.errors import DomainError

    db = open_db(args)
    try:
        out = runner(db).run(None, op)
    except DomainError as exc:
        return err(cli_message(exc)[5:])
    print(json.dumps(out, ensure_ascii=False))
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from hub.ops import sync_down as ops

    if not args.file.is_file():
        return err(f"không có tệp {args.file}")
    if args.kind == "release":
        return _run(args, lambda ctx: ops.publish_release(ctx, data_dir(args), args.file))
    try:
        body = json.loads(args.file.read_text(encoding="utf-8"))
    except ValueError as exc:
        return err(f"{args.file}: không đọc được JSON ({exc})")
    if args.kind == "calendar":
        return _run(args, lambda ctx: ops.publish_calendar(ctx, body))
    if args.kind == "forms":
        return _run(args, lambda ctx: ops.publish_forms(ctx, body))
    return _run(args, lambda ctx: ops.publish_site_config(ctx, args.site, body))


def cmd_command(args: argparse.Namespace) -> int:
    from hub.ops import sync_down as ops

    return _run(args, lambda ctx: ops.send_command(ctx, args.site, args.command))


def cmd_published(args: argparse.Namespace) -> int:
    from hub.ops import sync_down as ops
    from hub.ops.run import Runner

    out = Runner(open_db(args)).view(None, ops.published)
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    for d in out["docs"]:
        print(f"{d['seq']:>6}  {d['kind']:<12} {d['key']:<20} {d['centre'] or 'mọi trung tâm':<20} "
              f"đã nhận {d['applied']}/{d['centres']}  {d['by']}")
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    from hub.ops.run import cli_message
    from hub.sync.join import JoinError
    from hub.sync.rebuild import rebuild_centre
    from motcua_core.errors import DomainError

    data_dir(args).mkdir(mode=0o700, parents=True, exist_ok=True)
    db = open_db(args, create=True)  # an empty data directory: the rebuild creates its database
    try:
        out = rebuild_centre(db, data_dir(args), args.hub, args.code, plain=args.mqtt_plain, runner=runner(db))
    except JoinError as exc:
        return err(str(exc))
    except DomainError as exc:
        return err(cli_message(exc)[5:])
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    print(f"đã dựng lại {', '.join(out['sites'])} từ bản sao của {out['province'] or 'tỉnh'}, kỳ {out['epoch']}: "
          f"{out.get('tickets', 0)} vé, {out.get('dossiers', 0)} hồ sơ, {out.get('files', 0)} tệp hồ sơ, "
          f"{out.get('devices', 0)} thiết bị.")
    for site, n in out["unsent"].items():
        if n:
            print(f"CẢNH BÁO: {site}: {n} bản ghi trung tâm đã ghi nhưng chưa kịp gửi lên tỉnh trước khi hỏng: "
                  "không dựng lại được; kiểm tra số vé và mã hồ sơ cấp cuối cùng trước sự cố.")
    print("Cán bộ đặt lại mã PIN (không sao chép); tài khoản bảng điều khiển tạo lại (motcua hub account add). "
          "Khởi động hub (motcua hub serve) để đồng bộ tiếp.")
    return 0
