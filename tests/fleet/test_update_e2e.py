"""Software updates end to end, offline: the hub serves a release, a rollout starts with one device, the
device installs it into its venv and restarts; a release that does not come online is rolled back.

The device app here is a small test package (`fleetprobe`, wheels built by the test) that runs a real
DeviceSession with the fleet commands attached and reports its installed version; its "systemd restart"
is a shell script. Everything else — hub, broker, `motcua provision update`, pip, the venv — is real."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import pytest

from motcua.cli import main
from tests.fleet.conftest import Api, technician_token, wait_for
from tests.support.hubproc import InProcessHub, register

ROOT = Path(__file__).resolve().parents[2]
MAIN = '''
import json, signal, sys, threading
from importlib import metadata
from pathlib import Path
if {broken}:
    raise SystemExit("fleetprobe {version}: this build is broken")
from devicekit.session import DeviceSession
from motcua_core.device_config import DeviceConfig
from provisioning.fleetcmd import attach
cfg_path = Path(sys.argv[1])
session = DeviceSession(DeviceConfig.load(cfg_path), version=metadata.version("fleetprobe"))
attach(session, cfg_path, update_args=json.loads(Path(sys.argv[2]).read_text()))
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
session.start()
stop.wait()
session.stop()
'''


def build_wheel(folder: Path, version: str, broken: bool = False) -> Path:
    files = {"fleetprobe/__init__.py": "", "fleetprobe/__main__.py": MAIN.format(broken=broken, version=version),
             f"fleetprobe-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: fleetprobe\nVersion: {version}\n",
             f"fleetprobe-{version}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                                                       "Tag: py3-none-any\n"}
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(text.encode())}")
    record.append(f"fleetprobe-{version}.dist-info/RECORD,,")
    files[f"fleetprobe-{version}.dist-info/RECORD"] = "\n".join(record) + "\n"
    path = folder / f"fleetprobe-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return path


@pytest.mark.slow
def test_rollout_to_one_device_then_a_failing_release_rolls_back(hub: InProcessHub, tmp_path: Path, capsys,
                                                                 monkeypatch) -> None:
    from provisioning.update import pip_install

    wheels = tmp_path / "wheels"
    wheels.mkdir()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip_install(venv, build_wheel(wheels, "1.0"))

    cfg = register(hub.data, "kiosk", hub.mqtt_port, device_id="probe-1")
    cfg_path = tmp_path / "device.json"
    cfg.save(cfg_path)
    restart = tmp_path / "restart.sh"
    args_file = tmp_path / "update-args.json"
    args_file.write_text(json.dumps(["--venv", str(venv), "--package", "fleetprobe", "--restart", f"sh {restart}",
                                     "--online-timeout", "10", "--state", str(tmp_path / "kept")]))
    pidfile = tmp_path / "probe.pid"
    restart.write_text(
        f'[ -f {pidfile} ] && kill "$(cat {pidfile})" 2>/dev/null; sleep 0.5\n'
        f"nohup {venv}/bin/python -m fleetprobe {cfg_path} {args_file} >> {tmp_path}/probe.log 2>&1 &\n"
        f"echo $! > {pidfile}\n")
    site = sysconfig.get_paths()["purelib"]  # paho-mqtt and friends, from the test's own venv
    monkeypatch.setenv("PYTHONPATH", f"{ROOT}{os.pathsep}{site}")
    api = Api(hub.http_port, technician_token(hub.data))

    def device() -> dict:
        return next(d for d in api("GET", "/api/v1/fleet")[1]["devices"] if d["id"] == "probe-1")

    try:
        subprocess.run(["sh", str(restart)], check=True)
        assert wait_for(lambda: device()["state"] == "online" and device()["version"] == "1.0", 20), device()

        assert main(["hub", "fleet", "release", "--data", str(hub.data), str(build_wheel(wheels, "1.1"))]) == 0
        assert "version_behind" in device()["alerts"]
        assert main(["hub", "fleet", "update", "--data", str(hub.data), "--device", "probe-1"]) == 0
        assert "on 1 device(s): probe-1" in capsys.readouterr().out
        assert wait_for(lambda: device()["version"] == "1.1" and device()["state"] == "online", 40), device()
        assert "version_behind" not in device()["alerts"]
        log = hub.data / "device-state" / "probe-1" / "update.log"
        assert wait_for(lambda: "updated 1.0 -> 1.1" in log.read_text(), 10)

        assert main(["hub", "fleet", "release", "--data", str(hub.data),
                     str(build_wheel(wheels, "1.2", broken=True))]) == 0
        assert main(["hub", "fleet", "update", "--data", str(hub.data), "--device", "probe-1"]) == 0
        assert wait_for(lambda: "rolled back 1.2 -> 1.1" in log.read_text(), 60), log.read_text()
        assert wait_for(lambda: device()["state"] == "online", 10) and device()["version"] == "1.1"
        assert "this build is broken" in (tmp_path / "probe.log").read_text()
    finally:
        if pidfile.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pidfile.read_text()), signal.SIGTERM)
        time.sleep(0.3)
