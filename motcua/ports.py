"""Choosing loopback ports for the demos: the one asked for when it is free, else any free one."""

from __future__ import annotations

import socket


def port_or_free(port: int) -> int:
    """The asked-for port if it is free, else any free one (0 asks for any)."""
    if port:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                pass
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
