"""`motcua hub db …`: the database itself.

`migrate` moves an office's SQLite database into PostgreSQL (hub.store.transfer), so an office that grows
into the provincial hub keeps its history; stop the hub first: a copy of a database that is still
changing would miss what came after. `standby`, `promote` and `replication` set up a streaming standby of
a provincial hub's PostgreSQL, turn it into the primary when the primary is lost, and show who streams
to whom (hub.store.pg_standby; docs/operations.md)."""

from __future__ import annotations

import argparse
import json

from hub.cli.common import err


def add_parsers(hsub: argparse._SubParsersAction) -> None:
    db = hsub.add_parser("db", help="the database itself (engines)")
    dsub = db.add_subparsers(dest="db_cmd", required=True)
    m = dsub.add_parser("migrate", help="copy a SQLite hub into an empty PostgreSQL database, checked table by table")
    m.add_argument("--from", dest="source", required=True, help="sqlite:///path/to/motcua.db (or a path)")
    m.add_argument("--to", dest="target", required=True, help="postgresql://user@host/dbname (empty)")
    m.add_argument("--json", action="store_true", help="print the per-table report as JSON")
    m.set_defaults(func=cmd_migrate)
    st = dsub.add_parser("standby", help="make this machine a streaming standby of the primary PostgreSQL "
                                         "(pg_basebackup -R), start it, and optionally make commits wait for it")
    st.add_argument("--primary", required=True,
                    help="postgresql://user@primary:5432/postgres (a user with REPLICATION; a superuser for "
                         "--synchronous)")
    st.add_argument("--pgdata", required=True, help="the standby's data directory (new or empty)")
    st.add_argument("--name", default="standby1", help="the standby's name on the primary (default standby1)")
    st.add_argument("--port", type=int, default=5432, help="the standby's port (default 5432)")
    st.add_argument("--listen", default="*", help="listen_addresses of the standby (default *)")
    st.add_argument("--socket-dir", help="unix_socket_directories of the standby (default: the server's)")
    st.add_argument("--synchronous", action="store_true",
                    help="the primary waits for this standby at every commit: nothing acknowledged is lost "
                         "if the primary dies")
    st.add_argument("--no-start", action="store_true", help="copy and configure only")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=cmd_standby)
    sy = dsub.add_parser("synchronous", help="make the primary wait for a streaming standby at every commit "
                                             "(when the standby was started by other means, e.g. pg_ctlcluster)")
    sy.add_argument("--primary", required=True, help="postgresql://… of the primary, as a superuser")
    sy.add_argument("--name", default="standby1", help="the standby's name (its cluster_name)")
    sy.set_defaults(func=cmd_synchronous)
    pr = dsub.add_parser("promote", help="make a standby the primary (after the primary is lost)")
    where = pr.add_mutually_exclusive_group(required=True)
    where.add_argument("--pgdata", help="the standby's data directory, on this machine (pg_ctl promote)")
    where.add_argument("--db", help="postgresql://… of the standby (SELECT pg_promote())")
    pr.set_defaults(func=cmd_promote)
    rp = dsub.add_parser("replication", help="a server's role, and the standbys a primary streams to")
    rp.add_argument("--db", required=True, help="postgresql://… of the server")
    rp.add_argument("--json", action="store_true")
    rp.set_defaults(func=cmd_replication)


def cmd_migrate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from hub.store import transfer
    from hub.store.db import is_url, open_db

    source = args.source[len("sqlite://"):] if args.source.startswith("sqlite:///") else args.source
    if is_url(source) or not Path(source).is_file():
        return err(f"--from phải là tệp SQLite của hub / must be the hub's SQLite file: {args.source}")
    if not is_url(args.target):
        return err("--to phải là địa chỉ postgresql://… / must be a postgresql:// URL")
    src = open_db(Path(source))
    dst = open_db(args.target)
    try:
        report = transfer.copy(src, dst, progress=lambda m: print(f"  {m}", flush=True) if not args.json else None)
    except ValueError as exc:
        return err(str(exc))
    finally:
        src.close()
        dst.close()
    bad = [r["table"] for r in report if not r["ok"]]
    if args.json:
        print(json.dumps({"tables": report, "ok": not bad}, ensure_ascii=False))
    else:
        for r in report:
            print(f"{'OK ' if r['ok'] else 'SAI'} {r['table']:<24} {r['rows']:>9} {r['checksum']}")
    if bad:
        return err(f"bảng không khớp / tables that differ: {', '.join(bad)}")
    return 0


def cmd_standby(args: argparse.Namespace) -> int:
    from pathlib import Path

    import psycopg

    from hub.store import pg_standby
    from hub.store.db import is_url

    if not is_url(args.primary):
        return err("--primary phải là địa chỉ postgresql://… / must be a postgresql:// URL")
    try:
        out = pg_standby.create(args.primary, Path(args.pgdata).resolve(), name=args.name, port=args.port,
                                listen=args.listen, socket_dir=Path(args.socket_dir) if args.socket_dir else None,
                                synchronous=args.synchronous, start=not args.no_start)
    except (pg_standby.StandbyError, OSError, psycopg.Error) as exc:
        return err(f"không tạo được máy dự phòng / standby not made: {exc}")
    if args.json:
        print(json.dumps(out))
    else:
        print(f"standby {out['name']} in {out['pgdata']} (port {out['port']}): "
              + ("streaming" if out["started"] else "copied, not started")
              + ("; the primary waits for it at every commit" if out["synchronous"] else ""))
    return 0


def cmd_synchronous(args: argparse.Namespace) -> int:
    import psycopg

    from hub.store import pg_standby

    try:
        pg_standby.make_synchronous(args.primary, args.name)
    except (pg_standby.StandbyError, psycopg.Error) as exc:
        return err(f"không đặt được chế độ đồng bộ / not synchronous: {exc}")
    print(f"the primary now waits for {args.name} at every commit")
    return 0


def cmd_promote(args: argparse.Namespace) -> int:
    from pathlib import Path

    import psycopg

    from hub.store import pg_standby

    try:
        role = pg_standby.promote(pgdata=Path(args.pgdata) if args.pgdata else None, url=args.db)
    except (pg_standby.StandbyError, OSError, psycopg.Error) as exc:
        return err(f"không nâng được máy dự phòng / not promoted: {exc}")
    print(f"promoted: the server is now the {role}")
    return 0


def cmd_replication(args: argparse.Namespace) -> int:
    import psycopg

    from hub.store import pg_standby

    try:
        role = pg_standby.role(args.db)
        standbys = pg_standby.replication(args.db) if role == "primary" else []
    except psycopg.Error as exc:
        return err(f"không kết nối được / cannot connect: {exc}")
    if args.json:
        print(json.dumps({"role": role, "standbys": standbys}))
        return 0
    print(f"role: {role}")
    for s in standbys:
        print(f"  {s['name']:<16} {s['state']:<10} {s['sync_state']:<6} replay lag {s['replay_lag_bytes']} bytes")
    return 0
