"""A throwaway PostgreSQL cluster on a free loopback port (tests and `motcua bench … --db postgresql`).

Debian keeps the server binaries off PATH (/usr/lib/postgresql/<version>/bin), and PostgreSQL refuses
to run as root: as root the cluster is made and run as the `postgres` user (`runuser`), in a temporary
directory it owns. Authentication is `trust` on 127.0.0.1 only: nothing but this machine reaches it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from motcua_core import ports


def bin_dir() -> Path | None:
    """The newest PostgreSQL server binaries on this machine (PATH first, then Debian's layout)."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True):
        if (Path(d) / "initdb").exists():
            return Path(d)
    return None


def _free_port() -> int:
    return ports.free_port()  # below the ephemeral range: see motcua_core.ports


def run_tool(name: str, *args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
    """A PostgreSQL server tool (initdb, pg_ctl, pg_basebackup …), as `postgres` through runuser when we are
    root (the server refuses to run as root), else as ourselves."""
    b = bin_dir()
    if b is None:
        raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    cmd = [str(b / name), *args]
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=timeout)


def owned_dir(path: Path) -> Path:
    """A private directory (0700) the server's user owns: `postgres` when we are root."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
    path.chmod(0o700)
    return path


class Cluster:
    def __init__(self, *, fsync: bool = True, base: Path | None = None, port: int | None = None) -> None:
        b = bin_dir()
        if b is None:
            raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
        self.bin = b
        self.fsync = fsync
        self.root = owned_dir(Path(tempfile.mkdtemp(prefix="motcua-pg-", dir=base)))
        self.data = self.root / "data"
        self.port = port or _free_port()

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return run_tool(*args, check=check)

    def init(self) -> Cluster:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        # In the cluster's own configuration (not on pg_ctl's command line), so that a standby copied from it
        # with pg_basebackup has them too (a standby refuses fewer connections than its primary allows).
        settings = {"listen_addresses": "'127.0.0.1'", "port": str(self.port),
                    "unix_socket_directories": f"'{self.root}'", "fsync": "on" if self.fsync else "off",
                    "max_connections": "200", "shared_buffers": "'64MB'"}
        with open(self.data / "postgresql.auto.conf", "a", encoding="utf-8") as f:
            f.writelines(f"{k} = {v}\n" for k, v in settings.items())
        return self

    def start(self) -> Cluster:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-t", "30", "start")
        return self

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def postmaster_pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int((self.data / "postmaster.pid").read_text().split()[0])
        return None

    def kill9(self) -> None:
        """The server dies at once (power-cut-like for the server; the OS keeps what was written)."""
        pid = self.postmaster_pid()
        if pid:
            os.kill(pid, signal.SIGKILL)
            # the backends notice their postmaster is gone and exit; wait for the port to be free
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, 0)
                    time.sleep(0.05)
                    continue
                break
            for _ in range(100):
                if subprocess.run(["pgrep", "-u", "postgres", "-f", f"{self.data}"],
                                  capture_output=True).returncode != 0:
                    break
                time.sleep(0.1)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def throwaway(*, fsync: bool = True, port: int | None = None) -> Cluster:
    """A new cluster, initialised and running (about 1.5 s), on `port` or a free one."""
    return Cluster(fsync=fsync, port=port).init().start()
