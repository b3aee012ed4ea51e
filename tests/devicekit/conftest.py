"""Fixtures for the device runtime: a stand-in hub (Responder), a topic Watcher, and sessions.

The real hub is not needed to test the device side: the Responder answers requests exactly the way
the protocol says the hub must (on the MQTT v5 ResponseTopic, echoing CorrelationData, same answer for a
repeated request_id), and records what it processed so tests can check order and exactly-once.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from devicekit.session import DeviceSession
from motcua_core import protocol
from motcua_core.device_config import DeviceConfig

SITE = "hcm-q1"

# (verb, request_id, data, attempt number for this request_id) -> response envelope, or None to stay silent.
# Raising ProtocolError answers with that error.
Handler = Callable[[str, str, dict, int], dict | None]


def echo_handler(verb: str, rid: str, data: dict, attempt: int) -> dict | None:
    return protocol.ok_response(rid, {"verb": verb, "echo": data})


def wait_until(pred: Callable[[], Any], timeout: float = 30.0, interval: float = 0.02) -> Any:
    """Poll `pred` until it is truthy; fail the test with a clear message otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


def _client(client_id: str) -> mqtt.Client:
    return mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)


class Responder:
    """A tiny hub stand-in with a persistent session, so it misses nothing across a broker restart."""

    def __init__(self, host: str, port: int, handler: Handler = echo_handler):
        self.handler = handler
        self.seen: Counter[str] = Counter()  # request_id -> times received
        self.processed: list[tuple[str, str, dict]] = []  # (verb, request_id, data), once per request_id
        self._answers: dict[str, dict] = {}
        self._lock = threading.Lock()
        self.ready = threading.Event()
        self.client = _client("test-hub")
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(1, 2)
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = 3600
        self.client.connect(host, port, keepalive=10, clean_start=False, properties=props)
        self.client.loop_start()
        wait_until(self.ready.is_set)

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, rc: Any, props: Any) -> None:
        client.subscribe(protocol.HUB_REQ_SUB, qos=1)
        self.ready.set()

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        rid: str | None = None
        try:
            verb = protocol.parse_topic(msg.topic).verb or ""
            rid, data = protocol.parse_request(msg.payload)
            with self._lock:
                self.seen[rid] += 1
                attempt = self.seen[rid]
                answer = self._answers.get(rid)
            if answer is None:
                try:
                    answer = self.handler(verb, rid, data, attempt)
                except protocol.ProtocolError as err:
                    answer = protocol.error_response(rid, err)
                if answer is None:
                    return
                with self._lock:
                    self._answers[rid] = answer
                    self.processed.append((verb, rid, data))
        except protocol.ProtocolError as err:
            answer = protocol.error_response(rid, err)
        res_props = Properties(PacketTypes.PUBLISH)
        res_props.CorrelationData = msg.properties.CorrelationData
        client.publish(msg.properties.ResponseTopic, protocol.encode(answer), qos=1, properties=res_props)

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class Watcher:
    """Records every message on one topic filter, to check what the device published."""

    def __init__(self, host: str, port: int, topic: str, client_id: str = "test-watcher"):
        self.messages: queue.Queue[tuple[str, bytes, bool]] = queue.Queue()
        self.history: list[tuple[str, bytes, bool]] = []
        ready = threading.Event()
        self.client = _client(client_id)
        self.client.on_connect = lambda c, *a: (c.subscribe(topic, qos=1), ready.set())
        self.client.on_message = lambda c, u, m: self.messages.put((m.topic, m.payload, bool(m.retain)))
        self.client.connect(host, port, keepalive=10)
        self.client.loop_start()
        wait_until(ready.is_set)

    def next(self, pred: Callable[[dict], bool] = lambda _m: True, timeout: float = 5.0) -> dict:
        """The next decoded message matching `pred` (earlier non-matching ones are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching message within {timeout}s; saw {self.history!r}")
            try:
                item = self.messages.get(timeout=left)
            except queue.Empty:
                continue
            self.history.append(item)
            obj = protocol.decode(item[1])
            if pred(obj):
                return obj

    def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(5)

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def responder(plain_broker: Any) -> Iterator[Responder]:
    r = Responder(plain_broker.host, plain_broker.port)
    yield r
    r.stop()


@pytest.fixture
def watch(plain_broker: Any) -> Iterator[Callable[[str], Watcher]]:
    """Factory: watch(topic_filter) -> Watcher, stopped after the test."""
    made: list[Watcher] = []

    def make(topic: str) -> Watcher:
        w = Watcher(plain_broker.host, plain_broker.port, topic, client_id=f"test-watcher-{len(made)}")
        made.append(w)
        return w

    yield make
    for w in made:
        w.stop()


def device_config(plain_broker: Any, data_dir: Path, **overrides: Any) -> DeviceConfig:
    values: dict[str, Any] = {
        "device_id": "kiosk-01", "secret": "s3cret", "site": SITE, "role": "kiosk",
        "broker_host": plain_broker.host, "broker_port": plain_broker.port, "data_dir": data_dir,
        "request_timeout_s": 1.0, "request_retries": 2, "health_interval_s": 600.0, "keepalive_s": 5,
    }
    values.update(overrides)
    return DeviceConfig(**values)


def _push_config(plain_broker: Any, cfg: DeviceConfig) -> None:
    """The retained config a hub keeps for every device it knows (naming the hub: the outbox waits for it)."""
    c = _client(f"test-config-{cfg.device_id}")
    try:
        c.connect(plain_broker.host, plain_broker.port)
    except OSError:  # the test stopped the broker first: nothing to push
        return
    c.loop_start()
    body = protocol.encode({"v": protocol.PROTOCOL_VERSION, "device_id": cfg.device_id, "role": cfg.role,
                            "site": cfg.site, "hub_id": "test-hub"})
    c.publish(protocol.dev_topic(cfg.site, cfg.device_id, "config"), body, qos=1, retain=True).wait_for_publish(5)
    c.disconnect()
    c.loop_stop()


@pytest.fixture
def make_session(plain_broker: Any, tmp_path: Path) -> Iterator[Callable[..., DeviceSession]]:
    """Factory: make_session(start=True, **config overrides) -> DeviceSession, stopped after the test."""
    made: list[DeviceSession] = []

    def make(*, start: bool = True, setup: Callable[[DeviceSession], None] | None = None,
             health_fn: Callable[[], dict] | None = None, hub_config: bool = True, **overrides: Any) -> DeviceSession:
        cfg = device_config(plain_broker, tmp_path / f"device-{len(made)}", **overrides)
        session = DeviceSession(cfg, version="9.9.9", health_fn=health_fn)
        made.append(session)
        if setup is not None:
            setup(session)
        if hub_config:
            _push_config(plain_broker, cfg)
        if start:
            session.start()
            assert session.wait_connected(30), "session did not connect"
        return session

    yield make
    for s in made:
        s.stop()
        s.outbox.close()
