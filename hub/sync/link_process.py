"""The centre's sync link in a process of its own, started and stopped by the hub.

In a thread of the hub its work (reading the outbox, building batches, its MQTT client, recording the
province's acknowledgements) took the interpreter's lock from the request path at every step: the part
of a call spent inside the hub had a p99 about 1.5 ms higher with the link on, and half of the slowest
calls overlapped the link's work (docs/province.md, "The link's cost on the call path"). A process has its
own interpreter, and runs at a lower CPU priority (a few milliseconds more lag when the machine is
busy, never starved); nothing else changes for the link: it already talked to the hub only through the
database (its own connection; effects of what it applies are deferred to the hub through
`deferred_effects`) and the data directory's files (`province.json`, `sync.pause`, `sync-link.state`).

The process dies with the hub: the kernel signals it when its parent exits (Linux), and it also checks
that its parent is still the one that started it, so a hub killed with `kill -9` never leaves a second
link sending under the same account after its restart.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from motcua_core.stopping import stop_on

log = logging.getLogger("motcua.hub.sync")

LINK_NICE = 10  # the link is background work: when the CPU is contended, the hub's request path wins it
STOP_WAIT_S = 15.0  # the link flushes its acknowledgements and closes its client within this
PARENT_CHECK_S = 0.5
ORPHAN_WAIT_S = 1.0  # the hub is gone: the link's thread gets this long before the process exits


class LinkProcess:
    """The hub's handle on the link's process: `start()` and `stop()`, like the thread it replaces."""

    def __init__(self, data_dir: Path, db_target: Path | str, log_format: str = "text",
                 log_file: Path | None = None) -> None:
        self.data_dir, self.db_target = data_dir, db_target
        self.log_format, self.log_file = log_format, log_file
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        from hub.store.db import ENV, is_url

        args = [sys.executable, "-m", "hub.sync.link_process", "--data", str(self.data_dir),
                "--parent", str(os.getpid()), "--log-format", self.log_format]
        if self.log_file is not None:
            args += ["--log-file", str(self.log_file)]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (_source_root(), os.environ.get("PYTHONPATH"))
                                                           if p)}
        if is_url(self.db_target):  # a server URL may hold a password: in the environment, never in `ps`
            env[ENV] = str(self.db_target)
        else:
            args += ["--db", str(self.db_target)]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, env=env)
        log.info("sync link started in process %d", self.proc.pid)

    def stop(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            log.warning("sync link process %d did not stop; killing it", proc.pid)
            proc.kill()
            proc.wait(5)


def _source_root() -> str:
    """Where this package was imported from (a checkout or site-packages), for the child's imports."""
    import hub

    return str(Path(hub.__file__).resolve().parents[1])


def log_settings() -> tuple[str, Path | None]:
    """The hub's log format and file as `hub.logfmt.setup` configured them, for the link's process."""
    from hub import logfmt

    fmt, path = "text", None
    for h in logging.getLogger().handlers:
        if isinstance(h.formatter, logfmt.JsonLines):
            fmt = "json"
        if isinstance(h, logfmt.PrivateFileHandler):
            path = Path(h.baseFilename)
    return fmt, path


def _die_with_parent() -> None:
    """Linux: SIGTERM when the parent exits (PR_SET_PDEATHSIG); elsewhere the parent check covers it."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m hub.sync.link_process")
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--db", help="the SQLite file (default: $MOTCUA_DB, else <data>/motcua.db)")
    ap.add_argument("--parent", type=int, required=True)
    ap.add_argument("--log-format", default="text")
    ap.add_argument("--log-file", type=Path)
    args = ap.parse_args(argv)
    _die_with_parent()
    if os.getppid() != args.parent:
        return 0  # the hub died before this process could ask to be told
    with contextlib.suppress(OSError):
        os.nice(LINK_NICE)
    from hub import logfmt
    from hub.store.db import target_for
    from hub.sync.link import CentreLink
    from hub.sync.paths import read_link

    logfmt.setup(args.log_format, log_file=args.log_file)
    link = read_link(args.data)
    if link is None:
        log.error("sync link: %s has no province.json", args.data)
        return 1
    stop = stop_on(threading.Event(), signal.SIGTERM)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the hub, which stops us in order
    centre = CentreLink(args.data, Path(args.db) if args.db else target_for(args.data), link)
    centre.start()
    while not stop.wait(PARENT_CHECK_S) and os.getppid() == args.parent:
        pass
    if os.getppid() != args.parent:
        # The hub died (kill -9, a crash; the kernel's SIGTERM or the check above): nobody waits for an
        # orderly stop, and a hub restarted at once must not find this link still sending under the same
        # account. What the link holds is only acknowledgements not yet written (each costs a resend), so
        # it gives its thread a moment, not STOP_WAIT_S: at low priority on a busy machine the orderly
        # stop took more than 10 s.
        log.warning("sync link: the hub (process %d) is gone; stopping", args.parent)
        centre.stop(ORPHAN_WAIT_S)
        os._exit(0)
    centre.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
