"""Small helpers shared by the tests: free ports and waiting for a TCP listener."""

from __future__ import annotations

import itertools
import os
import random
import socket
import time

# Ports the kernel hands out for port 0 and for every outgoing connection come from the ephemeral range
# (32768–60999 on Linux): a port found free there can be taken by any client socket, or by a parallel test
# worker that asked for port 0, before the broker or hub binds it ("Address already in use"). So a test
# takes ports below that range, from a block of its own per pytest-xdist worker, never the same one twice.
_BLOCK = 4000
_FIRST = 12000
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
_index = int(_worker) if _worker.isdigit() else 0
_start = _FIRST + (_index % 5) * _BLOCK
_candidates = itertools.cycle(random.Random(os.getpid()).sample(range(_start, _start + _BLOCK), _BLOCK))


def free_port() -> int:
    """A loopback TCP port that is free now, from this worker's block (each port at most once per cycle)."""
    for _ in range(_BLOCK):
        port = next(_candidates)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
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
