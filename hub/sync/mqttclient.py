"""A small threaded MQTT v5 client for the sync: paho's own network thread, messages handed to the
sync thread through a queue. Reconnecting is paho's (with backoff); nothing is queued in paho or in the
broker for durability — the outbox and the high-water marks are."""

from __future__ import annotations

import logging
import queue
import ssl
import threading

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

log = logging.getLogger("motcua.hub.sync")


class SyncClient:
    def __init__(self, host: str, port: int, username: str, password: str, subscribe: str,
                 ca_file: str | None = None):
        self.host, self.port = host, port
        self.subscribe = subscribe
        self.inbox: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.connected = threading.Event()
        self.generation = 0  # bumped on every (re)connect: the sender resends above the ack
        c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=username, protocol=mqtt.MQTTv5)
        c.username_pw_set(username, password)
        if ca_file:
            c.tls_set(ca_certs=ca_file, cert_reqs=ssl.CERT_REQUIRED)
        c.reconnect_delay_set(0.2, 5.0)
        c.max_inflight_messages_set(100)
        c.on_connect = self._on_connect
        c.on_disconnect = self._on_disconnect
        c.on_message = lambda _c, _u, m: self.inbox.put((m.topic, m.payload))
        self.client = c
        self._started = False

    def _on_connect(self, client, _userdata, _flags, reason, _props) -> None:
        if reason.is_failure:
            log.warning("sync: %s:%s refused the connection: %s", self.host, self.port, reason)
            return
        client.subscribe(self.subscribe, qos=1)
        self.generation += 1
        self.connected.set()

    def _on_disconnect(self, *_args) -> None:
        self.connected.clear()

    def up(self) -> None:
        """Connect (again): paho's thread keeps reconnecting after a drop until `down()`."""
        if not self._started:
            self.client.connect_async(self.host, self.port, keepalive=10)
            self.client.loop_start()
            self._started = True

    def down(self) -> None:
        """Drop the connection and stop paho's thread (an explicit disconnect ends its loop)."""
        self.client.disconnect()
        if self._started:
            self.client.loop_stop()
            self._started = False
        self.connected.clear()

    def publish(self, topic: str, payload: bytes) -> bool:
        info = self.client.publish(topic, payload, qos=1)
        return info.rc == mqtt.MQTT_ERR_SUCCESS

    def close(self) -> None:
        self.down()
