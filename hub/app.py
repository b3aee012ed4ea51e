"""The hub process: database, embedded (or external) broker, MQTT router and web API, wired together."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import shutil
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import sqlite_utils
from aiohttp import web

from hub import timers
from hub.broker import tls as broker_tls
from hub.broker.files import Account, TlsListener
from hub.broker.passwd import hash_secret, secret_file
from hub.broker.supervisor import BrokerSupervisor
from hub.mqtt.router import Router
from hub.mqtt.transport import HubMqtt
from hub.ops import links
from hub.ops.run import Runner
from hub.ops.sites import load_site
from hub.store import datadir, enrolment
from hub.store import devices as device_store
from hub.store.db import get_meta, is_url, open_db, set_meta, target_for, transaction
from hub.store.migrations import schema_version
from hub.store.sites import list_sites
from hub.sync.service import start_sync, sync_accounts
from hub.web.app import make_app
from hub.web.common import HEADER_TIMEOUT_S
from motcua_core import clock as wallclock
from motcua_core.text import read_text_nfc

log = logging.getLogger("motcua.hub")

HUB_USER = "motcua-hub"
VERSION = "0.1.0"
CONFIG_CHUNK = 100  # device configs published per turn of the event loop (2,000 at once held it 290 ms)
# The hub's connection runs on the event loop: it waits at most this long for another process's write
# lock, then the router retries the batch later (a frozen loop would stall every device and page).
HUB_BUSY_TIMEOUT_MS = 20
DISK_LOW_BYTES = 64 * 1024 * 1024  # health says degraded below this much free space (or 1 % of a small disk)
COMMIT_FAILURE_WINDOW_S = 60.0


@dataclass
class HubConfig:
    data_dir: Path
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    mqtt_bind: str = "127.0.0.1"  # the plain listener: loopback unless mqtt_plain_lan
    mqtt_port: int = 1883
    mqtt_tls_port: int | None = None  # the LAN listener (TLS, the hub's own CA); None: none
    mqtt_tls_bind: str = "0.0.0.0"
    mqtt_plain_lan: bool = False  # the site asks for plain MQTT beyond this machine (a trusted LAN)
    broker_url: str | None = None  # mqtt://user:password@host:port for an external broker
    site_file: Path | None = None
    synchronous: str = "FULL"
    db: str | None = None  # postgresql://… (or sqlite:///…); None: $MOTCUA_DB, else <data>/motcua.db
    lookup_limit: int = 20  # public dossier lookups per minute per client address or device (hub.ops.dossiers)
    extra: dict = field(default_factory=dict)

    @property
    def db_path(self) -> Path:
        return self.data_dir / "motcua.db"

    @property
    def db_target(self) -> Path | str:
        """The database this hub serves: a SQLite path or a PostgreSQL URL (hub.store.db.target_for)."""
        return target_for(self.data_dir, self.db)

    @property
    def broker_dir(self) -> Path:
        return self.data_dir / "broker"


def open_data_dir(data_dir: Path, synchronous: str = "FULL", *, busy_timeout_ms: int = 10_000,
                  db: str | None = None) -> sqlite_utils.Database:
    """Open the data directory's database (`db`, else $MOTCUA_DB, else <data>/motcua.db): refuse a lost or
    foreign SQLite file (datadir.check), keep the directory private (umask 0077, directory 0700, files
    0600). A PostgreSQL database is the server's to guard; the directory still holds the broker's files."""
    target = target_for(data_dir, db)
    if is_url(target):
        datadir.make_private(data_dir)
        served = open_db(target, busy_timeout_ms=busy_timeout_ms)
        served.data_dir = data_dir  # the hub's private files (signing certificate, sealing key) stay here
        return served
    datadir.check(data_dir)
    datadir.make_private(data_dir)
    opened = open_db(target, synchronous=synchronous, busy_timeout_ms=busy_timeout_ms)
    datadir.remember_id(data_dir, get_meta(opened, "db_id") or "")
    return opened


def _loopback(bind: str) -> bool:
    return bind == "localhost" or bind.startswith("127.") or bind == "::1"


def hub_secret(data_dir: Path) -> str:
    """The hub's own broker password, made once and kept readable by the hub's user only."""
    return secret_file(data_dir / "hub.secret")


def broker_accounts(db: sqlite_utils.Database, data_dir: Path) -> list[Account]:
    accounts = [Account(HUB_USER, hash_secret(hub_secret(data_dir)))]
    pending = enrolment.pending_ids(db)  # issue #14: a device waiting for its board has no login
    accounts += [Account(d.id, d.secret_hash, d.site_id) for d in device_store.list_all(db)
                 if not d.revoked and d.id not in pending]
    return accounts + sync_accounts(db, data_dir)


def load_site_file(db: sqlite_utils.Database, path: Path, runner: Runner | None = None) -> str:
    """Load (or update) a site from its JSON file, through the runner (effects deferred to the hub); the
    CLI passes its own runner, so the change is in the audit log under its user."""
    config = json.loads(read_text_nfc(path))
    return (runner or Runner(db)).run(None, lambda ctx: load_site(ctx, config), action="site.load")


class Hub:
    def __init__(self, config: HubConfig, clock: Callable[[], float] = wallclock.time):
        self.config = config
        self.clock = clock
        self.started_at = time.time()
        self.db: sqlite_utils.Database | None = None
        self.broker: BrokerSupervisor | None = None
        self.mqtt: HubMqtt | None = None
        self.router: Router | None = None
        self._tasks: list[asyncio.Task] = []
        self._web: web.AppRunner | None = None
        self._devices_rev = -1
        self._configs_task: asyncio.Task | None = None
        self.http_port: int | None = None
        self.sync = None  # the province's receiver or the centre's link (hub.sync), when configured

    async def start(self) -> None:
        cfg = self.config
        self.db = open_data_dir(cfg.data_dir, cfg.synchronous, busy_timeout_ms=HUB_BUSY_TIMEOUT_MS, db=cfg.db)
        await self._become_active()
        if cfg.site_file is not None:
            load_site_file(self.db, cfg.site_file)
        if not list_sites(self.db):
            log.warning("no site configured yet: load one with `motcua hub site load FILE`")
        host, port, user, password = await self._start_broker()
        loop = asyncio.get_running_loop()
        self.mqtt = HubMqtt(host, port, user, password, on_message=lambda m: self.router.submit(m))
        self.router = Router(self.db, self.mqtt, self.clock)
        self.router.bind_loop(loop)
        self.router.hub_info = {"http_port": cfg.http_port}
        self.mqtt.after_read = self.router.drain
        self.mqtt.on_connect = lambda: loop.call_soon_threadsafe(self._republish_all)
        self.mqtt.start()
        if not await self.mqtt.wait_connected(15):
            raise RuntimeError(f"hub could not connect to the broker at {host}:{port}")
        self.router.purge_old_requests()
        self._tasks.append(asyncio.create_task(self.router.run(), name="router"))
        self._tasks += timers.start(self)
        self.sync = start_sync(self)
        # keepalive_timeout is also aiohttp's only clock on a connection waiting for a request's headers:
        # a client that opens a socket and trickles header bytes is closed after HEADER_TIMEOUT_S.
        self._web = web.AppRunner(make_app(self), access_log=None, keepalive_timeout=HEADER_TIMEOUT_S)
        await self._web.setup()
        site = web.TCPSite(self._web, cfg.http_host, cfg.http_port)
        await site.start()
        self.http_port = self._web.addresses[0][1] if self._web.addresses else cfg.http_port
        self._record_hub_url()
        log.info("hub ready: http://%s:%s  mqtt %s:%s", cfg.http_host, self.http_port, host, port)

    async def _become_active(self) -> None:
        """One active hub per database: on PostgreSQL a second `hub serve` waits here as a standby (no broker,
        no router, no timers, no HTTP) until the active one's lease is free (its connection closed or died),
        checking every second. SQLite needs none: one file belongs to one machine."""
        if not hasattr(self.db, "take_active_lease"):
            return
        waited = False
        while not self.db.take_active_lease():
            if not waited:
                log.warning("another hub is active on this database: waiting as standby")
                waited = True
            await asyncio.sleep(1.0)
        if waited:
            log.warning("the active hub is gone: taking over")

    def _record_hub_url(self) -> None:
        """Remember where phones reach this hub (receipts printed by a CLI process use it too) and push
        it to every device: their QR links start with it unless the site sets `public_url`."""
        assert self.db is not None and self.router is not None
        url = links.hub_url(self.config.http_host, self.http_port or self.config.http_port)
        if get_meta(self.db, "hub_url") == url:
            return
        with transaction(self.db):
            set_meta(self.db, "hub_url", url)
        self._republish_all()

    async def _start_broker(self) -> tuple[str, int, str, str]:
        cfg = self.config
        assert self.db is not None
        if cfg.broker_url:
            u = urlparse(cfg.broker_url)
            if u.scheme != "mqtt" or not u.hostname:
                raise ValueError(f"broker URL must look like mqtt://user:password@host:port, got {cfg.broker_url!r}")
            return u.hostname, u.port or 1883, u.username or HUB_USER, u.password or ""
        if not _loopback(cfg.mqtt_bind) and not cfg.mqtt_plain_lan:
            raise ValueError(f"plain MQTT on {cfg.mqtt_bind} would carry device passwords and citizens' data "
                             "unencrypted over the LAN: devices there use the TLS listener (--mqtt-tls-port); "
                             "give --mqtt-plain-lan to accept plain MQTT on a trusted network")
        tls = None
        if cfg.mqtt_tls_port:
            ca, cert, key = broker_tls.ensure(cfg.broker_dir, broker_tls.default_names(cfg.mqtt_tls_bind))
            tls = TlsListener(cfg.mqtt_tls_port, cfg.mqtt_tls_bind, ca, cert, key)
        self.broker = BrokerSupervisor(cfg.broker_dir, port=cfg.mqtt_port, bind=cfg.mqtt_bind, tls=tls)
        await self.broker.start(broker_accounts(self.db, cfg.data_dir))
        self._devices_rev = device_store.revision(self.db)
        host = "127.0.0.1" if cfg.mqtt_bind in ("0.0.0.0", "::", "") else cfg.mqtt_bind
        return host, cfg.mqtt_port, HUB_USER, hub_secret(cfg.data_dir)

    def _republish_all(self) -> None:
        """After (re)connecting: retained display states and device configs reflect the database (the
        configs in chunks, so requests are served meanwhile)."""
        assert self.db is not None and self.router is not None
        for site in list_sites(self.db):
            self.router.publish_display(site, force=True)
        if self._configs_task is not None:
            self._configs_task.cancel()
        self._configs_task = asyncio.get_running_loop().create_task(self._publish_configs(), name="configs")

    async def _publish_configs(self) -> None:
        """Every device's retained config, CONFIG_CHUNK per turn of the event loop."""
        assert self.db is not None and self.router is not None and self.mqtt is not None
        for i, dev in enumerate(device_store.list_all(self.db), 1):
            self.router.publish_config(dev.id)
            if i % CONFIG_CHUNK == 0:
                self.mqtt.flush()
                await asyncio.sleep(0)

    @property
    def runner(self) -> Runner:
        """The one way to run an operation in this process (hub.ops.run), publishing through MQTT."""
        assert self.router is not None
        return self.router.runner

    def forget_registry(self) -> None:
        """Make the next sync_registry() rewrite the broker accounts and configs whatever the revision."""
        self._devices_rev = -1

    async def sync_registry(self) -> bool:
        """Apply registry changes now: rewrite broker accounts and device configs. True if anything changed."""
        assert self.db is not None and self.router is not None
        rev = device_store.revision(self.db)
        if rev == self._devices_rev:
            return False
        self._devices_rev = rev
        if self.broker is not None:
            await self.broker.reload(broker_accounts(self.db, self.config.data_dir))
        await self._publish_configs()
        for site in list_sites(self.db):
            self.router.publish_display(site)
            await asyncio.sleep(0)
        log.info("device registry changed (rev %s): broker accounts reloaded", rev)
        return True

    def health(self) -> dict:
        db_ok = True
        try:
            assert self.db is not None
            schema = schema_version(self.db)
        except Exception:
            db_ok, schema = False, None
        broker = self.broker.status() if self.broker else {"mode": "external", "url_host": self.mqtt.host
                                                           if self.mqtt else None}
        broker["connected"] = bool(self.mqtt and self.mqtt.connected)
        problems = self.problems(db_ok, broker)
        return {
            "status": "degraded" if problems else "ok",
            "problems": problems,
            "version": VERSION,
            "uptime_s": round(time.time() - self.started_at, 1),
            "database": {"ok": db_ok, "engine": "postgresql" if is_url(self.config.db_target) else "sqlite",
                         "path": str(self.config.db_path), "schema_version": schema,
                         # PostgreSQL: statements and round trips since the connection opened (the bench's
                         # round trips per call)
                         **dict(getattr(self.db, "stats", {}))},
            "broker": broker,
            "router": dict(self.router.stats) if self.router else None,
        }

    def problems(self, db_ok: bool, broker: dict) -> list[str]:
        """What a technician must look at: the database unreadable, commits failing (a full disk), the
        disk nearly full, the broker down or unreachable. Empty when the hub serves normally."""
        out = []
        if not db_ok:
            out.append("database unreadable")
        r = self.router
        if r is not None and r.last_commit_error is not None and \
                (r.last_commit is None or r.last_commit < r.last_commit_error) and \
                time.time() - r.last_commit_error < COMMIT_FAILURE_WINDOW_S:
            out.append("commits failing")
        try:
            disk = shutil.disk_usage(self.config.data_dir)
            if disk.free < min(DISK_LOW_BYTES, disk.total // 100):
                out.append("disk almost full")
        except OSError:
            out.append("data directory unreadable")
        if self.broker is not None and not broker.get("running", False):
            out.append("broker not running")
        if not broker["connected"]:
            out.append("hub not connected to the broker")
        return out

    async def stop(self) -> None:
        if self._configs_task is not None:
            self._configs_task.cancel()
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        self._tasks.clear()
        if self.sync is not None:
            await asyncio.to_thread(self.sync.stop)
        if self._web is not None:
            await self._web.cleanup()
        if self.router is not None:
            self.router.flush_presence()  # what devices said in the last half second is kept
        if self.mqtt is not None:
            self.mqtt.stop()
        if self.broker is not None:
            await self.broker.stop()
        if self.db is not None:
            self.db.conn.close()

    async def serve_forever(self) -> None:
        """Run until SIGINT or SIGTERM (systemd's stop), then stop cleanly, Mosquitto included. A start
        that fails half-way (the HTTP port taken) stops what it had started: no Mosquitto or sync link
        left running without its hub."""
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        # Everything built at start (modules, catalogue, aiohttp) lives as long as the process: out of
        # the collector's reach, a full collection no longer stalls a call for tens of milliseconds.
        gc.collect()
        gc.freeze()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            await self.stop()
