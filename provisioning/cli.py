"""`motcua provision …`: what a technician runs on a device being installed."""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    prov = sub.add_parser("provision", help="technician tools: check a device's link to the hub")
    psub = prov.add_subparsers(dest="provision_cmd", required=True)
    check = psub.add_parser("check", help="connect with a device config and check broker, config and hub")
    check.add_argument("--config", type=Path, required=True)
    check.add_argument("--timeout", type=float, default=10.0)
    check.set_defaults(func=cmd_check)


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
