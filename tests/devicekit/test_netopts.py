"""enable_nodelay: Nagle off on every socket a paho client opens, without losing an existing hook."""

from __future__ import annotations

import socket
import threading

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from motcua_core.netopts import enable_nodelay, set_nodelay


@pytest.mark.integration
def test_nodelay_set_and_existing_hook_still_called(plain_broker) -> None:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="nodelay-test", protocol=mqtt.MQTTv5)
    opened: list[socket.socket] = []
    client.on_socket_open = lambda c, u, sock: opened.append(sock)
    enable_nodelay(client)
    enable_nodelay(client)  # idempotent: no double wrapping
    connected = threading.Event()
    client.on_connect = lambda *a: connected.set()
    client.connect(plain_broker.host, plain_broker.port)
    client.loop_start()
    try:
        assert connected.wait(30)
        assert opened == [client.socket()]
        assert client.socket().getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        client.disconnect()
        client.loop_stop()


def test_set_nodelay_ignores_sockets_where_it_does_not_apply() -> None:
    a, b = socket.socketpair(socket.AF_UNIX)
    with a, b:
        assert set_nodelay(a) is False
    assert set_nodelay(object()) is False
