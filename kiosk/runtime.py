"""Everything a kiosk process runs besides its screen: session, core, catalogue sync, scanner, camera.

Kept apart from Kivy so the CLI, the screens and the tests start a kiosk the same way.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from devicekit.session import DeviceSession
from kiosk.catalog import Catalog
from kiosk.core import KioskCore
from motcua_core.device_config import DeviceConfig

if TYPE_CHECKING:  # OpenCV and pyserial are loaded only by a lookup kiosk, to keep the others small
    from devicekit.drivers.camera import QrCamera
    from devicekit.drivers.scanner import SerialScanner

log = logging.getLogger("motcua.kiosk")

SYNC_RETRY_S = (2.0, 5.0, 15.0, 60.0)
SYNC_PERIOD_S = 600.0


@dataclass
class Runtime:
    core: KioskCore
    catalog: Catalog
    scanner: SerialScanner | None = None
    camera: QrCamera | None = None
    on_code: Callable[[str], None] | None = None  # the screen's handler for scanned codes
    on_catalog: Callable[[], None] | None = None
    sync_error: str | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _wake: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    @property
    def session(self) -> DeviceSession:
        return self.core.session

    def start(self) -> Runtime:
        self.core.on_config_change = self._config_changed
        self.session.start()
        for target, name in ((self._sync_loop, "motcua-catalog"), (self._recover, "motcua-recover")):
            th = threading.Thread(target=target, name=name, daemon=True)
            th.start()
            self._threads.append(th)
        return self

    def _config_changed(self, cfg: dict) -> None:
        if self.scanner is None and self.camera is None:
            self._start_readers()
        version = cfg.get("catalog_version")
        if isinstance(version, int) and version != self.catalog.version:
            self._wake.set()

    def _start_readers(self) -> None:
        if self.core.mode not in ("lookup", "dispenser"):  # a dispenser reads booking and CCCD QRs (#12)
            return
        hw = self.core.hardware
        try:
            from devicekit.drivers.scanner import make_scanner

            self.scanner = make_scanner(hw.get("scanner"), self._scanned)
            if self.scanner:
                self.scanner.start()
        except Exception as exc:  # a missing reader must not stop the lookup kiosk
            log.error("barcode reader not started: %s", exc)
        try:
            from devicekit.drivers.camera import make_camera

            self.camera = make_camera(hw.get("camera"), self._scanned)
            if self.camera:
                self.camera.start()
        except Exception as exc:
            log.error("camera not started: %s", exc)

    def _scanned(self, code: str) -> None:
        if self.on_code is not None:
            self.on_code(code)

    def _recover(self) -> None:
        """Reprint tickets a crash left unprinted, once the hub can answer."""
        if self.core.wait_config(3600) and self.core.mode == "dispenser":
            for issued in self.core.recover():
                log.warning("reprinted ticket %s after a restart", issued.ticket["number"])

    def _sync_loop(self) -> None:
        if not self.core.wait_config(3600) or self.core.mode != "lookup":
            return
        failures = 0
        while not self._stop.is_set():
            url = self.core.hub_url
            try:
                if not url:
                    raise OSError("the hub did not send its HTTP port")
                before = self.catalog.version
                self.catalog.sync(url)
                self.sync_error, failures = None, 0
                if self.catalog.version != before and self.on_catalog is not None:
                    self.on_catalog()
                wait = SYNC_PERIOD_S
            except (OSError, ValueError, KeyError) as exc:
                self.sync_error = str(exc)
                log.warning("catalogue sync failed (keeping version %s): %s", self.catalog.version, exc)
                wait = SYNC_RETRY_S[min(failures, len(SYNC_RETRY_S) - 1)]
                failures += 1
            self._wake.wait(wait)
            self._wake.clear()

    def health(self) -> dict:
        out = self.core.health()
        out["catalog_version"] = self.catalog.version
        for dev in (self.scanner, self.camera):
            if dev is not None:
                out.update(dev.health())
        return out

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for dev in (self.scanner, self.camera):
            if dev is not None:
                dev.stop()
        self.session.stop()


def load_config(config_path: Path) -> DeviceConfig:
    """The device config (each device keeps its state in a folder of its own: see DeviceConfig)."""
    return DeviceConfig.load(config_path)


def open_runtime(config_path: Path) -> Runtime:
    cfg = load_config(config_path)
    session = DeviceSession(cfg)
    from provisioning.fleetcmd import attach

    attach(session, config_path)  # issue #14: the hub may ask for a self-test or an update
    core = KioskCore(session)
    rt = Runtime(core, Catalog(cfg.data_dir / "catalog.db"))
    session.health_fn = rt.health
    return rt
