"""`motcua hub serve` and `motcua hub site load`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from pathlib import Path

from hub.cli.common import DEMO_SITE, data_arg, data_dir, open_db, runner


def add_parsers(hsub: argparse._SubParsersAction) -> None:
    serve = hsub.add_parser("serve", help="run the hub (and its embedded Mosquitto)")
    data_arg(serve)
    serve.add_argument("--http-host", default="0.0.0.0")
    serve.add_argument("--http-port", type=int, default=8080)
    serve.add_argument("--mqtt-bind", default="127.0.0.1",
                       help="address of the broker's plain listener (default loopback: the hub and this machine)")
    serve.add_argument("--mqtt-port", type=int, default=1883)
    serve.add_argument("--mqtt-tls-port", type=int, default=8883,
                       help="the broker's TLS listener for LAN devices, with the hub's own CA (0: none)")
    serve.add_argument("--mqtt-tls-bind", default="0.0.0.0")
    serve.add_argument("--mqtt-plain-lan", action="store_true",
                       help="allow the plain listener on a non-loopback --mqtt-bind (a trusted, closed LAN)")
    serve.add_argument("--broker", help="use an external broker: mqtt://user:password@host:port")
    serve.add_argument("--db", help="the database: postgresql://user@host/dbname for a provincial hub "
                                    "(default: $MOTCUA_DB, else <data>/motcua.db)")
    serve.add_argument("--site-file", type=Path, help="load (or update) a site configuration at start")
    serve.add_argument("--synchronous", choices=["FULL", "NORMAL"], default="FULL",
                       help="FULL (default): every answered request survives a power cut; NORMAL: faster "
                            "commits, but the last moments before a power cut may be lost (use with a UPS)")
    serve.add_argument("--lookup-limit", type=int, default=None,
                       help="public dossier lookups per minute per client address (default 20)")
    serve.add_argument("--log-format", choices=["text", "json"], default="text",
                       help="json: one JSON object per line (for log collectors)")
    serve.add_argument("--log-file", type=Path, default=None,
                       help="also write the log to this file (0600, rotated at 10 MiB, 5 kept); "
                            "every line is redacted either way")
    serve.add_argument("--metrics-public", action="store_true",
                       help="serve /metrics without a token (only where the HTTP port is on a trusted network)")
    serve.add_argument("--secure-cookies", action="store_true",
                       help="mark console cookies Secure even over plain HTTP (behind an HTTPS proxy)")
    serve.set_defaults(func=cmd_serve)

    site = hsub.add_parser("site", help="site configuration")
    ssub = site.add_subparsers(dest="site_cmd", required=True)
    load = ssub.add_parser("load", help="load or update a site from a JSON file (demo: --demo)")
    data_arg(load)
    load.add_argument("file", nargs="?", type=Path)
    load.add_argument("--demo", action="store_true", help="load the built-in demo unit")
    load.set_defaults(func=cmd_site_load)


def cmd_serve(args: argparse.Namespace) -> int:
    from hub import logfmt
    from hub.app import Hub, HubConfig
    from hub.store.datadir import DataDirError

    logfmt.setup(getattr(args, "log_format", "text"), log_file=getattr(args, "log_file", None))
    cfg = HubConfig(data_dir=data_dir(args), http_host=args.http_host, http_port=args.http_port,
                    mqtt_bind=args.mqtt_bind, mqtt_port=args.mqtt_port, broker_url=args.broker,
                    mqtt_tls_port=args.mqtt_tls_port or None, mqtt_tls_bind=args.mqtt_tls_bind,
                    mqtt_plain_lan=args.mqtt_plain_lan,
                    site_file=args.site_file, synchronous=args.synchronous, db=args.db,
                    extra={"metrics_public": getattr(args, "metrics_public", False),
                           "secure_cookies": getattr(args, "secure_cookies", False)},
                    **({"lookup_limit": args.lookup_limit} if args.lookup_limit else {}))
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(Hub(cfg).serve_forever())
    except (DataDirError, ValueError, OSError) as exc:  # OSError: a port taken, a directory not writable
        print(f"lỗi / error: {exc}", file=sys.stderr)
        return 3
    return 0


def cmd_site_load(args: argparse.Namespace) -> int:
    from hub.app import load_site_file
    from hub.store.sites import SiteConfigError

    path = DEMO_SITE if args.demo else args.file
    if path is None:
        print("error: give a site file, or --demo", file=sys.stderr)
        return 2
    db = open_db(args, create=True)
    try:
        sid = load_site_file(db, path, runner(db))
    except (SiteConfigError, json.JSONDecodeError, OSError) as exc:
        print(f"error: {path}: {exc}", file=sys.stderr)
        return 2
    print(f"site {sid} loaded from {path}")
    if args.demo:  # the demo unit comes with its starter catalogue, so counter search finds procedures
        from hub.ops.catalogue import import_file
        from hub.store.catalogue import STARTER

        out = import_file(runner(db), STARTER)
        print(f"Đã nhập {out['imported']} thủ tục của danh mục mẫu ({STARTER.name}).")
    return 0
