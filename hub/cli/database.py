"""`motcua hub db migrate`: move an office's SQLite database into PostgreSQL (hub.store.transfer), so an
office that grows into the provincial hub keeps its history. Stop the hub first: a copy of a database
that is still changing would miss what came after."""

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
