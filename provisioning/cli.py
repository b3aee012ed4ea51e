"""`motcua provision …`: what a technician runs on a device being installed."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    prov = sub.add_parser("provision", help="technician tools: enrol, install, self-test, update and check a device")
    psub = prov.add_subparsers(dest="provision_cmd", required=True)
    check = psub.add_parser("check", help="connect with a device config and check broker, config and hub")
    check.add_argument("--config", type=Path, required=True)
    check.add_argument("--timeout", type=float, default=10.0)
    check.set_defaults(func=cmd_check)
    _fleet_parsers(psub)  # issue #14


def _fleet_parsers(psub: argparse._SubParsersAction) -> None:
    en = psub.add_parser("enrol", help="fetch this device's identity from the hub with an enrolment code")
    en.add_argument("--hub", required=True, help="the hub's address, e.g. http://192.168.1.10:8080")
    en.add_argument("--code", required=True, help="the code from the console or `motcua hub device add`")
    en.add_argument("--out", type=Path, default=Path("/etc/motcua/device.json"), help="config file to write")
    en.add_argument("--data-dir", type=Path, help="the device's state folder (default per device id)")
    en.add_argument("--timeout", type=float, default=10.0)
    en.set_defaults(func=cmd_enrol)
    ins = psub.add_parser("install", help="write and enable the systemd unit and unattended set-up of a role")
    ins.add_argument("--role", required=True, choices=["hub", "kiosk", "counter", "display", "voting", "lookup"])
    ins.add_argument("--root", type=Path, default=Path("/"), help="install into this root (an image, a test)")
    ins.add_argument("--config", type=Path, default=Path("/etc/motcua/device.json"))
    ins.add_argument("--venv", type=Path, default=Path("/opt/motcua/.venv"))
    ins.add_argument("--user", default="motcua")
    ins.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")
    ins.set_defaults(func=cmd_install)
    st = psub.add_parser("selftest", help="test this device's hardware: printer, LED boards, audio, keypad, …")
    st.add_argument("--config", type=Path, required=True)
    st.add_argument("--json", action="store_true")
    st.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for each key press or scan")
    st.add_argument("--no-wait", action="store_true", help="skip checks that need a person (keys, scans)")
    st.add_argument("--report", action="store_true", help="also send the result to the hub (fleet view)")
    st.set_defaults(func=cmd_selftest)
    up = psub.add_parser("update", help="install the release the hub serves; roll back if it does not come online")
    up.add_argument("--config", type=Path, required=True)
    up.add_argument("--hub", required=True, help="the hub's address, e.g. http://192.168.1.10:8080")
    up.add_argument("--venv", type=Path, default=Path("/opt/motcua/.venv"))
    up.add_argument("--package", default="motcua")
    up.add_argument("--restart", help="command that restarts the role (default: systemctl restart motcua-<role>)")
    up.add_argument("--online-timeout", type=float, default=120.0, help="seconds for the new version to come online")
    up.add_argument("--state", type=Path, help="where installed releases are kept for roll-back (default <venv>/releases)")
    up.set_defaults(func=cmd_update)


def cmd_enrol(args: argparse.Namespace) -> int:
    from provisioning.enrol import EnrolError, enrol

    try:
        cfg = enrol(args.hub, args.code, args.out, data_dir=args.data_dir)
    except EnrolError as exc:
        print(f"lỗi: {exc}", file=sys.stderr)
        return 2
    print(f"{args.out}: {cfg.device_id} ({cfg.role}) at site {cfg.site}, broker {cfg.broker_host}:{cfg.broker_port}")
    print("connecting with the new identity …")
    results = check_device(args.out, args.timeout)  # the hub sees the device come online: the report back
    for name, ok, detail in results:
        print(f"[{'OK' if ok else 'FAIL':4}] {name:24} {detail}")
    return 0 if all(ok for _, ok, _ in results) else 1


def cmd_install(args: argparse.Namespace) -> int:
    from provisioning.install import install

    changes = install(args.role, root=args.root, config=args.config, venv=args.venv, user=args.user,
                      dry_run=args.dry_run)
    for c in changes:
        print(("would " if args.dry_run else "") + c)
    return 0


def cmd_selftest(args: argparse.Namespace) -> int:
    import json

    from motcua_core.device_config import ConfigError, DeviceConfig
    from provisioning.selftest import report, run_selftest

    try:
        cfg = DeviceConfig.load(args.config)
    except ConfigError as exc:
        print(f"lỗi: {exc}", file=sys.stderr)
        return 2
    checks = run_selftest(cfg, wait_s=0 if args.no_wait else args.timeout,
                          prompt=None if args.json else lambda text: print(text, flush=True))
    if args.report:
        report(cfg, checks)
    if args.json:
        print(json.dumps({"device_id": cfg.device_id, "role": cfg.role, "checks": [c.as_dict() for c in checks]},
                         ensure_ascii=False))
    else:
        for c in checks:
            print(f"[{c.state.upper():4}] {c.name:10} {c.detail}")
    return 1 if any(c.state == "fail" for c in checks) else 0


def cmd_update(args: argparse.Namespace) -> int:
    from provisioning.update import UpdateError, update

    try:
        outcome = update(args.config, args.hub, venv=args.venv, package=args.package, restart=args.restart,
                         online_timeout=args.online_timeout, state=args.state, log=lambda m: print(m, flush=True))
    except UpdateError as exc:
        print(f"lỗi: {exc}", file=sys.stderr)
        return 1
    print(outcome)
    return 0 if not outcome.startswith("rolled back") else 1


def check_device(config_path: Path, timeout: float = 10.0) -> list[tuple[str, bool, str]]:
    """Run the installation checks; each result is (check, passed, detail)."""
    from devicekit.session import DeviceSession
    from motcua_core.device_config import ConfigError, DeviceConfig
    from motcua_core.errors import RequestError

    results: list[tuple[str, bool, str]] = []
    try:
        cfg = DeviceConfig.load(config_path)
    except (ConfigError, OSError) as exc:
        return [("config file", False, str(exc))]
    results.append(("config file", True, f"{cfg.device_id} ({cfg.role}) at site {cfg.site}"))
    got: dict = {}
    session = DeviceSession(cfg)
    session.on_config = got.update
    session.start()
    try:
        ok = session.wait_connected(timeout)
        if ok:
            detail = f"{cfg.broker_host}:{cfg.broker_port}"
        elif session.refused:  # the broker answered: the address is right, the credentials are not
            detail = (f"not authorised by {cfg.broker_host}:{cfg.broker_port} ({session.refused}): wrong, "
                      f"rotated or revoked secret; on the hub: motcua hub device rotate {cfg.device_id} --out FILE")
        else:
            detail = "no connection: check address, port and firewall"
        results.append(("broker login", ok, detail))
        if not ok:
            return results
        deadline = time.monotonic() + timeout
        while not got and time.monotonic() < deadline:
            time.sleep(0.1)
        results.append(("configuration from hub", bool(got),
                        f"site {got.get('site_name')}" if got else "none received: is the hub running?"))
        t0 = time.monotonic()
        try:
            state = session.request("site.state", timeout=timeout / 2, retries=1)
            ms = (time.monotonic() - t0) * 1000
            results.append(("hub round trip", True, f"{ms:.0f} ms, {len(state.get('counters', []))} counters"))
        except RequestError as exc:
            results.append(("hub round trip", False, f"{exc.code}: {exc.message}"))
    finally:
        session.stop()
    return results


def cmd_check(args: argparse.Namespace) -> int:
    results = check_device(args.config, args.timeout)
    for name, ok, detail in results:
        print(f"[{'OK' if ok else 'FAIL':4}] {name:24} {detail}")
    return 0 if all(ok for _, ok, _ in results) else 1
