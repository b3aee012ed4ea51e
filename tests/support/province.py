"""A province on one machine for tests: a provincial hub and commune hubs, each `motcua hub serve` in its
own process with its own Mosquitto and database, joined with the real commands (docs/province.md).

The communes run on SQLite files, as commune centres do. The provincial hub runs on SQLite too, or, under
MOTCUA_TEST_DB=postgresql, on the test's PostgreSQL database (tests/conftest.py `_engine`): each data
directory is bound to its database (tests.support.hubproc.bind_database), and every helper here — `cli`,
`read`, the hub processes — follows that binding, whatever MOTCUA_DB says."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from devicekit.session import DeviceSession
from hub.cli.common import DEMO_SITE
from hub.store.datadir import DB_NAME
from hub.store.db import is_url
from kiosk.core import KioskCore
from motcua_core.errors import RequestError
from tests.support.hubproc import HubProcess as _HubProcess
from tests.support.hubproc import bind_database, database_of, hub_env, open_hub_db, prepare, register
from tests.support.net import wait_port

MOTCUA = [sys.executable, "-m", "motcua.cli"]


class HubProcess(_HubProcess):
    """`motcua hub serve` in its own process, given a minute and a half to listen: a province's tests start
    four of them with their brokers at once on a shared machine."""

    def start(self) -> HubProcess:
        try:
            return super().start()  # type: ignore[return-value]
        except TimeoutError:
            wait_port(self.http_port, timeout=60)
            return self


def cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """`motcua …` on the database bound to its `--data` directory."""
    env = hub_env(Path(args[args.index("--data") + 1])) if "--data" in args else None
    out = subprocess.run([*MOTCUA, *args], capture_output=True, text=True, timeout=60, env=env)
    if check:
        assert out.returncode == 0, f"motcua {' '.join(args)}: {out.stderr}"
    return out


def site_file(root: Path, site: str, name: str) -> Path:
    """The demo site under another id and name (site ids are unique in a province)."""
    doc = json.loads(DEMO_SITE.read_text(encoding="utf-8"))
    doc["site"]["id"] = site
    doc["site"]["name"] = name
    path = root / f"{site}.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def read(data: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Read a hub's database from the test: its SQLite file read-only (a reader beside the hub's writer, as
    WAL allows), or its PostgreSQL database through the store's engine (the same SQL)."""
    if is_url(database_of(data)):
        db = open_hub_db(data)
        try:
            return [tuple(r) for r in db.execute(sql, list(params)).fetchall()]
        finally:
            db.close()
    conn = sqlite3.connect(f"file:{data / DB_NAME}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def bind_province(data: Path) -> None:
    """The provincial hub's database: the test's PostgreSQL database when there is one, else its SQLite file."""
    test_db = os.environ.get("MOTCUA_DB", "")
    bind_database(data, test_db if is_url(test_db) else f"sqlite:///{data / DB_NAME}")


def bind_commune(data: Path) -> None:
    """A commune centre's database: always its own SQLite file."""
    bind_database(data, f"sqlite:///{data / DB_NAME}")


@dataclass
class Commune:
    site: str
    data: Path
    proc: HubProcess
    kiosk: KioskCore | None = None
    session: DeviceSession | None = None

    def start(self) -> Commune:
        cfg = register(self.data, "kiosk", self.proc.mqtt_port, site=self.site) if self.session is None else None
        self.proc.start()  # the broker starts with the kiosk's account already in it
        if cfg is not None:
            self.session = DeviceSession(cfg)
            self.session.start()
            assert self.session.wait_connected(30)
            self.kiosk = KioskCore(self.session)
        return self

    def restart(self) -> None:
        """Same ports, same data: the kiosk's session reconnects by itself."""
        self.proc = HubProcess(self.data, http_port=self.proc.http_port, mqtt_port=self.proc.mqtt_port,
                               mqtt_tls_port=self.proc.mqtt_tls_port).start()

    def issue(self, n: int, service: str = "HT") -> list[dict]:
        """n tickets, each retried with the same confirmation until the hub answers (a kiosk's way)."""
        assert self.kiosk is not None
        out = []
        for _ in range(n):
            rid = self.kiosk.new_confirmation()
            deadline = time.monotonic() + 60
            while True:
                try:
                    out.append(self.kiosk.issue_ticket(service, request_id=rid))
                    break
                except RequestError:
                    if time.monotonic() > deadline:
                        raise
        return out

    def link_processes(self) -> list[int]:
        """The pids of this commune's sync link processes (hub.sync.link_process): one while its hub runs."""
        out = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                argv = (proc / "cmdline").read_bytes().decode(errors="replace").split("\0")
            except OSError:
                continue
            if "hub.sync.link_process" in argv and str(self.data) in argv:
                out.append(int(proc.name))
        return out

    def machine_dies(self) -> None:
        """The whole machine stops at once: the hub, its sync link and its broker killed with SIGKILL, and
        nothing of theirs still touching the data directory when this returns (a link left to stop by
        itself after its hub's death closes its database, and removes the WAL file, a moment later)."""
        import signal

        from tests.support.hubproc import _kill_orphan_broker

        self.proc.kill_hard()
        deadline = time.monotonic() + 30
        while pids := self.link_processes():
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            assert time.monotonic() < deadline, f"sync link processes {pids} outlived their hub"
            time.sleep(0.05)
        _kill_orphan_broker(self.data)
        conf = str((self.data / "broker" / "mosquitto.conf").resolve())
        while subprocess.run(["pgrep", "-f", conf], capture_output=True).returncode == 0:
            assert time.monotonic() < deadline, "the commune's broker outlived its hub"
            time.sleep(0.05)

    def cut(self) -> None:
        (self.data / "sync.pause").touch()

    def mend(self) -> None:
        (self.data / "sync.pause").unlink(missing_ok=True)

    def seq(self) -> int:
        return read(self.data, "SELECT seq FROM sync_sites WHERE site_id = ?", (self.site,))[0][0]

    def ticket_ids(self) -> list[int]:
        return [r[0] for r in read(self.data, "SELECT id FROM tickets WHERE site_id = ? ORDER BY id", (self.site,))]

    def stop(self) -> None:
        if self.session is not None:
            self.session.stop()
        self.proc.stop()


@dataclass
class Province:
    root: Path
    data: Path
    proc: HubProcess
    communes: list[Commune]

    def hwm(self, site: str) -> int:
        rows = read(self.data, "SELECT hwm FROM sync_hwm WHERE site_id = ?", (site,))
        return rows[0][0] if rows else 0

    def wait_caught_up(self, commune: Commune, timeout: float = 30.0) -> float:
        """Seconds until the province's high-water mark for the commune's site equals its sequence."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.hwm(commune.site) == commune.seq() and commune.seq() > 0:
                return time.monotonic() - t0
            time.sleep(0.1)
        raise AssertionError(f"{commune.site}: province at {self.hwm(commune.site)}, commune at {commune.seq()} "
                             f"after {timeout} s")

    def ticket_keys(self, site: str) -> list[str]:
        return [r[0] for r in read(self.data, "SELECT key FROM sync_rows WHERE site_id = ? AND kind = 'ticket'",
                                   (site,))]

    def join(self, commune: Commune) -> None:
        """`province add-centre` then `province join` (again, after a restore: a new epoch)."""
        code = cli("hub", "province", "add-centre", "--data", str(self.data), commune.site,
                   "--name", f"Xã {commune.site}").stdout.split(": ")[1].split()[0]
        cli("hub", "province", "join", "--data", str(commune.data), "--hub",
            f"http://127.0.0.1:{self.proc.http_port}", "--code", code, "--mqtt-plain")

    def stop(self) -> None:
        for c in self.communes:
            c.stop()
        self.proc.stop()


def province(root: Path, communes: int = 3, *, with_catalogue: bool = False) -> Province:
    """A running provincial hub and `communes` running commune hubs joined to it, each with a kiosk."""
    pdata = root / "tinh"
    bind_province(pdata)
    prepare(pdata, site_file(root, "tinh", "Trung tâm Phục vụ hành chính công tỉnh"))
    cli("hub", "province", "init", "--data", str(pdata), "--name", "Tỉnh Mẫu")
    p = Province(root, pdata, HubProcess(pdata).start(), [])
    for i in range(communes):
        site = f"xa-{i + 1}"
        data = root / site
        bind_commune(data)
        prepare(data, site_file(root, site, f"Xã số {i + 1}"), with_catalogue=with_catalogue)
        c = Commune(site, data, HubProcess(data))
        p.join(c)
        p.communes.append(c.start())
    return p


def issue_main(argv: list[str] | None = None) -> int:
    """`python -m tests.support.province DATA SITE MQTT_PORT N`: register a kiosk at that hub and issue N
    tickets — run inside a network namespace, where the commune's LAN is."""
    data, site, port, n = (argv or sys.argv[1:])[:4]
    bind_commune(Path(data))
    cfg = register(Path(data), "kiosk", int(port), site=site)
    time.sleep(1.5)  # the running hub rewrites its broker accounts within a second
    session = DeviceSession(cfg)
    session.start()
    try:
        assert session.wait_connected(30), "kiosk could not connect"
        c = Commune(site, Path(data), HubProcess(Path(data)), KioskCore(session), session)
        print(json.dumps([t["number"] for t in c.issue(int(n))]))
    finally:
        session.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(issue_main())
