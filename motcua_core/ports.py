"""Choosing loopback ports for the demos, benchmarks and throwaway PostgreSQL servers: the one asked for when
it is free, else a free one below the kernel's ephemeral range.

Binding port 0 and closing the socket hands back a port of the ephemeral range (32768–60999 on Linux),
the range every outgoing connection also takes its local port from: a client socket of any process (a
device connecting to a broker, the hub connecting to PostgreSQL) can take that port before the server it
was chosen for binds it ("Address already in use"). Below that range only listeners take ports."""

from __future__ import annotations

import random
import socket

LOW, HIGH = 10000, 12000  # below the tests' per-worker blocks (tests/support/net.py) and the ephemeral range


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port() -> int:
    """A loopback TCP port free now, below the ephemeral range (LOW–HIGH, tried in random order)."""
    for port in random.sample(range(LOW, HIGH), HIGH - LOW):
        if _free(port):
            return port
    raise RuntimeError(f"no free loopback port in {LOW}–{HIGH - 1}")


def port_or_free(port: int) -> int:
    """The asked-for port if it is free, else a free one (0 asks for any)."""
    if port and _free(port):
        return port
    return free_port()
