"""The hub's lean MQTT reading (hub/mqtt/transport._LeanClient): packets arriving whole, split at any
byte, or many in one read are handed over exactly as paho's own byte-by-byte path would, each
acknowledged once. A real socket pair carries the bytes; only the broker is absent."""

from __future__ import annotations

import random
import socket

import paho.mqtt.client as mqtt
import pytest

from hub.mqtt.transport import _LeanClient
from motcua_core.mqttprops import install_fast_decode, publish_properties


def _varint(n: int) -> bytes:
    out = b""
    while True:
        byte, n = n % 128, n // 128
        out += bytes([byte | (128 if n else 0)])
        if not n:
            return out


def _publish(topic: str, payload: bytes, mid: int, correlation: bytes | None) -> bytes:
    """An MQTT v5 PUBLISH, QoS 1, as a broker sends it."""
    props = publish_properties(CorrelationData=correlation).pack() if correlation else b"\x00"
    t = topic.encode()
    body = len(t).to_bytes(2, "big") + t + mid.to_bytes(2, "big") + props + payload
    return bytes([0x32]) + _varint(len(body)) + body


def _client() -> tuple[_LeanClient, socket.socket, list[tuple[str, bytes, bytes | None]]]:
    install_fast_decode()
    c = _LeanClient(mqtt.CallbackAPIVersion.VERSION2, client_id="t", protocol=mqtt.MQTTv5)
    got: list[tuple[str, bytes, bytes | None]] = []
    c.deliver = lambda topic, payload, props, retain: got.append(
        (topic, payload, getattr(props, "CorrelationData", None)))
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    c._sock = ours
    return c, theirs, got


def _acks(peer: socket.socket) -> list[int]:
    """The message ids of the PUBACKs the client wrote back, in order."""
    peer.setblocking(False)
    data = b""
    try:
        while chunk := peer.recv(65536):
            data += chunk
    except BlockingIOError:
        pass
    mids, i = [], 0
    while i < len(data):
        assert data[i] == 0x40, f"not a PUBACK at byte {i}"
        length = data[i + 1]
        mids.append(int.from_bytes(data[i + 2:i + 4], "big"))
        i += 2 + length
    return mids


def _drain(c: _LeanClient) -> None:
    while c._packet_read() == mqtt.MQTT_ERR_SUCCESS:
        pass


MESSAGES = [(f"motcua/v1/demo/dev/k{i}/req/ticket.issue", ("Đăng ký " * (i * 37 % 300)).encode(), i + 1,
             f"r{i}".encode() if i % 3 else None) for i in range(40)]


@pytest.mark.parametrize("chunking", ["whole", "bytewise", "random"])
def test_packets_are_handed_over_whole_and_acknowledged_once(chunking: str) -> None:
    c, peer, got = _client()
    stream = b"".join(_publish(*m) for m in MESSAGES)
    if chunking == "whole":
        pieces = [stream]
    elif chunking == "bytewise":
        pieces = [stream[i:i + 1] for i in range(len(stream))]
    else:
        rnd, pieces, i = random.Random(15), [], 0
        while i < len(stream):
            n = rnd.randint(1, 700)
            pieces.append(stream[i:i + n])
            i += n
    for piece in pieces:
        peer.sendall(piece)
        _drain(c)
    assert got == [(t, p, corr) for t, p, _, corr in MESSAGES]
    assert _acks(peer) == [mid for _, _, mid, _ in MESSAGES]


def test_a_malformed_header_is_refused_not_read_as_a_message() -> None:
    c, peer, got = _client()
    peer.sendall(bytes([0x32, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]) + b"x" * 10)  # remaining length over 4 bytes
    assert c._packet_read() == mqtt.MQTT_ERR_PROTOCOL
    assert got == []
