"""`motcua hub portal status|sync`: the outbound queue to the provincial system / national portal — what
is waiting, sent, refused and why (status), and a sync now (sync), without waiting for the hub's timer."""

from __future__ import annotations

import argparse
import json

from hub.cli.common import Progress, data_arg, data_dir, err, local_time, open_db, runner
from motcua_core import clock as wallclock


def add_parsers(hsub: argparse._SubParsersAction) -> None:
    p = hsub.add_parser("portal", help="sync with the provincial system / national portal (docs/portal.md)")
    psub = p.add_subparsers(dest="portal_cmd", required=True)
    st = psub.add_parser("status", help="the outbound queue: waiting, sent, refused, oldest waiting, last error")
    data_arg(st)
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=cmd_status)
    sy = psub.add_parser("sync", help="queue new dossier events and send what is due now")
    data_arg(sy)
    sy.set_defaults(func=cmd_sync)


def cmd_status(args: argparse.Namespace) -> int:
    from hub.ops import portal
    from hub.store import portal as store

    db = open_db(args)
    try:
        cfg = portal.load_config(data_dir(args))
    except (ValueError, OSError) as exc:
        return err(str(exc))
    b = store.backlog(db)
    if args.json:
        print(json.dumps({"configured": cfg is not None, "url": cfg.url if cfg else None, **b}, ensure_ascii=False))
        return 0
    print(f"Đích: {cfg.url if cfg else 'chưa cấu hình (tạo portal.json, xem docs/portal.md)'}")
    oldest = "—" if b["oldest_pending_at"] is None else \
        f"{local_time(db, None, b['oldest_pending_at'], '%H:%M %d/%m/%Y')} ({(wallclock.time() - b['oldest_pending_at']) / 60:.0f} phút)"
    print(f"Đang chờ gửi: {b['pending']}   Đã gửi: {b['sent']}   Bị từ chối: {b['rejected']}   "
          f"Chờ lâu nhất từ: {oldest}   Số lần thử nhiều nhất: {b['max_attempts']}")
    if b["last_error"]:
        print(f"Lỗi gần nhất: {b['last_error']}")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from hub.ops import portal
    from hub.store import portal as store
    from hub.store.sites import list_sites

    db = open_db(args)
    try:
        cfg = portal.load_config(data_dir(args))
    except (ValueError, OSError) as exc:
        return err(str(exc))
    if cfg is None:
        return err("chưa cấu hình đồng bộ: tạo portal.json trong thư mục dữ liệu (docs/portal.md)")
    queued = sum(runner(db).run(sid, lambda ctx: portal.collect(ctx, cfg)) for sid in list_sites(db))
    total = store.backlog(db)["pending"]
    bar = Progress(total, "Đồng bộ Cổng DVC")
    done = {"sent": 0, "rejected": 0, "failed": 0}
    while True:
        out = portal.deliver(db, cfg, wallclock.time(), limit=portal.BATCH)
        for k, v in out.items():
            done[k] += v
        bar.update(done["sent"] + done["rejected"] + done["failed"])
        if out["failed"] or not (out["sent"] or out["rejected"]):
            break
    bar.close()
    print(f"Đã xếp hàng {queued} bản ghi mới; đã gửi {done['sent']}, bị từ chối {done['rejected']}, "
          f"lỗi {done['failed']} (sẽ gửi lại); còn chờ {store.backlog(db)['pending']}.")
    return 1 if done["failed"] else 0
