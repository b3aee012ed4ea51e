"""The hub's fleet commands on a running device (issue #14): `selftest` and `update` on `dev/<id>/cmd`.

`attach(session, config_path)` registers them on a DeviceSession; each runs off the MQTT thread. The
self-test skips what needs a person; the update starts `motcua provision update` in a session of its own
(it restarts the very app that received the command, so it must outlive it)."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from motcua_core import clock as wallclock

if TYPE_CHECKING:
    from devicekit.session import DeviceSession

log = logging.getLogger("motcua.fleetcmd")
STALE_S = 3600.0  # a command queued for a device that was off for longer than this is not acted on


def attach(session: DeviceSession, config_path: Path, *, update_args: list[str] | None = None) -> None:
    """`update_args` are passed on to `motcua provision update` (e.g. --venv, --restart, --package)."""

    def fresh(cmd: dict) -> bool:
        at = cmd.get("at")
        return not isinstance(at, int | float) or wallclock.time() - at < STALE_S

    def selftest(cmd: dict) -> None:
        if fresh(cmd):
            threading.Thread(target=run_and_report, args=(session,), name="motcua-selftest", daemon=True).start()

    def update(cmd: dict) -> None:
        if not fresh(cmd) or cmd.get("version") == session.version:
            log.info("update to %s ignored (stale, or already running it)", cmd.get("version"))
            return
        start_update(session, config_path, update_args or [])

    session.command_handlers.update({"selftest": selftest, "update": update})
    session.config_listeners.append(lambda cfg: keep_hardware(session, cfg))


def keep_hardware(session: DeviceSession, cfg: dict) -> None:
    """Keep the hub's hardware map beside the config file (the self-test at the device reads it too) and
    restart the app when a change touches what its drivers cannot change while running."""
    from motcua_core.hardware_schema import needs_restart
    from provisioning.selftest import HUB_HARDWARE, hub_hardware

    new = cfg.get("hardware")
    if not isinstance(new, dict):
        return
    path = session.config.data_dir / HUB_HARDWARE
    old = hub_hardware(session.config)
    if new == old and path.exists():
        return
    path.write_text(json.dumps(new, ensure_ascii=False, indent=2))
    changed = needs_restart(old, new)
    if changed:
        log.warning("hardware map changed for %s: restarting the app to apply it", ", ".join(changed))
        if os.environ.get("INVOCATION_ID"):  # under systemd, which starts us again (Restart=always)
            os.kill(os.getpid(), signal.SIGTERM)


def run_and_report(session: DeviceSession) -> None:
    from provisioning.selftest import as_request, run_selftest

    try:
        checks = run_selftest(session.config, wait_s=0)  # the hub's map, the file's entries winning
        session.request("device.selftest", as_request(checks))
    except Exception:
        log.exception("remote self-test failed")


def hub_url(session: DeviceSession) -> str | None:
    port = (getattr(session, "_last_config", None) or {}).get("http_port")
    return f"http://{session.config.broker_host}:{port}" if port else None


def start_update(session: DeviceSession, config_path: Path, extra: list[str]) -> subprocess.Popen | None:
    url = hub_url(session)
    if url is None:
        log.warning("update asked, but the hub's HTTP port is not known yet")
        return None
    argv = [sys.executable, "-m", "motcua.cli", "provision", "update", "--config", str(config_path), "--hub", url,
            *extra]
    log_path = session.config.data_dir / "update.log"
    with open(log_path, "ab") as out:
        return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
