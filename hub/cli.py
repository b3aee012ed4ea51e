"""`motcua hub …`: serve, load a site, manage devices. Each command is a plain function tests can call."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from hub.domain.errors import DomainError

if TYPE_CHECKING:
    from hub.store import devices as device_store

# The hub's modules (aiohttp, sqlite-utils and with it numpy) are imported inside the commands: every
# `motcua` process builds this parser, and a kiosk on a small board should not carry the hub in memory.

DEMO_SITE = Path(__file__).parent / "data" / "demo_site.json"


def default_data_dir() -> Path:
    return Path(os.environ.get("MOTCUA_DATA", "~/.local/share/motcua/hub")).expanduser()


def add_parser(sub: argparse._SubParsersAction) -> None:
    hub = sub.add_parser("hub", help="the central service")
    hsub = hub.add_subparsers(dest="hub_cmd", required=True)

    serve = hsub.add_parser("serve", help="run the hub (and its embedded Mosquitto)")
    _data_arg(serve)
    serve.add_argument("--http-host", default="0.0.0.0")
    serve.add_argument("--http-port", type=int, default=8080)
    serve.add_argument("--mqtt-bind", default="0.0.0.0", help="address the embedded broker listens on")
    serve.add_argument("--mqtt-port", type=int, default=1883)
    serve.add_argument("--broker", help="use an external broker: mqtt://user:password@host:port")
    serve.add_argument("--site-file", type=Path, help="load (or update) a site configuration at start")
    serve.add_argument("--synchronous", choices=["FULL", "NORMAL"], default="FULL",
                       help="FULL (default): every answered request survives a power cut; NORMAL: faster "
                            "commits, but the last moments before a power cut may be lost (use with a UPS)")
    serve.set_defaults(func=cmd_serve)

    site = hsub.add_parser("site", help="site configuration")
    ssub = site.add_subparsers(dest="site_cmd", required=True)
    load = ssub.add_parser("load", help="load or update a site from a JSON file (demo: --demo)")
    _data_arg(load)
    load.add_argument("file", nargs="?", type=Path)
    load.add_argument("--demo", action="store_true", help="load the built-in demo district unit")
    load.set_defaults(func=cmd_site_load)

    dev = hsub.add_parser("device", help="device registry")
    dsub = dev.add_subparsers(dest="device_cmd", required=True)
    add = dsub.add_parser("add", help="register a device and print its one-time credentials")
    _data_arg(add)
    add.add_argument("--site", required=True)
    add.add_argument("--role", required=True, choices=["kiosk", "counter", "display", "voting", "lookup"])
    add.add_argument("--counter", type=int, help="counter number (counter and voting devices)")
    add.add_argument("--id", dest="device_id", help="device id (default: <site>-<role>-NN)")
    add.add_argument("--name", default="")
    add.add_argument("--broker-host", default="127.0.0.1", help="broker address the device will use")
    add.add_argument("--broker-port", type=int, default=1883)
    add.add_argument("--out", type=Path, help="also write the device config file here (mode 0600)")
    add.set_defaults(func=cmd_device_add)
    _add_officer_parser(hsub)
    from hub import cli_dossiers  # issue #5: catalog, calendar, dossier, report, register, specialist

    cli_dossiers.add_parsers(hsub, _data_arg)
    ls = dsub.add_parser("list", help="list devices with presence")
    _data_arg(ls)
    ls.set_defaults(func=cmd_device_list)
    for name, func, helptext in (("revoke", cmd_device_revoke, "lock a device out of the broker"),
                                 ("rotate", cmd_device_rotate, "issue a new secret (replacing a device)")):
        p = dsub.add_parser(name, help=helptext)
        _data_arg(p)
        p.add_argument("device_id")
        p.set_defaults(func=func)


def _add_officer_parser(hsub: argparse._SubParsersAction) -> None:
    """`motcua hub officer set-pin` (issue #4): officer sign-in credentials, stored hashed."""
    off = hsub.add_parser("officer", help="officer sign-in credentials")
    osub = off.add_subparsers(dest="officer_cmd", required=True)
    sp = osub.add_parser("set-pin", help="set an officer's PIN (asked for if --pin is absent), badge, username")
    _data_arg(sp)
    sp.add_argument("--site", required=True)
    sp.add_argument("officer", help="officer id from the site configuration")
    sp.add_argument("--pin", help="4 to 8 digits (prefer the prompt: a PIN on the command line lands in history)")
    sp.add_argument("--badge", help="badge code as the barcode reader sends it")
    sp.add_argument("--username", help="sign-in name (default: the officer id)")
    sp.add_argument("--no-pin", action="store_true", help="change only --badge/--username")
    sp.set_defaults(func=cmd_officer_set_pin)


def cmd_officer_set_pin(args: argparse.Namespace) -> int:
    import getpass

    from hub.app import open_data_dir
    from hub.store import officers as officer_store
    from hub.store.db import transaction

    pin = args.pin
    if pin is None and not args.no_pin:
        pin = getpass.getpass("PIN mới (4–8 chữ số): ")
        if getpass.getpass("Nhập lại PIN: ") != pin:
            print("error: the two PINs differ", file=sys.stderr)
            return 2
    if pin is not None and not officer_store.PIN_RE.match(pin):
        print("error: a PIN is 4 to 8 digits", file=sys.stderr)
        return 2
    db = open_data_dir(_data(args))
    try:
        with transaction(db):
            officer_store.set_credentials(db, args.site, args.officer, pin=pin, badge=args.badge,
                                          username=args.username)
    except (DomainError, ValueError) as exc:
        print(f"error: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 2
    print(f"credentials of {args.officer} updated")
    return 0


def _data_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", type=Path, default=None, help="data directory (default $MOTCUA_DATA or "
                   "~/.local/share/motcua/hub)")


def _data(args: argparse.Namespace) -> Path:
    return args.data or default_data_dir()


def cmd_serve(args: argparse.Namespace) -> int:
    from hub.app import Hub, HubConfig
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    cfg = HubConfig(data_dir=_data(args), http_host=args.http_host, http_port=args.http_port,
                    mqtt_bind=args.mqtt_bind, mqtt_port=args.mqtt_port, broker_url=args.broker,
                    site_file=args.site_file, synchronous=args.synchronous)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(Hub(cfg).serve_forever())
    return 0


def cmd_site_load(args: argparse.Namespace) -> int:
    from hub.app import load_site_file, open_data_dir
    from hub.store.sites import SiteConfigError
    path = DEMO_SITE if args.demo else args.file
    if path is None:
        print("error: give a site file, or --demo", file=sys.stderr)
        return 2
    db = open_data_dir(_data(args))
    try:
        sid = load_site_file(db, path)
    except (SiteConfigError, json.JSONDecodeError, OSError) as exc:
        print(f"error: {path}: {exc}", file=sys.stderr)
        return 2
    print(f"site {sid} loaded from {path}")
    return 0


def device_config_dict(dev: device_store.Device, secret: str, broker_host: str, broker_port: int) -> dict:
    return {"device_id": dev.id, "secret": secret, "site": dev.site_id, "role": dev.role,
            "broker_host": broker_host, "broker_port": broker_port}


def cmd_device_add(args: argparse.Namespace) -> int:
    from hub.app import open_data_dir
    from hub.store import devices as device_store
    from hub.store.db import transaction
    db = open_data_dir(_data(args))
    try:
        with transaction(db):
            dev, secret = device_store.add(db, site_id=args.site, role=args.role, now=time.time(),
                                           device_id=args.device_id, name=args.name, counter=args.counter)
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    cfg = device_config_dict(dev, secret, args.broker_host, args.broker_port)
    if args.out:
        from devicekit.config import DeviceConfig

        DeviceConfig.from_dict(cfg).save(args.out)
        print(f"device config written to {args.out}", file=sys.stderr)
    print("# one-time credentials: the secret is stored only as a hash and cannot be shown again",
          file=sys.stderr)
    print(json.dumps(cfg, indent=2, ensure_ascii=False))
    return 0


def cmd_device_list(args: argparse.Namespace) -> int:
    from hub.app import open_data_dir
    from hub.store import devices as device_store
    db = open_data_dir(_data(args))
    for d in device_store.list_all(db):
        seen = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(d.last_seen)) if d.last_seen else "-"
        state = "revoked" if d.revoked else d.status
        counter = f"counter {d.counter}" if d.counter else ""
        print(f"{d.id:32} {d.site_id:12} {d.role:8} {state:8} {seen:19} {counter}")
    return 0


def cmd_device_revoke(args: argparse.Namespace) -> int:
    from hub.app import open_data_dir
    from hub.store import devices as device_store
    from hub.store.db import transaction
    db = open_data_dir(_data(args))
    try:
        with transaction(db):
            device_store.revoke(db, args.device_id, time.time())
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    print(f"{args.device_id} revoked; a running hub locks it out of the broker within a second")
    return 0


def cmd_device_rotate(args: argparse.Namespace) -> int:
    from hub.app import open_data_dir
    from hub.store import devices as device_store
    from hub.store.db import transaction
    db = open_data_dir(_data(args))
    try:
        with transaction(db):
            secret = device_store.rotate_secret(db, args.device_id)
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    print(json.dumps({"device_id": args.device_id, "secret": secret}, indent=2))
    return 0
