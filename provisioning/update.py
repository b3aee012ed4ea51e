"""Software update of one device (issue #14): install the release the hub serves into the device's venv,
restart the role, and roll back when the new version is not online within a set time.

"Online" is what the hub sees: the updater asks `GET /api/v1/device/self` with the device's own
credentials until the hub reports the device online with the new version. Each release installed is kept
in the state folder, so the previous one can be put back without the network. This updates the
application only; the operating system itself is updated as an image (Mender, RAUC; docs/provisioning.md).
"""

from __future__ import annotations

import hashlib
import json
import shlex
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from motcua_core.device_config import DeviceConfig


class UpdateError(Exception):
    pass


def _get(url: str, headers: dict | None = None, timeout: float = 30.0) -> bytes:
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read()


def installed(venv: Path, package: str) -> str | None:
    out = subprocess.run([str(venv / "bin" / "python"), "-c",
                          f"from importlib import metadata; print(metadata.version({package!r}))"],
                         capture_output=True, text=True, timeout=60)
    return out.stdout.strip() if out.returncode == 0 else None


def pip_install(venv: Path, wheel: Path) -> None:
    """Offline, this file only: dependencies are the image's business (or a release with the same ones)."""
    out = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--no-index",
                          "--force-reinstall", "--disable-pip-version-check", "-q", str(wheel)],
                         capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise UpdateError(f"pip could not install {wheel.name}: {out.stderr.strip()[-400:]}")


def seen_online(hub: str, cfg: DeviceConfig, version: str) -> bool:
    try:
        me = json.loads(_get(f"{hub.rstrip('/')}/api/v1/device/self",
                             {"Authorization": f"Bearer {cfg.device_id}:{cfg.secret}"}, timeout=5))
    except (urllib.error.URLError, OSError, ValueError):
        return False
    return me.get("status") == "online" and me.get("version") == version


def wait_online(hub: str, cfg: DeviceConfig, version: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if seen_online(hub, cfg, version):
            return True
        time.sleep(1.0)
    return False


def restart_role(command: str) -> None:
    out = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise UpdateError(f"restart failed ({command}): {out.stderr.strip()[-300:]}")


def update(config: Path, hub: str, *, venv: Path, package: str = "motcua", restart: str | None = None,
           online_timeout: float = 120.0, state: Path | None = None, log: Callable[[str], None] = print) -> str:
    """One update; returns what happened ("already at …", "updated …", "rolled back …")."""
    cfg = DeviceConfig.load(config)
    restart = restart or f"systemctl restart motcua-{cfg.role}.service"
    keep = state or venv / "releases"
    keep.mkdir(parents=True, exist_ok=True)
    try:
        rel = json.loads(_get(f"{hub.rstrip('/')}/api/v1/release?package={package}"))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise UpdateError(f"cannot ask the hub for its release: {exc}") from None
    before = installed(venv, package)
    if rel["version"] == before:
        return f"already at {before}"
    log(f"downloading {rel['file']} ({rel['size']} bytes) …")
    data = _get(f"{hub.rstrip('/')}/api/v1/release/{rel['file']}", timeout=300)
    if hashlib.sha256(data).hexdigest() != rel["sha256"]:
        raise UpdateError(f"{rel['file']}: checksum mismatch, nothing installed")
    wheel = keep / rel["file"]
    wheel.write_bytes(data)
    previous = next((p for p in sorted(keep.iterdir()) if before and f"-{before}-" in p.name or
                     before and p.name.endswith(f"-{before}.tar.gz")), None)
    log(f"installing {package} {rel['version']} (was {before}) …")
    pip_install(venv, wheel)
    restart_role(restart)
    log(f"waiting up to {online_timeout:g} s for {rel['version']} to come online …")
    if wait_online(hub, cfg, rel["version"], online_timeout):
        return f"updated {before} -> {rel['version']}"
    if previous is None:
        raise UpdateError(f"{rel['version']} did not come online and no copy of {before} is kept to roll back to")
    log(f"{rel['version']} did not come online: rolling back to {before} …")
    pip_install(venv, previous)
    restart_role(restart)
    back = wait_online(hub, cfg, before or "", online_timeout)
    wheel.rename(wheel.with_name(wheel.name + ".failed"))
    return f"rolled back {rel['version']} -> {before}" + ("" if back else " (and it is not online either: check the device)")
