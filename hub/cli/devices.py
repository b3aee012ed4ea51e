"""`motcua hub device …` (the device registry) and `motcua hub officer set-pin` (officer credentials)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from hub.cli.common import data_arg, data_dir, local_time, open_db, print_rows, runner
from motcua_core.errors import DomainError
from motcua_core.protocol import ROLES

if TYPE_CHECKING:
    from hub.store.devices import Device


def add_parsers(hsub: argparse._SubParsersAction) -> None:
    dev = hsub.add_parser("device", help="device registry")
    dsub = dev.add_subparsers(dest="device_cmd", required=True)
    add = dsub.add_parser("add", help="register a device: pending with an enrolment code (or credentials with --out)")
    data_arg(add)
    add.add_argument("--site", required=True)
    add.add_argument("--role", required=True, choices=list(ROLES))
    add.add_argument("--counter", type=int, help="counter number (counter and voting devices)")
    add.add_argument("--id", dest="device_id", help="device id (default: <site>-<role>-NN)")
    add.add_argument("--name", default="")
    add.add_argument("--broker-host", default="127.0.0.1", help="broker address the device will use")
    add.add_argument("--broker-port", type=int, default=None, help="default 8883 with --tls, else 1883")
    add.add_argument("--tls", action="store_true",
                     help="a LAN device: connect over TLS to the hub's TLS listener, trusting the hub's CA")
    add.add_argument("--out", type=Path, help="no enrolment: print credentials and write the device config here "
                     "(mode 0600)")
    add.add_argument("--valid-hours", type=float, default=24.0, help="how long the enrolment code works (24)")
    add.set_defaults(func=cmd_device_add)
    ls = dsub.add_parser("list", help="list devices with presence")
    data_arg(ls)
    ls.set_defaults(func=cmd_device_list)
    from hub.cli import fleet

    fleet.add_device_parsers(dsub)  # issue #14: replace, selftest, hardware
    for name, func, helptext in (("revoke", cmd_device_revoke, "lock a device out of the broker"),
                                 ("rotate", cmd_device_rotate, "issue a new secret (replacing a device)")):
        p = dsub.add_parser(name, help=helptext)
        data_arg(p)
        p.add_argument("device_id")
        p.set_defaults(func=func)
        if name == "rotate":  # the replacement device needs its config file with the new secret
            p.add_argument("--out", type=Path, help="write the device config file (an existing one keeps "
                           "its settings and gets the new secret; mode 0600)")
            p.add_argument("--broker-host", default="127.0.0.1", help="for a new file: broker address")
            p.add_argument("--broker-port", type=int, default=1883)

    off = hsub.add_parser("officer", help="officer sign-in credentials")
    osub = off.add_subparsers(dest="officer_cmd", required=True)
    sp = osub.add_parser("set-pin", help="set an officer's PIN (asked for if --pin is absent), badge, username")
    data_arg(sp)
    sp.add_argument("--site", required=True)
    sp.add_argument("officer", help="officer id from the site configuration")
    sp.add_argument("--pin", help="4 to 8 digits (prefer the prompt: a PIN on the command line lands in history)")
    sp.add_argument("--badge", help="badge code as the barcode reader sends it")
    sp.add_argument("--username", help="sign-in name (default: the officer id)")
    sp.add_argument("--no-pin", action="store_true", help="change only --badge/--username")
    sp.set_defaults(func=cmd_officer_set_pin)


def device_config_dict(dev: Device, secret: str, broker_host: str, broker_port: int,
                       ca_cert: str | None = None) -> dict:
    """A device's config file; with `ca_cert` (the hub's CA, PEM) it connects over TLS and trusts that CA."""
    cfg = {"device_id": dev.id, "secret": secret, "site": dev.site_id, "role": dev.role,
           "broker_host": broker_host, "broker_port": broker_port}
    if ca_cert is not None:
        cfg.update(tls=True, ca_cert=ca_cert)
    return cfg


def _fail(exc: DomainError) -> int:
    print(f"error: {exc.message}", file=sys.stderr)
    return 2


def cmd_device_add(args: argparse.Namespace) -> int:
    from hub.store import devices as device_store

    db = open_db(args)
    if args.out is None:
        from hub.cli.fleet import add_for_enrolment

        return add_for_enrolment(db, args)
    try:
        dev, secret = runner(db).run(None, lambda ctx: device_store.add(
            ctx.db, site_id=args.site, role=args.role, now=ctx.now, device_id=args.device_id, name=args.name,
            counter=args.counter))
    except DomainError as exc:
        return _fail(exc)
    ca = None
    if args.tls:
        from hub.broker import tls as broker_tls

        broker = data_dir(args) / "broker"
        broker_tls.ensure(broker, broker_tls.default_names("0.0.0.0"))  # the hub makes the same at serve
        ca = broker_tls.ca_pem(broker)
    port = args.broker_port or (8883 if args.tls else 1883)
    cfg = device_config_dict(dev, secret, args.broker_host, port, ca)
    if args.out:
        from motcua_core.device_config import DeviceConfig

        DeviceConfig.from_dict(cfg).save(args.out)
        print(f"device config written to {args.out}", file=sys.stderr)
    print("# one-time credentials: the secret is stored only as a hash and cannot be shown again",
          file=sys.stderr)
    print(json.dumps(cfg, indent=2, ensure_ascii=False))
    return 0


def cmd_device_list(args: argparse.Namespace) -> int:
    from hub.store import devices as device_store

    db = open_db(args)
    rows = []
    for d in device_store.list_all(db):
        seen = local_time(db, d.site_id, d.last_seen, "%Y-%m-%d %H:%M:%S") if d.last_seen else "-"
        state = "revoked" if d.revoked else d.status
        counter = f"counter {d.counter}" if d.counter else ""
        rows.append((d.id, d.site_id, d.role, state, seen, counter))
    print_rows(rows, (32, 12, 8, 8, 19))
    return 0


def cmd_device_revoke(args: argparse.Namespace) -> int:
    from hub.store import devices as device_store

    db = open_db(args)
    try:
        runner(db).run(None, lambda ctx: device_store.revoke(ctx.db, args.device_id, ctx.now))
    except DomainError as exc:
        return _fail(exc)
    print(f"{args.device_id} revoked; a running hub locks it out of the broker within a second")
    return 0


def cmd_device_rotate(args: argparse.Namespace) -> int:
    from hub.store import devices as device_store

    db = open_db(args)
    try:
        secret = runner(db).run(None, lambda ctx: device_store.rotate_secret(ctx.db, args.device_id))
    except DomainError as exc:
        return _fail(exc)
    if args.out:
        from motcua_core.device_config import ConfigError, DeviceConfig

        try:
            cfg = DeviceConfig.load(args.out) if args.out.exists() else DeviceConfig.from_dict(device_config_dict(
                device_store.get(db, args.device_id), secret, args.broker_host, args.broker_port))
        except ConfigError as exc:
            print(f"error: {args.out}: {exc}; the new secret is below", file=sys.stderr)
            print(json.dumps({"device_id": args.device_id, "secret": secret}, indent=2))
            return 2
        if cfg.device_id != args.device_id:
            print(f"error: {args.out} is the config of {cfg.device_id}, not {args.device_id}; the new secret "
                  "is below", file=sys.stderr)
            print(json.dumps({"device_id": args.device_id, "secret": secret}, indent=2))
            return 2
        cfg.secret = secret
        cfg.save(args.out)
        print(f"device config written to {args.out}", file=sys.stderr)
    print(json.dumps({"device_id": args.device_id, "secret": secret}, indent=2))
    return 0


def cmd_officer_set_pin(args: argparse.Namespace) -> int:
    import getpass

    from hub.store import officers as officer_store

    pin = args.pin
    if pin is None and not args.no_pin:
        pin = getpass.getpass("PIN mới (4–8 chữ số): ")
        if getpass.getpass("Nhập lại PIN: ") != pin:
            print("error: the two PINs differ", file=sys.stderr)
            return 2
    if pin is not None and not officer_store.PIN_RE.match(pin):
        print("error: a PIN is 4 to 8 digits", file=sys.stderr)
        return 2
    db = open_db(args)
    try:
        runner(db).run(args.site, lambda ctx: officer_store.set_credentials(
            ctx.db, ctx.site.id, args.officer, pin=pin, badge=args.badge, username=args.username))
    except (DomainError, ValueError) as exc:
        print(f"error: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 2
    print(f"credentials of {args.officer} updated")
    return 0
