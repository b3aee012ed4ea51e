"""The hub's MQTT connection: paho's network thread in, the asyncio loop out.

paho runs its own thread (it reconnects by itself with backoff). Incoming messages are handed to the
event loop with call_soon_threadsafe, so every handler and every database write runs on one thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from devicekit.netopts import enable_nodelay
from devicekit.protocol import HUB_HEALTH_SUB, HUB_REQ_SUB, HUB_STATUS_SUB

log = logging.getLogger("motcua.hub.mqtt")

SESSION_EXPIRY_S = 3600  # requests sent while the hub restarts wait at the broker for it


@dataclass(frozen=True)
class Incoming:
    topic: str
    payload: bytes
    correlation: bytes | None
    received: float  # time.monotonic() when paho handed it over


class HubMqtt:
    def __init__(self, host: str, port: int, username: str, password: str, *,
                 client_id: str = "motcua-hub", on_message: Callable[[Incoming], None]):
        self.host, self.port = host, port
        self._on_message_cb = on_message
        self._connected = threading.Event()
        self.on_connect: Callable[[], None] | None = None
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
        c.username_pw_set(username, password)
        c.reconnect_delay_set(0.2, 5)
        c.max_inflight_messages_set(1000)
        c.max_queued_messages_set(0)
        enable_nodelay(c)
        c.on_connect = self._on_connect
        c.on_disconnect = self._on_disconnect
        c.on_message = self._on_message
        self._client = c

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def start(self) -> None:
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = SESSION_EXPIRY_S
        self._client.connect_async(self.host, self.port, keepalive=15, clean_start=False, properties=props)
        self._client.loop_start()

    async def wait_connected(self, timeout: float) -> bool:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self._connected.wait, timeout)

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
        self._connected.clear()

    def publish(self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False,
                correlation: bytes | None = None) -> None:
        props = None
        if correlation is not None:
            props = Properties(PacketTypes.PUBLISH)
            props.CorrelationData = correlation
        info = self._client.publish(topic, payload, qos=qos, retain=retain, properties=props)
        if info.rc != mqtt.MQTT_ERR_SUCCESS and info.rc != mqtt.MQTT_ERR_NO_CONN:
            log.warning("publish to %s failed: %s", topic, mqtt.error_string(info.rc))

    # paho thread ---------------------------------------------------------------------------------
    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            log.error("broker refused the hub: %s", reason)
            return
        client.subscribe([(HUB_REQ_SUB, 1), (HUB_STATUS_SUB, 1), (HUB_HEALTH_SUB, 0)])
        self._connected.set()
        log.info("hub connected to broker %s:%s", self.host, self.port)
        if self.on_connect is not None:
            self.on_connect()

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        self._connected.clear()
        log.warning("hub lost the broker (%s); reconnecting", reason)

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        corr = getattr(msg.properties, "CorrelationData", None) if msg.properties else None
        try:
            self._on_message_cb(Incoming(msg.topic, bytes(msg.payload), corr, time.monotonic()))
        except Exception:  # never let a handler kill paho's thread
            log.exception("could not queue message on %s", msg.topic)
