"""MQTT v5 PUBLISH properties, built cheaply: one set per request and per reply.

paho's Properties() builds two lookup tables of ~27 entries each time it is created, which was a tenth
of the hub's CPU under `motcua bench tickets` together with the setters. A shallow copy of an empty
instance shares those tables (paho only reads them) and keeps paho's own validation of every value set.
"""

from __future__ import annotations

import copy
from typing import Any

from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

_EMPTY_PUBLISH = Properties(PacketTypes.PUBLISH)


def publish_properties(**values: Any) -> Properties:
    """Properties for one PUBLISH, e.g. publish_properties(CorrelationData=b"…", ResponseTopic="…")."""
    props = copy.copy(_EMPTY_PUBLISH)
    for name, value in values.items():
        setattr(props, name, value)
    return props
