"""The hub's embedded broker: a Mosquitto child process that the hub configures and watches.

One command starts the whole office; if Mosquitto dies the hub restarts it (devices reconnect and
retry with the same request ids, so nothing is lost), and account changes reach it by SIGHUP without
dropping anyone's connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path

from hub.broker.files import LOG_NAME, Account, TlsListener, write_auth_files, write_files

log = logging.getLogger("motcua.broker")

START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
RELOAD_TIMEOUT = 5.0
BACKOFF_START = 0.5
BACKOFF_MAX = 10.0
STABLE_UPTIME = 60.0  # a broker that ran this long crashed for a new reason: restart quickly again
LOG_ROTATE_BYTES = 5 * 1024 * 1024
_FALLBACK_BINARY = "/usr/sbin/mosquitto"  # Debian installs it outside a normal user's PATH


class BrokerError(RuntimeError):
    """Mosquitto failed to start or to apply a change; the message carries the tail of its log."""


class BrokerSupervisor:
    """Start, reload, restart and stop one Mosquitto process listening on `bind:port`."""

    def __init__(self, workdir: Path, *, port: int, bind: str = "127.0.0.1", mosquitto: str | None = None,
                 tls: TlsListener | None = None):
        self.workdir = Path(workdir).resolve()
        self.port = port
        self.bind = bind
        self.tls = tls
        binary = mosquitto or shutil.which("mosquitto") or _FALLBACK_BINARY
        if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
            raise FileNotFoundError(
                f"mosquitto not found at {binary!r}: install it (apt-get install mosquitto) "
                "or give its path in the hub's broker settings"
            )
        self.mosquitto = binary
        self._proc: asyncio.subprocess.Process | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._stopping = False
        self._started_at = 0.0
        self._restarts = 0
        self._last_exit: int | None = None

    @property
    def log_path(self) -> Path:
        return self.workdir / LOG_NAME

    # --- public API ---------------------------------------------------------------------------

    async def start(self, accounts: Iterable[Account]) -> None:
        """Write the files, spawn Mosquitto and return once it accepts connections."""
        if self._watcher is not None:
            raise RuntimeError("broker already started")
        self._stopping = False
        await self._reap_orphan()
        write_files(self.workdir, port=self.port, bind=self.bind, accounts=accounts, tls=self.tls)
        self._rotate_log()
        await self._spawn_and_wait()
        self._watcher = asyncio.create_task(self._watch(), name="motcua-broker-watch")

    async def reload(self, accounts: Iterable[Account]) -> None:
        """Rewrite passwd and acl and SIGHUP Mosquitto; returns once it has re-read them.

        Connected clients stay connected; Mosquitto disconnects those whose account is gone.
        """
        write_auth_files(self.workdir, accounts)
        proc = self._proc
        if proc is None or proc.returncode is not None:
            return  # not running: the next (re)start reads the new files
        offset = self._log_size()
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + RELOAD_TIMEOUT
        while time.monotonic() < deadline:
            if b"Reloading config." in self._read_log(offset):
                return
            if proc.returncode is not None:
                return  # died meanwhile; the watcher restarts it with the new files
            await asyncio.sleep(0.02)
        raise BrokerError(f"mosquitto did not confirm the reload within {RELOAD_TIMEOUT}s\n{self.log_tail()}")

    async def stop(self) -> None:
        """Terminate Mosquitto (it saves its persistence file), kill it if it hangs; no restart after."""
        self._stopping = True
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None
        proc = self._proc
        if proc is None or proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), STOP_TIMEOUT)
        except TimeoutError:
            log.warning("mosquitto (pid %s) ignored SIGTERM for %ss; killing it", proc.pid, STOP_TIMEOUT)
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
        self._last_exit = proc.returncode
        self._pid_path.unlink(missing_ok=True)
        log.info("mosquitto (pid %s) stopped with exit code %s", proc.pid, proc.returncode)

    def status(self) -> dict:
        """A snapshot for the hub's health page and API."""
        proc = self._proc
        running = proc is not None and proc.returncode is None
        return {
            "mode": "embedded",
            "running": running,
            "pid": proc.pid if running and proc is not None else None,
            "port": self.port,
            "restarts": self._restarts,
            "last_exit": self._last_exit,
        }

    def log_tail(self, lines: int = 20) -> str:
        """The end of Mosquitto's log: what an operator needs to see when it will not start."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(max(0, f.seek(0, os.SEEK_END) - 8192))
                data = f.read()
        except OSError:
            return "(no mosquitto log)"
        return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])

    # --- internals ----------------------------------------------------------------------------

    @property
    def _pid_path(self) -> Path:
        return self.workdir / "mosquitto.pid"

    async def _reap_orphan(self) -> None:
        """Stop a Mosquitto left running by a hub that crashed (it runs in its own session, so it
        outlives a SIGKILLed hub and would hold the port). Only a process started with our config file
        is touched; SIGTERM lets it save its persistence file, so queued requests survive."""
        try:
            pid = int(self._pid_path.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError):
            return
        if str(self.workdir / "mosquitto.conf").encode() not in cmdline:
            return
        log.warning("stopping mosquitto (pid %s) left behind by a previous hub", pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().split()[2]
            except OSError:
                return  # gone
            if state == "Z":
                return  # exited; it is init's to reap now that its parent hub is dead
            await asyncio.sleep(0.05)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    async def _spawn_and_wait(self) -> None:
        """Spawn Mosquitto and wait until it says it runs and the port accepts; else kill it and raise."""
        self._started_at = time.monotonic()
        offset = self._log_size()
        # Config errors are printed before the log file is opened: send stdout/stderr to the same log.
        with open(self.log_path, "ab") as out:
            proc = await asyncio.create_subprocess_exec(
                self.mosquitto, "-c", str(self.workdir / "mosquitto.conf"),
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C meant for the hub must not kill the broker under it
            )
        self._proc = proc
        self._pid_path.write_text(str(proc.pid))
        try:
            await self._wait_ready(proc, offset)
        except BaseException:
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
            self._last_exit = proc.returncode
            raise
        log.info("mosquitto running (pid %s) on %s:%s", proc.pid, self.bind, self.port)

    async def _wait_ready(self, proc: asyncio.subprocess.Process, offset: int) -> None:
        # Both checks: the log line proves it is *our* process listening (a stale broker could own the
        # port), the connection proves the listener is open.
        host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(self.bind, self.bind)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if proc.returncode is not None:
                raise BrokerError(f"mosquitto exited with code {proc.returncode}\n{self.log_tail()}")
            if b" running" in self._read_log(offset) and await _port_open(host, self.port):
                return
            await asyncio.sleep(0.05)
        raise BrokerError(f"mosquitto did not accept connections within {START_TIMEOUT}s\n{self.log_tail()}")

    async def _watch(self) -> None:
        """Restart Mosquitto whenever it exits unless stop() asked it to, backing off on repeated crashes."""
        backoff = BACKOFF_START
        while not self._stopping:
            proc = self._proc
            assert proc is not None
            code = await proc.wait()
            if self._stopping:
                return
            self._last_exit = code
            if time.monotonic() - self._started_at >= STABLE_UPTIME:
                backoff = BACKOFF_START
            log.warning("mosquitto (pid %s) exited with code %s; restarting in %.1fs\n%s",
                        proc.pid, code, backoff, self.log_tail(5))
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, BACKOFF_MAX)
            if self._stopping:
                return
            self._restarts += 1
            log.warning("restarting mosquitto (restart %d)", self._restarts)
            try:
                await self._spawn_and_wait()
            except (BrokerError, OSError) as exc:
                # self._proc is now an exited process: the next loop turn backs off and tries again.
                log.error("mosquitto restart %d failed: %s", self._restarts, exc)

    def _log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def _read_log(self, offset: int) -> bytes:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                return f.read()
        except OSError:
            return b""

    def _rotate_log(self) -> None:
        """Keep one previous log so the file does not grow forever on a box that runs for years."""
        if self._log_size() > LOG_ROTATE_BYTES:
            os.replace(self.log_path, self.log_path.with_suffix(".log.1"))


async def _port_open(host: str, port: int) -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 0.5)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True
