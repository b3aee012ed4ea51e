"""motcua_core.mqttprops.FastProperties decodes exactly what paho's Properties decodes (issue #15)."""

from __future__ import annotations

import struct

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import MalformedPacket, MQTTException, Properties

from motcua_core.mqttprops import FastProperties, publish_properties


def _packed(**values) -> bytes:
    theirs = Properties(PacketTypes.PUBLISH)
    for name, value in values.items():
        setattr(theirs, name, value)
    ours = publish_properties(**values).pack()
    assert ours == theirs.pack()  # byte for byte what paho would send
    return ours


@pytest.mark.parametrize("values", [
    {},
    {"CorrelationData": b"r-1"},
    {"ResponseTopic": "motcua/v1/demo/dev/kiosk-01/res", "CorrelationData": b"\x00\xffid"},
    {"ContentType": "application/json", "CorrelationData": b""},
    {"MessageExpiryInterval": 30, "CorrelationData": b"x"},
    {"PayloadFormatIndicator": 1, "CorrelationData": b"x"},  # not on the fast path: paho's own code
    {"UserProperty": [("a", "1"), ("b", "2")]},
])
def test_same_values_as_paho(values: dict) -> None:
    body = _packed(**values) + b'{"payload": true}'
    ours, ours_len = FastProperties(PacketTypes.PUBLISH).unpack(body)
    theirs, theirs_len = Properties(PacketTypes.PUBLISH).unpack(body)
    assert ours_len == theirs_len
    for name in ("ResponseTopic", "CorrelationData", "ContentType", "MessageExpiryInterval", "UserProperty"):
        assert getattr(ours, name, None) == getattr(theirs, name, None), name


@pytest.mark.parametrize("body", [
    b"\x05\x09\x00\x09ab",  # correlation data longer than the properties
    b"\x04\x08\x00\x02\xc3",  # a response topic cut inside a character
    b"\x09\x08\x00\x02ab\x08\x00\x02cd",  # the same property twice
])
def test_same_errors_as_paho(body: bytes) -> None:
    with pytest.raises((MalformedPacket, Exception)) as theirs:
        Properties(PacketTypes.PUBLISH).unpack(body)
    with pytest.raises(type(theirs.value)):
        FastProperties(PacketTypes.PUBLISH).unpack(body)


def test_what_paho_refuses_is_refused() -> None:
    with pytest.raises(MQTTException):
        publish_properties(NoSuchProperty=1)
    with pytest.raises(struct.error):  # paho takes it, then cannot pack it: neither can we
        publish_properties(MessageExpiryInterval=-1).pack()
