"""`motcua hub province …` and `motcua hub sync status` (docs/province.md): make a hub provincial,
invite a centre, join a province from a centre hub, and see each sync link."""

from __future__ import annotations

import argparse
import json

from hub.cli.common import data_arg, data_dir, err, open_db, print_rows, runner
from motcua_core import clock as wallclock


def add_parsers(hsub: argparse._SubParsersAction) -> None:
    p = hsub.add_parser("province", help="a province: the provincial hub and its centre hubs")
    psub = p.add_subparsers(dest="province_cmd", required=True)
    i = psub.add_parser("init", help="make this hub the provincial hub (on the province's machine)")
    data_arg(i)
    i.add_argument("--name", required=True, help="the province's name, e.g. 'Tỉnh Mẫu'")
    i.set_defaults(func=cmd_init)
    a = psub.add_parser("add-centre", help="invite a centre hub: prints a one-time join code (24 h)")
    data_arg(a)
    a.add_argument("centre", help="the centre's id (a-z, 0-9, '-'), e.g. xa-hoa-an")
    a.add_argument("--name", required=True)
    a.add_argument("--agency-code", action="append", default=[], metavar="CODE",
                   help="a dossier-code prefix the centre will use (agency_code, unit_id, an agency's official "
                        "id); refused at once when another centre has it (repeatable; its join checks them all)")
    a.set_defaults(func=cmd_add_centre)
    j = psub.add_parser("join", help="join this centre hub to its province with the code it gave")
    data_arg(j)
    j.add_argument("--hub", required=True, help="the provincial hub's address, e.g. https://tinh.example:8080")
    j.add_argument("--code", required=True)
    j.add_argument("--mqtt-plain", action="store_true",
                   help="use the provincial broker's plain listener even when it has a TLS one (tests, a VPN)")
    j.set_defaults(func=cmd_join)
    from hub.cli import province_down

    province_down.add_parsers(psub)
    s = hsub.add_parser("sync", help="the province's sync links")
    ssub = s.add_subparsers(dest="sync_cmd", required=True)
    st = ssub.add_parser("status", help="per link: epoch, sent/acknowledged sequence, lag, last contact")
    data_arg(st)
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=cmd_status)


def cmd_init(args: argparse.Namespace) -> int:
    from hub.ops import sync as ops
    from hub.ops.run import cli_message
    from motcua_core.errors import DomainError

    db = open_db(args)
    try:
        runner(db).run(None, lambda ctx: ops.init_province(ctx, args.name), action="province.init")
    except DomainError as exc:
        return err(cli_message(exc)[5:])
    print(f"đã bật chế độ cấp tỉnh: {args.name}. Khởi động lại hub (motcua hub serve) để chạy bộ nhận đồng bộ.")
    return 0


def cmd_add_centre(args: argparse.Namespace) -> int:
    from hub.ops import sync as ops
    from hub.ops.run import cli_message
    from motcua_core.errors import DomainError

    db = open_db(args)
    try:
        code = runner(db).run(None, lambda ctx: ops.add_centre(ctx, args.centre, args.name,
                                                               agency_codes=[c.strip().upper() for c in args.agency_code]))
    except DomainError as exc:
        return err(cli_message(exc)[5:])
    print(f"mã tham gia của {args.centre} (dùng một lần, 24 giờ): {code}")
    print(f"trên máy của trung tâm: motcua hub province join --hub <địa chỉ hub tỉnh> --code {code}")
    return 0


def cmd_join(args: argparse.Namespace) -> int:
    from hub.ops.run import cli_message
    from hub.sync.join import JoinError, join_province
    from motcua_core.errors import DomainError

    db = open_db(args)
    try:
        link, n = join_province(db, data_dir(args), args.hub, args.code, plain=args.mqtt_plain, runner=runner(db))
    except JoinError as exc:
        return err(str(exc))
    except DomainError as exc:
        return err(cli_message(exc)[5:])
    print(f"đã tham gia {link['province'] or 'tỉnh'} với mã trung tâm {link['centre']} ({n} đơn vị), "
          f"kỳ {link['epoch']}. Khởi động lại hub để bắt đầu đồng bộ.")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from hub.store import sync as store
    from hub.store.db import get_meta
    from hub.sync.paths import link_state_path, read_link

    db = open_db(args)
    role = store.role(db)
    now = wallclock.time()
    if role == "centre":
        link = read_link(data_dir(args)) or {}
        state_path = link_state_path(data_dir(args))
        state = json.loads(state_path.read_text()) if state_path.exists() else {"state": "not started"}
        rows = [{"site": s["site_id"], "epoch": get_meta(db, "sync_epoch"), "seq": s["seq"], "acked": s["acked_seq"],
                 "lag": s["seq"] - s["acked_seq"], "last_contact": s["last_ack_at"], "refused": s["refused"],
                 "link": state["state"], "province": link.get("hub")} for s in store.link_sites(db)]
    elif role == "province":
        sites = store.province_sites(db)
        rows = [{"centre": s["centre_id"], "site": s["site_id"], "epoch": s["epoch"], "acked": s["hwm"],
                 "last_contact": s["last_contact"]} for s in sites]
        joined = {s["centre_id"] for s in sites}
        rows += [{"centre": c["id"], "site": None, "epoch": None, "acked": None, "last_contact": None}
                 for c in store.list_centres(db) if c["id"] not in joined]
    else:
        return err("máy chủ này không thuộc tỉnh nào (motcua hub province init | join)")
    if args.json:
        out = {"role": role, "links": rows}
        if role == "province":
            out["alerts"] = store.alerts(db)
        out["flagged_events"] = store.flags(db)
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    def ago(t):
        return "—" if t is None else f"{now - t:.0f} s trước"
    if role == "centre":
        print_rows([(r["site"], r["epoch"], f"gửi {r['seq']}", f"nhận {r['acked']}", f"chậm {r['lag']}",
                     r["link"], ago(r["last_contact"]) + (f" TỪ CHỐI: {r['refused']}" if r["refused"] else ""))
                    for r in rows], [20, 16, 12, 12, 10, 10])
    else:
        print_rows([(r["centre"], r["site"] or "chưa tham gia", r["epoch"] or "",
                     "" if r["acked"] is None else f"nhận {r['acked']}", ago(r["last_contact"])) for r in rows],
                   [20, 20, 16, 12])
        for a in store.alerts(db, 5):
            print(f"cảnh báo: {a['centre_id']} {a['kind']}: {a['message']}")
    for f in store.flags(db)[-5:]:
        print(f"sự kiện bị từ chối (cần người xem): hồ sơ {f['code']}: {f['reason']}")
    return 0
