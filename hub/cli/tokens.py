"""`motcua hub token add|list|revoke`: API tokens scoped to a role and a site (hub.web.auth)."""

from __future__ import annotations

import argparse
import json
import sys

from hub.cli.common import data_arg, err, local_time, open_db, print_rows, runner
from hub.domain.roles import ROLES
from motcua_core.errors import DomainError


def add_parsers(hsub: argparse._SubParsersAction) -> None:
    tok = hsub.add_parser("token", help="API tokens (a role, a site) for scripts and integrations")
    tsub = tok.add_subparsers(dest="token_cmd", required=True)
    add = tsub.add_parser("add", help="create a token and print its secret once")
    data_arg(add)
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--site", help="the site it is for (none: the province scope, for admin, leader and technician only)")
    add.add_argument("--agency", help="for a specialist token: the agency, as the catalogue names it")
    add.add_argument("--name", required=True, help="what it is for, e.g. 'bao cao tuan'")
    add.set_defaults(func=cmd_token_add)
    ls = tsub.add_parser("list", help="list tokens (never their secrets)")
    data_arg(ls)
    ls.set_defaults(func=cmd_token_list)
    rv = tsub.add_parser("revoke", help="stop a token working at once")
    data_arg(rv)
    rv.add_argument("token_id", type=int)
    rv.set_defaults(func=cmd_token_revoke)


def cmd_token_add(args: argparse.Namespace) -> int:
    from hub.store import tokens

    db = open_db(args)
    try:
        tok, secret = runner(db).run(args.site, lambda ctx: tokens.add(
            ctx.db, role=args.role, site_id=args.site, name=args.name, now=ctx.now, agency=args.agency))
    except DomainError as exc:
        return err(exc.message_vi or exc.message)
    print("# the secret is shown once; only its hash is kept", file=sys.stderr)
    print(json.dumps({"id": tok.id, "role": tok.role, "site": tok.site_id, "token": secret}, ensure_ascii=False))
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    from hub.store import tokens

    rows = []
    db = open_db(args)
    for tok, created, revoked in tokens.list_all(db):
        day = local_time(db, tok.site_id, revoked or created, "%Y-%m-%d")
        state = f"revoked {day}" if revoked else f"since {day}"
        rows.append((tok.id, tok.role, tok.site_id or "*", state, tok.name))
    print_rows(rows, (5, 11, 12, 18))
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    from hub.store import tokens

    db = open_db(args)
    try:
        runner(db).run(None, lambda ctx: tokens.revoke(ctx.db, args.token_id, ctx.now))
    except DomainError as exc:
        return err(exc.message_vi or exc.message)
    print(f"token {args.token_id} revoked")
    return 0
