"""Running a real hub for tests: in-process (with a controllable clock) or as a separate process.

Nothing here fakes the hub: it is the same Hub class `motcua hub serve` runs, with its own Mosquitto,
on free ports in a temporary directory.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import dataclasses
import hashlib
import json
import os
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from devicekit.session import DeviceSession
from hub.app import HubConfig, load_site_file, open_data_dir
from hub.cli.common import DEMO_SITE
from hub.cli.devices import device_config_dict
from hub.store import devices as device_store
from hub.store.datadir import DB_NAME
from hub.store.db import is_url, target_for, transaction
from motcua.demo import HubThread
from motcua_core import clock as wallclock
from motcua_core.device_config import DeviceConfig
from tests.support.net import free_port, wait_port


class Clock:
    """The system's wall clock (motcua_core.clock: shifted by MOTCUA_TEST_NOW) plus an offset a test can
    move forward (to cross midnight, say)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return wallclock.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    def set(self, ts: float) -> None:
        """Jump to the moment `ts` (seconds since the epoch); the clock advances normally from there."""
        self.offset = ts - wallclock.time()


@dataclass
class _Template:
    db: Path
    identities: list[str]  # meta keys a migration fills with random values (db_id, hub_id, secrets …)


_templates: dict[tuple[str, bool], _Template] = {}

# A test that runs several hubs gives each its own database: a province runs its provincial hub on the test's
# PostgreSQL database (under MOTCUA_TEST_DB=postgresql) and each commune on its own SQLite file, as in real
# life. `bind_database(data, target)` says which; from then on every helper here given that data directory
# (prepare, register, HubProcess, hub_env, open_hub_db) uses it, whatever MOTCUA_DB says.
_bound: dict[Path, str] = {}


def bind_database(data: Path, target: str) -> None:
    """`target`: a postgresql:// URL, or sqlite:///<data>/motcua.db."""
    _bound[Path(data).resolve()] = target


def database_of(data: Path) -> str | None:
    """The database bound to this data directory, or None (then MOTCUA_DB, else <data>/motcua.db)."""
    return _bound.get(Path(data).resolve())


def hub_env(data: Path) -> dict[str, str]:
    """The environment for a `motcua` process working on this data directory (its bound database)."""
    bound = database_of(data)
    return {**os.environ, "MOTCUA_DB": bound} if bound else {**os.environ}


def open_hub_db(data: Path):
    """This data directory's database, opened as the hub opens it (either engine)."""
    return open_data_dir(data, db=database_of(data))


def prepare(data: Path, site_file: Path = DEMO_SITE, *, with_catalogue: bool = False) -> None:
    """A data directory with the site loaded (and the starter catalogue of procedures, when asked).

    Migrating a new database and loading a site takes seconds, and nearly every test wants one: the first
    call per site file (and catalogue) in a process prepares two databases the real way; later calls copy
    one (SQLite's backup API; on PostgreSQL, CREATE DATABASE … TEMPLATE) and draw afresh every meta value
    in which the two differ (the identities and secrets migrations generate), so each copy is a hub of its
    own, as a new database would be."""
    target = target_for(data, database_of(data))
    if is_url(target):
        if not _copy_pg_template(str(target), site_file, with_catalogue):
            _prepare(data, site_file, with_catalogue)
        open_hub_db(data).conn.close()  # the data directory, private
        return
    if (data / DB_NAME).exists():
        _prepare(data, site_file, with_catalogue)
        return
    key = (hashlib.sha256(Path(site_file).read_bytes()).hexdigest(), with_catalogue)
    template = _templates.get(key)
    if template is None:
        root = Path(tempfile.mkdtemp(prefix="motcua-template-"))
        atexit.register(shutil.rmtree, root, True)
        for n in "ab":  # SQLite files whatever MOTCUA_DB says: this branch copies one
            bind_database(root / n, f"sqlite:///{root / n / DB_NAME}")
            _prepare(root / n, site_file, with_catalogue)
        a, b = (dict(sqlite3.connect(root / n / DB_NAME).execute("SELECT key, value FROM meta")) for n in "ab")
        template = _templates[key] = _Template(root / "a" / DB_NAME, sorted(k for k in a if a[k] != b.get(k)))
    data.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(template.db), sqlite3.connect(data / DB_NAME)
    try:
        src.backup(dst)
        for name in template.identities:
            (old,) = dst.execute("SELECT value FROM meta WHERE key = ?", [name]).fetchone()
            dst.execute("UPDATE meta SET value = ? WHERE key = ?", [_fresh(old), name])
        dst.commit()
    finally:
        src.close()
        dst.close()
    open_hub_db(data).conn.close()  # private modes, and hub.id beside the database


_pg_templates: dict[tuple[str, str, bool], _PgTemplate] = {}


@dataclass
class _PgTemplate:
    name: str  # a database of the same server, prepared the real way
    identities: list[str]


def _with_dbname(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _copy_pg_template(url: str, site_file: Path, with_catalogue: bool) -> bool:
    """Make the PostgreSQL database `url` a copy of a prepared template (CREATE DATABASE … TEMPLATE, about
    0.2 s where loading the site takes 1–2.5 s), with fresh identities. Only on the test session's cluster
    (it has the `motcua_template` database: many tests, worth two preparations to make the template).
    False, changing nothing, when that is not it or the database already holds a site or is in use: then
    it is prepared the real way."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(url, autocommit=True) as conn:
        if not conn.execute("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'motcua_template')"
                            ).fetchone()[0]:
            return False
        has_sites = conn.execute("SELECT to_regclass('sites') IS NOT NULL").fetchone()[0]
        if has_sites and conn.execute("SELECT EXISTS (SELECT 1 FROM sites)").fetchone()[0]:
            return False
    admin = _with_dbname(url, "postgres")
    digest = hashlib.sha256(Path(site_file).read_bytes()).hexdigest()
    key = (admin, digest, with_catalogue)
    template = _pg_templates.get(key)
    if template is None:
        base = f"motcua_tpl_{digest[:12]}_{int(with_catalogue)}"
        meta = {}
        for n in "ab":  # two copies of this empty database prepared the real way, to see what differs
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{base}{n}"')
                conn.execute(f'CREATE DATABASE "{base}{n}" TEMPLATE "{name}"')
            where = Path(tempfile.mkdtemp(prefix="motcua-template-"))
            atexit.register(shutil.rmtree, where, True)
            bind_database(where, _with_dbname(url, base + n))
            _prepare(where, site_file, with_catalogue)
            with psycopg.connect(_with_dbname(url, base + n)) as conn:
                meta[n] = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        a, b = meta["a"], meta["b"]
        template = _pg_templates[key] = _PgTemplate(base + "a", sorted(k for k in a if a[k] != b.get(k)))
    with psycopg.connect(admin, autocommit=True) as conn:
        try:
            conn.execute(f'DROP DATABASE "{name}"')
        except psycopg.errors.ObjectInUse:
            return False
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template.name}"')
    with psycopg.connect(url) as conn:
        for k in template.identities:
            (old,) = conn.execute("SELECT value FROM meta WHERE key = %s", [k]).fetchone()
            conn.execute("UPDATE meta SET value = %s WHERE key = %s", [_fresh(old), k])
    return True


def _fresh(value: str) -> str:
    """A new random value shaped like `value` (hex stays hex, of the same length)."""
    if value and all(c in "0123456789abcdef" for c in value):
        return secrets.token_hex(len(value) // 2 + 1)[:len(value)]
    return secrets.token_urlsafe(len(value))[:len(value)]


def _prepare(data: Path, site_file: Path, with_catalogue: bool) -> None:
    db = open_hub_db(data)
    load_site_file(db, site_file)
    if with_catalogue:
        from hub.store import catalogue

        with transaction(db):
            catalogue.load(db, json.loads(catalogue.STARTER.read_text(encoding="utf-8")))
    db.conn.close()


def register(data: Path, role: str, mqtt_port: int, *, counter: int | None = None, device_id: str | None = None,
             site: str = "demo", request_timeout_s: float = 2.0) -> DeviceConfig:
    """A device registered at the hub of `data`, and its config. Requests wait `request_timeout_s` per attempt
    (four attempts): short, for tests that take the hub away; a hub in its own process beside others on a
    loaded machine may take longer over a dossier's intake, and its tests ask for more."""
    db = open_hub_db(data)
    with transaction(db):
        dev, secret = device_store.add(db, site_id=site, role=role, now=wallclock.time(), counter=counter,
                                       device_id=device_id)
    db.conn.close()
    return DeviceConfig.from_dict({**device_config_dict(dev, secret, "127.0.0.1", mqtt_port),
                                   "data_dir": str(data / "device-state" / dev.id),
                                   "request_timeout_s": request_timeout_s, "request_retries": 3})


@dataclass
class InProcessHub:
    data: Path
    http_port: int = field(default_factory=free_port)
    mqtt_port: int = field(default_factory=free_port)
    clock: Clock = field(default_factory=Clock)
    sessions: list[DeviceSession] = field(default_factory=list)
    thread: HubThread | None = None
    http_host: str = "127.0.0.1"
    mqtt_tls_port: int | None = None  # a TLS listener with the hub's CA (issue #10), when a test wants one

    def start(self) -> InProcessHub:
        from hub.app import Hub

        self.thread = HubThread(HubConfig(data_dir=self.data, http_host=self.http_host, http_port=self.http_port,
                                          mqtt_port=self.mqtt_port, mqtt_tls_port=self.mqtt_tls_port,
                                          db=database_of(self.data)))
        self.thread.hub = Hub(self.thread.hub.config, clock=self.clock)
        self.thread.start()
        return self

    @property
    def hub(self):
        assert self.thread is not None
        return self.thread.hub

    def device(self, role: str, *, counter: int | None = None, start: bool = True,
               device_id: str | None = None, **config: object) -> DeviceSession:
        """A registered device's session; `config` overrides its DeviceConfig's fields (a test that compares
        a last-contact time wants no timed health report, say: health_interval_s=3600)."""
        cfg = register(self.data, role, self.mqtt_port, counter=counter, device_id=device_id)
        if config:
            cfg = dataclasses.replace(cfg, **config)
        if self.thread is not None:  # let the running hub apply the new account now, not at its next poll
            asyncio.run_coroutine_threadsafe(self.hub.sync_registry(), self.thread.loop).result(10)
        return self.session(cfg, start=start)

    def session(self, cfg: DeviceConfig, start: bool = True) -> DeviceSession:
        s = DeviceSession(cfg)
        self.sessions.append(s)
        if start:
            s.start()
            assert s.wait_connected(10), "device could not connect to the hub's broker"
        return s

    def stop(self) -> None:
        for s in self.sessions:
            s.stop()
        if self.thread is not None:
            self.thread.stop()


@dataclass
class HubProcess:
    """`motcua hub serve` in its own process, for kill -9 and restart tests."""

    data: Path
    http_port: int = field(default_factory=free_port)
    mqtt_port: int = field(default_factory=free_port)
    mqtt_tls_port: int = field(default_factory=free_port)  # the LAN listener (TLS with the hub's CA)
    proc: subprocess.Popen | None = None

    def start(self) -> HubProcess:
        with open(self.data / "hub-process.log", "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "motcua.cli", "hub", "serve", "--data", str(self.data),
                 "--http-host", "127.0.0.1", "--http-port", str(self.http_port), "--mqtt-bind", "127.0.0.1",
                 "--mqtt-port", str(self.mqtt_port), "--mqtt-tls-port", str(self.mqtt_tls_port)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=hub_env(self.data),
            )
        wait_port(self.http_port, timeout=30)
        return self

    def kill_hard(self) -> None:
        """SIGKILL the hub alone; its Mosquitto child lives on in its own session, like after a crash."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        _kill_orphan_broker(self.data)


def _kill_orphan_broker(data: Path) -> None:
    """A hub killed with SIGKILL leaves its Mosquitto running; tests clean it up by its config path."""
    conf = str((data / "broker" / "mosquitto.conf").resolve())
    out = subprocess.run(["pgrep", "-f", conf], capture_output=True, text=True).stdout.split()
    for pid in out:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGTERM)


def health(port: int) -> dict:
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=5) as r:
        return json.loads(r.read())
