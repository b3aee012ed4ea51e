"""Socket options for paho clients, shared by devices and the hub.

MQTT traffic here is many tiny messages (a request, a response, a call event). With Nagle's algorithm on,
the kernel holds a small write back until the previous one is acknowledged, and the peer's delayed ACK
turns that into tens of milliseconds per round trip. TCP_NODELAY makes one publish one segment.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

import paho.mqtt.client as mqtt

log = logging.getLogger("motcua.device")

_MARK = "_motcua_nodelay"


def _tcp_socket(sock: Any) -> socket.socket | None:
    """The real TCP socket behind what paho hands us (plain, TLS, or its websocket wrapper)."""
    inner = getattr(sock, "_socket", None)  # paho's _WebsocketWrapper keeps the socket here
    if isinstance(inner, socket.socket):
        sock = inner
    if isinstance(sock, socket.socket) and sock.family in (socket.AF_INET, socket.AF_INET6):
        return sock
    return None


def set_nodelay(sock: Any) -> bool:
    """Turn Nagle off on one socket; False (and no error) for sockets where it does not apply."""
    tcp = _tcp_socket(sock)
    if tcp is None:
        return False
    try:
        tcp.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError as exc:  # a socket already closed by the peer; the reconnect gets its own
        log.debug("could not set TCP_NODELAY: %s", exc)
        return False
    return True


def enable_nodelay(client: mqtt.Client) -> None:
    """Set TCP_NODELAY on every socket `client` opens, including after reconnects.

    paho calls on_socket_open right after connecting and before CONNECT is sent, so even the handshake
    goes out without delay. An on_socket_open already set (e.g. an event-loop integration) still runs.
    Calling this twice is harmless.
    """
    previous = client.on_socket_open
    if previous is not None and getattr(previous, _MARK, False):
        return

    def on_socket_open(c: mqtt.Client, userdata: Any, sock: Any) -> None:
        set_nodelay(sock)
        if previous is not None:
            previous(c, userdata, sock)

    setattr(on_socket_open, _MARK, True)
    client.on_socket_open = on_socket_open
