"""`Probe`: an MQTT v5 client for tests that records what Mosquitto answers (CONNACK/PUBACK/SUBACK codes)."""

from __future__ import annotations

import queue
import threading
import time
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

TIMEOUT = 5.0


class Probe:
    """A paho 2.x MQTT v5 client on its own thread that keeps CONNACK, PUBACK and SUBACK reason codes
    and the messages it receives, so a test can assert on what the broker actually said."""

    def __init__(self, port: int, username: str | None = None, password: str | None = None,
                 client_id: str = ""):
        self.port = port
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                                  protocol=mqtt.MQTTv5)
        if username is not None:
            self.client.username_pw_set(username, password)
        self.connack: ReasonCode | None = None
        self.messages: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        self._connected = threading.Event()
        self._acks: dict[int, object] = {}
        self._cond = threading.Condition()
        self.client.on_connect = self._on_connect
        self.client.on_publish = self._on_publish
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = lambda _c, _u, msg: self.messages.put(msg)

    def connect(self) -> ReasonCode:
        """Connect and return the CONNACK reason code (success or the broker's refusal)."""
        self.client.connect("127.0.0.1", self.port, keepalive=10)
        self.client.loop_start()
        if not self._connected.wait(TIMEOUT):
            raise TimeoutError("no CONNACK")
        assert self.connack is not None
        return self.connack

    def publish(self, topic: str, payload: bytes = b"{}", qos: int = 1,
                correlation: bytes | None = None) -> ReasonCode:
        """Publish at QoS 1 and return the PUBACK reason code."""
        props = None
        if correlation is not None:
            props = Properties(PacketTypes.PUBLISH)
            props.CorrelationData = correlation
        info = self.client.publish(topic, payload, qos=qos, properties=props)
        return self._wait_ack(info.mid)

    def subscribe(self, topic: str, qos: int = 1) -> ReasonCode:
        """Subscribe and return the SUBACK reason code for the one filter."""
        _, mid = self.client.subscribe(topic, qos=qos)
        codes = self._wait_ack(mid)
        return codes[0]

    def received(self, timeout: float) -> list[mqtt.MQTTMessage]:
        """Messages that arrive within `timeout` seconds (waits the full time: proves absence too)."""
        out = []
        try:
            out.append(self.messages.get(timeout=timeout))
            while True:
                out.append(self.messages.get(timeout=0.2))
        except queue.Empty:
            return out

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def _wait_ack(self, mid: int) -> Any:  # a ReasonCode for PUBACK, a list of them for SUBACK
        with self._cond:
            if not self._cond.wait_for(lambda: mid in self._acks, TIMEOUT):
                raise TimeoutError(f"no ack for mid {mid}")
            return self._acks.pop(mid)

    def _on_connect(self, _c, _u, _flags, reason_code: ReasonCode, _props) -> None:
        self.connack = reason_code
        self._connected.set()

    def _on_publish(self, _c, _u, mid: int, reason_code: ReasonCode, _props) -> None:
        with self._cond:
            self._acks[mid] = reason_code
            self._cond.notify_all()

    def _on_subscribe(self, _c, _u, mid: int, reason_codes: list[ReasonCode], _props) -> None:
        with self._cond:
            self._acks[mid] = reason_codes
            self._cond.notify_all()


def try_connect(port: int, username: str | None, password: str | None) -> ReasonCode:
    """Connect, note the CONNACK reason code, disconnect. Runs the network loop in this thread, so a
    refused client is not left retrying in the background and closing it does not wait for a retry."""
    probe = Probe(port, username, password)
    client = probe.client
    client.connect("127.0.0.1", port, keepalive=10)
    deadline = time.monotonic() + TIMEOUT
    while probe.connack is None and time.monotonic() < deadline:
        client.loop(0.05)
    client.disconnect()
    if probe.connack is None:
        raise TimeoutError("no CONNACK")
    return probe.connack
