"""MQTT v5 PUBLISH properties, built and read cheaply: one set per request and per reply.

paho's Properties() builds two lookup tables of ~27 entries each time it is created, finds every
property's name by walking them, and validates each value set through a list comprehension: a tenth of
the hub's CPU under `motcua bench tickets`, then another tenth for what it received (issues #2, #15).
FastProperties shares the tables and handles the properties our messages carry directly (Response
Topic, Correlation Data, Content Type, Message Expiry), with paho's own readers and writers; anything
else goes through paho's code unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import (
    Properties,
    VariableByteIntegers,
    readBytes,
    readInt32,
    readUTF,
    writeInt16,
    writeInt32,
    writeUTF,
)

_TABLES = Properties(PacketTypes.PUBLISH)


def _read_int32(buf: bytes, left: int) -> tuple[int, int]:
    return readInt32(buf), 4


def _write_bytes(value: bytes) -> bytes:
    return bytes(writeInt16(len(value))) + value


# identifier: (attribute name, reader, writer, what a valid value is)
_FAST: dict[int, tuple[str, Callable, Callable, Callable[[Any], bool]]] = {
    2: ("MessageExpiryInterval", _read_int32, writeInt32,
        lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**32),
    3: ("ContentType", readUTF, writeUTF, lambda v: isinstance(v, str)),
    8: ("ResponseTopic", readUTF, writeUTF, lambda v: isinstance(v, str)),
    9: ("CorrelationData", readBytes, _write_bytes, lambda v: isinstance(v, bytes)),
}
_FAST_NAMES = {name: (ident, valid) for ident, (name, _, _, valid) in _FAST.items()}


class FastProperties(Properties):
    """paho's Properties for PUBLISH packets, same values and errors, without the per-instance tables."""

    types = _TABLES.types
    names = _TABLES.names
    properties = _TABLES.properties

    def __init__(self, packetType: int) -> None:  # noqa: N803 (paho's name)
        object.__setattr__(self, "packetType", packetType)

    def unpack(self, buffer: bytes | bytearray) -> tuple[Properties, int]:
        propslen, vbilen = VariableByteIntegers.decode(buffer)
        end = vbilen + propslen
        if end > len(buffer):
            return super().unpack(buffer)  # paho raises its MalformedPacket
        pos = vbilen
        found: dict[str, Any] = {}
        while pos < end:
            fast = _FAST.get(buffer[pos])
            if fast is None or fast[0] in found or self.packetType != PacketTypes.PUBLISH:
                return super().unpack(buffer)
            value, used = fast[1](buffer[pos + 1:end], end - pos - 1)
            found[fast[0]] = value
            pos += 1 + used
        for name in [n for n in self.__dict__ if n != "packetType"]:
            delattr(self, name)
        for name, value in found.items():
            object.__setattr__(self, name, value)
        return self, end

    def pack(self) -> bytes:
        values = {k: v for k, v in self.__dict__.items() if k != "packetType"}
        if not values.keys() <= _FAST_NAMES.keys():
            return super().pack()
        out = b""
        for ident in sorted(_FAST_NAMES[name][0] for name in values):  # paho's order: by identifier
            name, _, write, _ = _FAST[ident]
            out += bytes([ident]) + bytes(write(values[name]))
        return VariableByteIntegers.encode(len(out)) + out


def publish_properties(**values: Any) -> Properties:
    """Properties for one PUBLISH, e.g. publish_properties(CorrelationData=b"…", ResponseTopic="…")."""
    props = FastProperties(PacketTypes.PUBLISH)
    for name, value in values.items():
        fast = _FAST_NAMES.get(name)
        if fast is not None and fast[1](value):
            object.__setattr__(props, name, value)
        else:
            setattr(props, name, value)  # paho's checks, and its error for a value it refuses
    return props


def install_fast_decode() -> None:
    """Make paho decode received packets' properties with FastProperties (same values, same errors)."""
    import paho.mqtt._packet as packet

    packet.Properties = FastProperties  # type: ignore[misc]
