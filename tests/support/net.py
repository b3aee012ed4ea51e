"""Small helpers shared by the tests: free ports and waiting for a TCP listener."""

from __future__ import annotations

import collections
import contextlib
import fcntl
import itertools
import os
import random
import socket
import tempfile
import time
from pathlib import Path

# Ports the kernel hands out for port 0 and for every outgoing connection come from the ephemeral range
# (32768–60999 on Linux): a port found free there can be taken by any client socket, or by a parallel test
# worker that asked for port 0, before the broker or hub binds it ("Address already in use"). So a test
# takes ports below that range, from a block of its own per pytest-xdist worker, never the same one twice.
#
# A block is its worker's within one run only: another run on the same machine (a second checkout's tests,
# a CI run beside a developer's) has workers of the same names. A port found free is therefore also claimed
# in a lock file that every run looks at, and the claim is kept while the next _RESERVED ports are handed
# out: long enough for the broker, hub or server it was chosen for to bind it (while that runs, the bind
# test below sees the port taken) and for a test that stops it to start it again on the same port; short
# enough that a long run never holds much of the block (256 of 4,000).
_BLOCK = 4000
_FIRST = 12000
_RESERVED = 256
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
_index = int(_worker) if _worker.isdigit() else 0
_start = _FIRST + (_index % 5) * _BLOCK
_candidates = itertools.cycle(random.Random(os.getpid()).sample(range(_start, _start + _BLOCK), _BLOCK))
_LOCKS = Path(tempfile.gettempdir()) / "motcua-test-ports.lock"  # one byte of it per port
_held: collections.OrderedDict[int, None] = collections.OrderedDict()  # our claims, oldest first
_fd: int | None = None


def _lock_file() -> int | None:
    global _fd
    if _fd is None:
        try:
            _fd = os.open(_LOCKS, os.O_RDWR | os.O_CREAT, 0o666)
            with contextlib.suppress(OSError):
                os.chmod(_LOCKS, 0o666)  # shared by every user's runs, like /tmp
        except OSError:  # no shared file to claim in: the bind test alone decides
            return None
    return _fd


def _claim(port: int) -> bool:
    """Claim `port` against every other test process on this machine (False: another one holds it). A claim
    is a lock on byte `port` of one shared file (POSIX record locks: one descriptor for all, gone with the
    process)."""
    if port in _held:  # ours, from the previous cycle through the block
        _held.move_to_end(port)
        return True
    fd = _lock_file()
    if fd is None:
        return True
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, port)
    except OSError:
        return False
    _held[port] = None
    while len(_held) > _RESERVED:  # the oldest claim: its listener is up (or its test long over)
        old, _ = _held.popitem(last=False)
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, old)
    return True


def free_port() -> int:
    """A loopback TCP port that is free now, from this worker's block (each port at most once per cycle),
    claimed so that no other test process on the machine is handed it before its listener binds it."""
    for _ in range(_BLOCK):
        port = next(_candidates)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        if _claim(port):
            return port
    raise RuntimeError(f"no free port in {_start}–{_start + _BLOCK - 1}")


def wait_port(port: int, host: str = "127.0.0.1", timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout}s")
