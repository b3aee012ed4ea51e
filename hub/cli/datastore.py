"""`motcua hub datastore …`: where electronic results go for the citizen's data store on the national
portal (Decree 118/2025 Art. 22), and what has reached it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from hub.cli.common import data_arg, err, local_time, open_db


def add_parsers(hsub: argparse._SubParsersAction) -> None:
    p = hsub.add_parser("datastore", help="electronic results pushed to the citizen's data store (national portal)")
    sub = p.add_subparsers(dest="datastore_cmd", required=True)
    cf = sub.add_parser("config", help="set the data store's address and the credentials the portal issued")
    data_arg(cf)
    cf.add_argument("--url", required=True, help="the data store's API address, https://…")
    cf.add_argument("--client-id", required=True)
    cf.add_argument("--secret-file", type=Path, required=True,
                    help="a file holding the secret (not typed on the command line, which is logged); "
                         "stored sealed, never in clear")
    cf.add_argument("--retry-base-s", type=float, default=30.0,
                    help="first wait after a failed push, doubling each time, at most an hour (default 30)")
    cf.set_defaults(func=cmd_config)
    st = sub.add_parser("status", help="each electronic result: pushed, waiting, failed (with the reason)")
    data_arg(st)
    st.add_argument("--site", default=None)
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=cmd_status)
    rq = sub.add_parser("retry", help="send a result the portal refused again (once the cause is fixed)")
    data_arg(rq)
    rq.add_argument("doc_code")
    rq.set_defaults(func=cmd_retry)


def cmd_config(args: argparse.Namespace) -> int:
    from hub.ops import datastore
    from hub.store.db import transaction

    db = open_db(args)
    try:
        secret = args.secret_file.read_text(encoding="utf-8").strip()
        with transaction(db):
            datastore.configure(db, args.url, args.client_id, secret, retry_base_s=args.retry_base_s)
    except (OSError, ValueError, RuntimeError) as exc:
        return err(str(exc))
    print(f"Kho dữ liệu: {args.url} (mã ứng dụng {args.client_id}; khóa bí mật đã niêm phong). "
          "Máy chủ đang chạy dùng cấu hình mới trong vài giây.")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from hub.ops import datastore

    db = open_db(args)
    rows = datastore.overview(db, args.site)
    ep = datastore.described(db)
    if args.json:
        print(json.dumps({"endpoint": ep, "results": rows}, ensure_ascii=False))
        return 0
    print(f"Kho dữ liệu: {ep['url'] + ' (' + ep['client_id'] + ')' if ep else 'chưa cấu hình (motcua hub datastore config)'}")
    if not rows:
        print("Chưa có kết quả điện tử nào.")
    for r in rows:
        when = f" lúc {local_time(db, r['site_id'], r['sent_at'], '%H:%M %d/%m/%Y')}" if r["sent_at"] else ""
        print(f"{r['doc_code']:<32} {r['code']:<26} {r['state_vi']}{when}")
    return 0


def cmd_retry(args: argparse.Namespace) -> int:
    from hub.store import datastore as store
    from hub.store.db import transaction
    from motcua_core import clock as wallclock

    db = open_db(args)
    with transaction(db):
        ok = store.requeue(db, args.doc_code, wallclock.time())
    if not ok:
        return err(f"không có kết quả chưa gửi mang mã {args.doc_code}")
    print(f"Sẽ gửi lại {args.doc_code} trong vài giây.")
    return 0
