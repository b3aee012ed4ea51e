"""`motcua provision install` into a temporary root (never the real /etc)."""

from __future__ import annotations

import os
from pathlib import Path

from motcua.cli import main


def _root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "boot/firmware").mkdir(parents=True)
    (root / "boot/firmware/cmdline.txt").write_text("console=tty1 root=PARTUUID=1234-02 rootwait\n")
    (root / "dev").mkdir()
    (root / "dev/watchdog").write_text("")  # the Pi's bcm2835_wdt
    return root


def test_kiosk_install_writes_enables_and_sets_up_unattended(tmp_path: Path, capsys) -> None:
    root = _root(tmp_path)
    assert main(["provision", "install", "--role", "kiosk", "--root", str(root), "--dry-run"]) == 0
    planned = capsys.readouterr().out
    assert "would write /etc/systemd/system/motcua-kiosk.service" in planned
    assert not (root / "etc").exists() and "consoleblank" not in (root / "boot/firmware/cmdline.txt").read_text()

    assert main(["provision", "install", "--role", "kiosk", "--root", str(root)]) == 0
    done = capsys.readouterr().out
    assert done.replace("would ", "") == planned.replace("would ", "")
    unit = (root / "etc/systemd/system/motcua-kiosk.service").read_text()
    assert "ExecStart=/usr/bin/cage -s -- /opt/motcua/.venv/bin/motcua kiosk --config /etc/motcua/device.json" \
           " --fullscreen --first-boot" in unit
    assert "Restart=always" in unit and "User=motcua" in unit and "WantedBy=multi-user.target" in unit
    wants = root / "etc/systemd/system/multi-user.target.wants/motcua-kiosk.service"
    assert os.readlink(wants) == "/etc/systemd/system/motcua-kiosk.service"
    assert os.readlink(root / "etc/systemd/system/getty@tty1.service") == "/dev/null"
    assert (root / "boot/firmware/cmdline.txt").read_text().split()[-1] == "consoleblank=0"
    assert "RuntimeWatchdogSec=15s" in (root / "etc/systemd/system.conf.d/motcua-watchdog.conf").read_text()

    assert main(["provision", "install", "--role", "kiosk", "--root", str(root)]) == 0
    assert "nothing to change" in capsys.readouterr().out  # idempotent


def test_hub_unit_is_the_readme_one(tmp_path: Path, capsys) -> None:
    root = tmp_path / "r"
    root.mkdir()
    assert main(["provision", "install", "--role", "hub", "--root", str(root)]) == 0
    unit = (root / "etc/systemd/system/motcua-hub.service").read_text()
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "ExecStart=/opt/motcua/.venv/bin/motcua hub serve --data /var/lib/motcua" in unit and unit.split(
        "ExecStart=")[1].splitlines()[0] in readme
    assert "cage" not in unit and not (root / "etc/systemd/system/getty@tty1.service").exists()
