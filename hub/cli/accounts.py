"""`motcua hub account add|list|reset|activate|deactivate`: console accounts (hub.web.signin).

The first administrator is made here. A password is read from $MOTCUA_PASSWORD or standard input (one
line), never from the command line, where `ps` would show it; without either, a temporary one is made,
printed once, and must be changed at the first sign-in. A reset password must always be changed."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys

from hub.cli.common import data_arg, err, open_db, print_rows, runner
from motcua_core.errors import DomainError


def add_parsers(hsub: argparse._SubParsersAction) -> None:
    from hub.store.accounts import CONSOLE_ROLES

    acc = hsub.add_parser("account", help="console accounts (administrator, leader, specialist, technician, post)")
    asub = acc.add_subparsers(dest="account_cmd", required=True)
    add = asub.add_parser("add", help="create an account")
    data_arg(add)
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=CONSOLE_ROLES)
    add.add_argument("--site", help="its site (none: the province scope, for admin, leader and technician only)")
    add.add_argument("--agency", help="for a specialist: the agency, as the catalogue names it")
    add.add_argument("--name", required=True, help="full name, shown in the console and the audit log")
    add.add_argument("--stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(func=cmd_account_add)
    ls = asub.add_parser("list", help="list accounts")
    data_arg(ls)
    ls.set_defaults(func=cmd_account_list)
    rs = asub.add_parser("reset", help="set a temporary password (to be changed at next sign-in)")
    data_arg(rs)
    rs.add_argument("username")
    rs.add_argument("--stdin", action="store_true", help="read the password from standard input")
    rs.set_defaults(func=cmd_account_reset)
    for name, active in (("activate", True), ("deactivate", False)):
        p = asub.add_parser(name, help=f"{name} an account")
        data_arg(p)
        p.add_argument("username")
        p.set_defaults(func=cmd_account_active, active=active)


def _password(args: argparse.Namespace) -> tuple[str, bool]:
    """(password, generated?)"""
    if os.environ.get("MOTCUA_PASSWORD"):
        return os.environ["MOTCUA_PASSWORD"], False
    if args.stdin:
        return sys.stdin.readline().rstrip("\n"), False
    return secrets.token_urlsafe(12), True


def cmd_account_add(args: argparse.Namespace) -> int:
    from hub.domain.passwords import hash_password, weakness
    from hub.ops import accounts

    password, generated = _password(args)
    why = weakness(password, args.username)
    if why is not None:
        return err(why[1])
    db = open_db(args)
    pw_hash = hash_password(password)
    try:
        out = runner(db).run(args.site, lambda ctx: accounts.create(
            ctx, username=args.username, role=args.role, site_id=args.site, agency=args.agency, name=args.name,
            pw_hash=pw_hash, must_change=generated))
    except DomainError as exc:
        return err(exc.message_vi or exc.message)
    if generated:
        print("# temporary password, shown once: it must be changed at the first sign-in", file=sys.stderr)
        out["password"] = password
    print(json.dumps(out, ensure_ascii=False))
    return 0


def cmd_account_list(args: argparse.Namespace) -> int:
    from hub.store import accounts

    print_rows(((a.username, a.role, a.site_id or "*", "active" if a.active else "inactive", a.name)
                for a in accounts.list_all(open_db(args))), (20, 11, 12, 9))
    return 0


def cmd_account_reset(args: argparse.Namespace) -> int:
    from hub.domain.passwords import hash_password, weakness
    from hub.ops import accounts
    from hub.store import accounts as store

    password, generated = _password(args)
    why = weakness(password, args.username)
    if why is not None:
        return err(why[1])
    db = open_db(args)
    try:
        acc = store.require(db, args.username)
        pw_hash = hash_password(password)
        runner(db).run(acc.site_id, lambda ctx: accounts.reset_password(ctx, args.username, pw_hash))
    except DomainError as exc:
        return err(exc.message_vi or exc.message)
    print(f"password of {args.username} reset" + (f": {password}" if generated else ""))
    return 0


def cmd_account_active(args: argparse.Namespace) -> int:
    from hub.ops import accounts
    from hub.store import accounts as store

    db = open_db(args)
    try:
        acc = store.require(db, args.username)
        runner(db).run(acc.site_id, lambda ctx: accounts.set_active(ctx, args.username, args.active))
    except DomainError as exc:
        return err(exc.message_vi or exc.message)
    print(f"{args.username} {'activated' if args.active else 'deactivated'}")
    return 0
