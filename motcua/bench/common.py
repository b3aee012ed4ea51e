"""What every benchmark needs: its own hub process on free ports in a temporary directory, devices
registered the way `motcua hub device add` does it, percentiles, and the JSON result line.

The hub runs as `python -m motcua.cli hub serve` in a separate process, so it has its own GIL as in
production and the benchmark's clients do not steal its CPU time slices inside one interpreter.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from devicekit.session import DeviceSession
from motcua_core.device_config import DeviceConfig
from motcua_core.ports import free_port


def log(msg: str) -> None:
    """Progress for a person: stderr, so stdout ends with the JSON line alone."""
    print(f"[bench] {msg}", file=sys.stderr, flush=True)




def percentile(values: Iterable[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def ms(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def rss_mb(pid: int | None) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, TypeError):
        pass
    return None


def cpu_times(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    return sum(cpu_times(pid))


def emit(result: dict[str, Any], as_json: bool) -> None:
    """Print the result: a readable summary, then (with --json) one JSON object as the last line."""
    if as_json:
        for key, value in result.items():
            print(f"  {key}: {value}", file=sys.stderr)
        print(json.dumps(result, ensure_ascii=False), flush=True)
    else:
        for key, value in result.items():
            print(f"{key}: {value}")


@contextlib.contextmanager
def _sigint_not_ignored() -> Iterator[None]:
    """Let a child inherit a usable SIGINT, which is how the hub is stopped cleanly.

    A shell starts background jobs with SIGINT ignored, and an ignored signal stays ignored across exec:
    the hub would then never see our SIGINT. A handler (unlike SIG_IGN) is reset to the default on exec.
    """
    ignored = threading.current_thread() is threading.main_thread() and \
        signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)


class BenchHub:
    """A hub process with its embedded Mosquitto, the demo site loaded, in a fresh temporary directory.

    Register devices before `start()`: the broker reads its accounts when it starts.
    """

    def __init__(self, prefix: str = "motcua-bench-", synchronous: str = "FULL") -> None:
        self.synchronous = synchronous  # the hub's SQLite durability setting (see `motcua hub serve --help`)
        self.root = Path(tempfile.mkdtemp(prefix=prefix))
        self.data = self.root / "hub"
        self.http_port = free_port()
        self.mqtt_port = free_port()
        self.proc: subprocess.Popen | None = None
        self.broker_pid: int | None = None
        self.keep = bool(os.environ.get("MOTCUA_BENCH_KEEP"))
        self._tokens: dict[tuple[str, str | None], str] = {}

    # --- data directory (before start) ------------------------------------------------------------

    def prepare(self) -> None:
        """Create the database and load the demo site (counters 1–8, services HT, CT, …)."""
        from hub.app import load_site_file, open_data_dir
        from hub.cli.common import DEMO_SITE

        db = open_data_dir(self.data)
        try:
            load_site_file(db, DEMO_SITE)
        finally:
            db.conn.close()

    def register(self, role: str, count: int = 1, *, counter: int | None = None, site: str = "demo",
                 **overrides: Any) -> list[DeviceConfig]:
        """Register `count` devices of `role` and return their configs (pointing at this hub's broker)."""
        from hub.app import open_data_dir
        from hub.cli.devices import device_config_dict
        from hub.store import devices as device_store
        from hub.store.db import transaction

        db = open_data_dir(self.data)
        configs = []
        try:
            with transaction(db):
                for _ in range(count):
                    dev, secret = device_store.add(db, site_id=site, role=role, now=time.time(),
                                                   counter=counter)
                    configs.append(DeviceConfig.from_dict({
                        **device_config_dict(dev, secret, "127.0.0.1", self.mqtt_port),
                        "data_dir": str(self.root / "device-state" / dev.id),
                        "health_interval_s": 3600.0, **overrides}))
        finally:
            db.conn.close()
        return configs

    def hub_account(self) -> tuple[str, str]:
        """The hub's own broker login (full access under motcua/#), for broker-only measurements."""
        from hub.app import HUB_USER, hub_secret

        return HUB_USER, hub_secret(self.data)

    # --- the process ------------------------------------------------------------------------------

    def start(self, timeout: float = 30.0, extra_args: tuple[str, ...] = ()) -> None:
        """Start `motcua hub serve` (plus `extra_args`) and wait until GET /api/v1/health says ok."""
        import motcua

        src = str(Path(motcua.__file__).resolve().parents[1])  # works from a checkout and when installed
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)}
        with open(self.root / "hub.log", "ab") as out, _sigint_not_ignored():
            # MOTCUA_HUB_PROFILE=<file>: run the hub under cProfile and write its statistics there on exit.
            profile = os.environ.get("MOTCUA_HUB_PROFILE")
            self.proc = subprocess.Popen(
                [sys.executable, *(["-m", "cProfile", "-o", profile] if profile else []),
                 "-m", "motcua.cli", "hub", "serve", "--data", str(self.data),
                 "--http-host", "127.0.0.1", "--http-port", str(self.http_port),
                 "--mqtt-bind", "127.0.0.1", "--mqtt-port", str(self.mqtt_port), "--mqtt-tls-port", "0",
                 "--synchronous", self.synchronous, *extra_args],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hub exited with code {self.proc.returncode}\n{self.log_tail()}")
            with contextlib.suppress(OSError, ValueError):
                h = self.health()
                if h.get("status") == "ok":
                    self.broker_pid = (h.get("broker") or {}).get("pid")
                    log(f"hub up: http :{self.http_port}, mqtt :{self.mqtt_port}, data in {self.root}")
                    return
            time.sleep(0.05)
        raise RuntimeError(f"hub not healthy after {timeout}s\n{self.log_tail()}")

    def health(self) -> dict:
        """The detailed health (router counters, broker pid): a technician's view, with a token of its own."""
        url = f"http://127.0.0.1:{self.http_port}/api/v1/health/detail"
        # the province's technician: on a hub of several sites, hub-wide health is not a site's to read
        req = urllib.request.Request(url, headers={"Authorization": f"Bearer {self.api_token('technician', None)}"})
        with urllib.request.urlopen(req, timeout=2) as r:
            return json.loads(r.read())

    def api_token(self, role: str, site: str | None = "demo") -> str:
        """An API token of `role` on a site (the demo site; None: the province scope), made once per bench hub."""
        if (role, site) not in self._tokens:
            from hub.app import open_data_dir
            from hub.store import tokens
            from hub.store.db import transaction

            db = open_data_dir(self.data)
            try:
                with transaction(db):
                    _, self._tokens[(role, site)] = tokens.add(db, role=role, site_id=site, name=f"bench {role}",
                                                               now=time.time())
            finally:
                db.conn.close()
        return self._tokens[(role, site)]

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = (self.root / "hub.log").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no hub log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """SIGINT (the hub then stops its Mosquitto itself); escalate only if it hangs."""
        proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                log("hub ignored SIGINT; terminating it")
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)
        self._stop_orphan_broker()

    def _stop_orphan_broker(self) -> None:
        """The broker the hub started, if the hub died without stopping it (checked by pid and config)."""
        pid = self.broker_pid
        if pid is None:
            return
        conf = str((self.data / "broker" / "mosquitto.conf").resolve())
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            return  # gone, as it should be
        if conf not in cmdline:
            return  # the pid was reused by something that is not ours
        log(f"hub left its mosquitto (pid {pid}) running; stopping it")
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.05)

    # --- context manager: always stop the processes; remove the directory unless asked to keep it --

    def __enter__(self) -> BenchHub:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
        if exc_type is not None or self.keep:
            log(f"data kept in {self.root}")
        else:
            shutil.rmtree(self.root, ignore_errors=True)


def connect(session: DeviceSession, timeout: float = 15.0) -> DeviceSession:
    """Start a session and wait until it is connected to the broker.

    Wrap the session in its core (KioskCore, DisplayCore, …) before this: the retained config arrives
    right after connecting and is handed to whatever `on_config` is set at that moment.
    """
    session.start()
    if not session.wait_connected(timeout):
        session.stop()
        raise RuntimeError(f"device {session.config.device_id} could not connect to the broker")
    return session



@contextlib.contextmanager
def database(choice: str | None) -> Iterator[str | None]:
    """The engine a bench runs on. None or "sqlite": the hub's file (yields None). "postgresql": a
    throwaway cluster of our own (hub.store.pg_cluster, fsync on as in production), destroyed after.
    A postgresql:// URL: a fresh database made on that server for the run, dropped after. For the run
    MOTCUA_DB names it, so the bench's hub process and its helpers all use it."""
    if not choice or choice == "sqlite":
        yield None
        return
    import psycopg

    from hub.store import pg_cluster

    cluster = None
    server = choice
    if choice == "postgresql":
        log("starting a throwaway PostgreSQL cluster")
        cluster = pg_cluster.throwaway(fsync=True)
        server = cluster.url()
    elif not choice.startswith(("postgresql://", "postgres://")):
        raise SystemExit("error: --db is sqlite, postgresql or a postgresql:// URL")
    name = f"motcua_bench_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0] + "/" + name if server.count("/") >= 3 else server + "/" + name
    saved = os.environ.get("MOTCUA_DB")
    os.environ["MOTCUA_DB"] = url
    try:
        yield url
    finally:
        if saved is None:
            os.environ.pop("MOTCUA_DB", None)
        else:
            os.environ["MOTCUA_DB"] = saved
        if cluster is not None:
            cluster.destroy()
        else:
            with contextlib.suppress(Exception), psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_server_pids(url: str) -> list[int]:
    """The processes of the PostgreSQL server behind `url` when it runs on this machine: its postmaster
    (the parent of our backend) and every child of it (backends, WAL writer, checkpointer …); [] for a
    server elsewhere."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        try:
            if Path(f"/proc/{backend}/comm").read_text().strip() != "postgres":
                return []
            postmaster = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            return []
    pids = [postmaster]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                    pids.append(int(entry.name))
    return pids


def server_cpu_s(url: str) -> dict[int, float] | None:
    """User + system CPU seconds so far of each process of the local PostgreSQL server behind `url`
    (None for a server elsewhere). The difference of two readings is the server's work in between: a
    process that started in between counts from zero, one that ended is lost (the bench's own backends
    live as long as the hub's connection)."""
    pids = postgres_server_pids(url)
    if not pids:
        return None
    out = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            out[pid] = cpu_s(pid)
    return out


def postgres_floor(url: str, rows: int = 1000) -> float:
    """Rows per second for one INSERT + COMMIT each from one client: what one commit per ticket costs on
    this PostgreSQL server (the counterpart of the SQLite floor)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_floor (id BIGINT GENERATED BY DEFAULT AS IDENTITY "
                     "PRIMARY KEY, service TEXT, seq BIGINT, at DOUBLE PRECISION)")
        t0 = time.perf_counter()
        for i in range(rows):
            with conn.transaction():
                conn.execute("INSERT INTO bench_floor(service, seq, at) VALUES (%s, %s, %s)", ("HT", i, time.time()))
        elapsed = time.perf_counter() - t0
        conn.execute("DROP TABLE bench_floor")
    return rows / elapsed
