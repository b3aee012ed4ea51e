"""UI tests: a real hub and broker, the kiosk app in its own process on Xvfb, screenshots kept."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.support.hubproc import InProcessHub, register
from tests.support.kivyrun import KivyRun


def device_file(hub: InProcessHub, role: str, *, counter: int | None = None, hardware: dict | None = None) -> Path:
    """Register a device with the running hub and write its config file, as provisioning would."""
    cfg = register(hub.data, role, hub.mqtt_port, counter=counter)
    asyncio.run_coroutine_threadsafe(hub.hub.sync_registry(), hub.thread.loop).result(10)
    cfg.hardware = hardware or {}
    path = hub.data / "devices" / f"{cfg.device_id}.json"
    cfg.save(path)
    return path


def kiosk_run(xvfb, artifacts_dir: Path, tmp_path: Path, name: str, config: Path, steps: list[dict],
              size: tuple[int, int] = (1280, 800)) -> KivyRun:
    return KivyRun("kiosk.ui.app:build_app", [str(config)], steps, xvfb.env(), artifacts_dir / "kiosk",
                   tmp_path / f"ui-{name}", size=size).start()
