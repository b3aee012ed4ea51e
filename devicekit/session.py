"""A device's MQTT session with the hub: presence, requests with retries, config, commands, health.

Every device app (kiosk, counter terminal, display) holds one DeviceSession. It hides the parts that are
easy to get wrong on a poor network: a persistent broker session so answers sent while the link was down
still arrive, a last will so the hub sees a dead device go offline, retries that reuse the request_id so
the hub can de-duplicate, and validation of everything received so one bad message cannot kill the
network thread.

Threads: paho's network thread runs on_config, on_command, display callbacks and Future callbacks; keep
them short and never call the blocking `request` from them (use `request_async`).
"""

from __future__ import annotations

import logging
import math
import random
import shutil
import sqlite3
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from devicekit import timers
from motcua_core import clock as wallclock
from motcua_core import protocol
from motcua_core.device_config import DeviceConfig
from motcua_core.errors import RequestError
from motcua_core.mqttprops import publish_properties
from motcua_core.netopts import enable_nodelay
from motcua_core.private import make_private

if TYPE_CHECKING:
    from devicekit.outbox import Outbox

log = logging.getLogger("motcua.device")


# MQTT v5 CONNACK reason codes meaning "these credentials are not accepted" (v3 return codes 4 and 5).
AUTH_REFUSALS = frozenset({0x86, 0x87, 4, 5})


class _NotConnectedNoise(logging.Filter):
    """paho's loop thread runs once more after disconnect() and logs "Client is not connected" as an
    error; a real loss of the broker is reported by our own on_disconnect, so the line says nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Client is not connected")


_PAHO_LOG = logging.getLogger("motcua.device.paho")
_PAHO_LOG.addFilter(_NotConnectedNoise())

SESSION_EXPIRY_S = 86400  # the broker keeps our subscriptions and queued answers for a day offline
HEALTH_JITTER = 0.25  # each health report comes after interval × (1 ± this), drawn afresh each time
THERMAL_ZONE = Path("/sys/class/thermal/thermal_zone0/temp")




def now_iso() -> str:
    return wallclock.now(UTC).isoformat(timespec="milliseconds")


@dataclass(eq=False)
class _Call:
    """One request in flight: the same payload and request_id for every attempt."""

    request_id: str
    topic: str
    payload: bytes
    timeout: float
    attempts_left: int  # re-publishes still allowed after the current attempt
    future: Future[dict] = field(default_factory=Future)
    timer: timers.Handle | None = None
    sent: bool = False  # this attempt was handed to paho (paho itself resends unacknowledged QoS1)


class DeviceSession:
    def __init__(self, config: DeviceConfig, *, version: str | None = None,
                 health_fn: Callable[[], dict] | None = None):
        from devicekit.outbox import Outbox

        self.config = config
        self.version = version or installed_version()  # issue #14: the fleet compares it with the release
        self.health_fn = health_fn
        self._on_config: Callable[[dict], None] | None = None
        self.on_command: Callable[[dict], None] | None = None
        # Commands served beside the app's own (issue #14: `selftest`, `update` from provisioning.fleetcmd).
        self.command_handlers: dict[str, Callable[[dict], None]] = {}
        self.config_listeners: list[Callable[[dict], None]] = []  # run before on_config, for every new config

        c = config
        self._topics = {leaf: protocol.dev_topic(c.site, c.device_id, leaf)
                        for leaf in ("status", "health", "config", "res", "cmd")}
        self._display_topics = {protocol.display_topic(c.site, leaf): leaf for leaf in ("state", "call")}
        self._display_cb: Callable[[str, dict], None] | None = None

        self._lock = threading.Lock()
        self._sub_lock = threading.Lock()
        self._pending: dict[str, _Call] = {}
        self._connected = threading.Event()
        # Why the broker refused the last login ("Not authorized", "Bad user name or password": a wrong,
        # rotated or revoked secret), None once connected: screens and `provision check` say so (issue #13).
        self.refused: str | None = None
        self._stopping = threading.Event()
        self._started = False
        self._health_wake = threading.Event()
        self._health_thread: threading.Thread | None = None
        self._net_thread_id: int | None = None
        self._last_config: dict | None = None
        self._t0 = time.monotonic()
        # A counter's sign-in token (counter.login): counter_terminal sends it with every officer action.
        self.officer_token: str | None = None

        make_private(c.data_dir)  # outbox, journal and printed forms: the device's user alone
        self.outbox: Outbox = Outbox(
            c.data_dir / "outbox.db",
            lambda verb, data, rid: self.request(verb, data, request_id=rid),
            is_connected=lambda: self.connected,
            await_hub=True,  # bound to the hub named in the first config (issue #13)
        )
        self._client = self._make_client()

    def _make_client(self) -> mqtt.Client:
        c = self.config
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=c.device_id, protocol=mqtt.MQTTv5)
        client.username_pw_set(c.device_id, c.secret)
        client.enable_logger(_PAHO_LOG)
        client.suppress_exceptions = True  # second line of defence; our callbacks catch their own errors
        enable_nodelay(client)
        if c.tls:
            # The hub's own CA when the config carries it (an office LAN has no public certificate); the
            # host name or address in broker_host must be one the hub's certificate names.
            client.tls_set_context(ssl.create_default_context(cadata=c.ca_cert))
        client.will_set(self._topics["status"], self._status_payload("offline"), qos=1, retain=True)
        client.reconnect_delay_set(1, 30)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        return client

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        """Begin connecting in the background; returns at once, even when the broker is unreachable."""
        if self._started:
            raise RuntimeError("DeviceSession.start() called twice")
        self._started = True
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = SESSION_EXPIRY_S
        self._client.connect_async(self.config.broker_host, self.config.broker_port,
                                   keepalive=self.config.keepalive_s, clean_start=False, properties=props)
        self._client.loop_start()
        self._health_thread = threading.Thread(target=self._health_loop, name="motcua-health", daemon=True)
        self._health_thread.start()
        self.outbox.start()

    def stop(self) -> None:
        """Say goodbye (retained offline status), disconnect, and stop every thread we started."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        with self._lock:
            calls = list(self._pending.values())
            self._pending.clear()
        for call in calls:  # unblocks the outbox worker too; its row stays queued on disk
            self._finish(call, RequestError("timeout", "session stopped before the hub answered",
                                            request_id=call.request_id))
        self.outbox.stop()
        self._health_wake.set()
        if self._health_thread is not None:
            self._health_thread.join(5)
        if not self._started:
            return
        if self._connected.is_set():
            info = self._client.publish(self._topics["status"], self._status_payload("offline"), qos=1,
                                        retain=True)
            try:
                info.wait_for_publish(timeout=2)
            except (RuntimeError, ValueError) as exc:
                log.warning("could not publish offline status: %s", exc)
        self._client.disconnect()  # a normal DISCONNECT: the broker drops the will, we sent it ourselves
        self._client.loop_stop()
        self._connected.clear()

    @property
    def on_config(self) -> Callable[[dict], None] | None:
        return self._on_config

    @on_config.setter
    def on_config(self, callback: Callable[[dict], None] | None) -> None:
        """Set the config callback; a config that arrived before it is handed over at once."""
        self._on_config = callback
        if callback is not None and self._last_config is not None:
            self._run_callback(callback, self._last_config)

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def subscribe_display(self, callback: Callable[[str, dict], None]) -> None:
        """Receive `display/state` (retained) and `display/call` of this site as (leaf, payload)."""
        with self._sub_lock:  # on_connect either sees the callback or we see the connection
            self._display_cb = callback
            connected = self.connected
        if connected:
            self._client.subscribe([(t, 1) for t in self._display_topics])

    # --- requests -------------------------------------------------------------------------------

    def request(self, verb: str, data: dict | None = None, *, timeout: float | None = None,
                retries: int | None = None, request_id: str | None = None) -> dict:
        """Send a request and wait for its answer's `data`; raises RequestError."""
        if self._net_thread_id == threading.get_ident():
            raise RuntimeError("request() would deadlock on the MQTT thread; use request_async()")
        return self._submit(verb, data, timeout, retries, request_id).result()

    def request_async(self, verb: str, data: dict | None = None, *, request_id: str | None = None,
                      timeout: float | None = None, retries: int | None = None) -> Future[dict]:
        """Like request() but returns at once; the Future fails with RequestError."""
        return self._submit(verb, data, timeout, retries, request_id)

    def _submit(self, verb: str, data: dict | None, timeout: float | None, retries: int | None,
                request_id: str | None) -> Future[dict]:
        rid = request_id or protocol.new_request_id()
        if not isinstance(rid, str) or len(rid) > protocol.REQUEST_ID_MAX:
            raise ValueError(f"request_id must be a string of at most {protocol.REQUEST_ID_MAX} characters")
        payload = protocol.encode(protocol.make_request(verb, data, rid))  # ValueError for a bad verb
        timeout = self.config.request_timeout_s if timeout is None else timeout
        retries = self.config.request_retries if retries is None else retries
        call = _Call(rid, protocol.req_topic(self.config.site, self.config.device_id, verb), payload,
                     timeout, retries)
        if len(payload) > protocol.MAX_PAYLOAD:
            call.future.set_exception(RequestError(
                "payload_too_large", f"request of {len(payload)} bytes exceeds {protocol.MAX_PAYLOAD}",
                request_id=rid))
            return call.future
        with self._lock:
            if self._stopping.is_set():
                call.future.set_exception(RequestError("timeout", "session is stopped", request_id=rid))
                return call.future
            existing = self._pending.get(rid)
            if existing is not None:  # same id already in flight: the answer will be the same one
                return existing.future
            self._pending[rid] = call
        call.future.add_done_callback(lambda _f: self._forget(call))  # e.g. the caller cancelled it
        self._attempt(call)
        return call.future

    def _attempt(self, call: _Call, *, resend: bool = False) -> None:
        with self._lock:
            if self._pending.get(call.request_id) is not call:
                return
            call.timer = timers.schedule(call.timeout, self._on_attempt_timeout, call)
            if resend:
                call.sent = False
        self._publish_call(call)

    def _publish_call(self, call: _Call) -> None:
        """Publish once per attempt, and only while connected.

        paho would queue a publish made while offline and send it long after we gave up; instead
        on_connect publishes the calls still unsent. The `sent` flag is claimed under the lock, so a
        request made just as the connection comes up is not published twice.
        """
        with self._lock:
            if call.sent or not self._connected.is_set():
                return
            call.sent = True
        # MessageExpiryInterval lets the broker drop a request the device has stopped waiting for (e.g. the
        # hub was down), so a citizen never gets a ticket issued minutes after the kiosk said "try again".
        props = publish_properties(
            ResponseTopic=self._topics["res"], CorrelationData=call.request_id.encode(),
            MessageExpiryInterval=max(1, math.ceil(call.timeout * (call.attempts_left + 1))))
        info = self._client.publish(call.topic, call.payload, qos=1, properties=props)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:  # lost the link meanwhile; paho keeps a copy for the reconnect
            log.debug("publish of %s returned %s", call.request_id, info.rc)

    def _on_attempt_timeout(self, call: _Call) -> None:
        with self._lock:
            if self._pending.get(call.request_id) is not call:
                return
            give_up = call.attempts_left <= 0
            if give_up:
                del self._pending[call.request_id]
            else:
                call.attempts_left -= 1
        if give_up:
            log.warning("no answer to %s after all retries", call.request_id)
            self._finish(call, RequestError("timeout", "the hub did not answer in time",
                                            request_id=call.request_id))
        else:
            log.info("no answer to %s yet; resending with the same request_id", call.request_id)
            self._attempt(call, resend=True)

    def _forget(self, call: _Call) -> None:
        with self._lock:
            if self._pending.get(call.request_id) is call:
                del self._pending[call.request_id]
        if call.timer is not None:
            call.timer.cancel()

    @staticmethod
    def _finish(call: _Call, outcome: dict | RequestError) -> None:
        if call.timer is not None:
            call.timer.cancel()
        try:
            if isinstance(outcome, RequestError):
                call.future.set_exception(outcome)
            else:
                call.future.set_result(outcome)
        except InvalidStateError:  # cancelled by the caller meanwhile
            pass

    # --- health ---------------------------------------------------------------------------------

    def publish_health(self, extra: dict | None = None) -> None:
        if not self.connected:
            return
        report = self._health_report()
        if extra:
            report.update(extra)
        self._client.publish(self._topics["health"], protocol.encode(report), qos=0)

    def _health_report(self) -> dict[str, Any]:
        report: dict[str, Any] = {"v": protocol.PROTOCOL_VERSION, "at": now_iso(),
                                  "uptime_s": round(time.monotonic() - self._t0, 1)}
        try:
            usage = shutil.disk_usage(self.config.data_dir)
            report["disk_free_mb"] = usage.free // (1024 * 1024)
            report["disk_used_pct"] = round(100.0 * (usage.total - usage.free) / usage.total, 1)
        except (OSError, ZeroDivisionError):
            report["disk_free_mb"] = report["disk_used_pct"] = None
        report["address"] = self._local_address()  # issue #14: the fleet view shows where a device is
        report["temp_c"] = read_temp_c()
        try:
            report["outbox_pending"] = self.outbox.pending()
        except Exception:
            log.exception("cannot count outbox rows")
            report["outbox_pending"] = None
        if self.health_fn is not None:
            try:
                report.update(self.health_fn())
            except Exception as exc:
                log.exception("health_fn failed")
                report["health_error"] = f"{type(exc).__name__}: {exc}"
        return report

    def _local_address(self) -> str | None:
        sock = self._client.socket()
        try:
            return sock.getsockname()[0] if sock is not None else None
        except (OSError, AttributeError):
            return None

    def _health_loop(self) -> None:
        """First report right after each connect, then every health_interval_s give or take a quarter
        (HEALTH_JITTER): a fleet started together, or reconnected together after a broker restart, must
        not report in step — 2,000 devices in the same second held counters' calls behind them."""
        while True:
            jitter = random.uniform(1 - HEALTH_JITTER, 1 + HEALTH_JITTER)
            self._health_wake.wait(self.config.health_interval_s * jitter)
            self._health_wake.clear()
            if self._stopping.is_set():
                return
            try:
                self.publish_health()
            except Exception:
                log.exception("publishing health failed")

    # --- paho callbacks (network thread) --------------------------------------------------------

    def _status_payload(self, state: str) -> bytes:
        return status_payload(state, self.config.role, self.version)

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason_code: Any,
                    properties: Any) -> None:
        self._net_thread_id = threading.get_ident()
        try:
            if reason_code.is_failure:
                log.error("broker refused connection: %s", reason_code)
                if getattr(reason_code, "value", None) in AUTH_REFUSALS:
                    self.refused = str(reason_code)
                return
            self.refused = None
            topics = [(self._topics[leaf], 1) for leaf in ("res", "cmd", "config")]
            with self._sub_lock:
                if self._display_cb is not None:
                    topics += [(t, 1) for t in self._display_topics]
                client.subscribe(topics)
                self._connected.set()
            client.publish(self._topics["status"], self._status_payload("online"), qos=1, retain=True)
            log.info("connected to %s:%s (session present: %s)", self.config.broker_host,
                     self.config.broker_port, getattr(flags, "session_present", "?"))
            with self._lock:
                calls = list(self._pending.values())
            for call in calls:  # made while offline; those already sent are resent by paho itself
                self._publish_call(call)
            self.outbox.wake()
            self._health_wake.set()
        except Exception:
            log.exception("error in on_connect")

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason_code: Any,
                       properties: Any) -> None:
        self._connected.clear()
        if not self._stopping.is_set():
            log.warning("disconnected from broker (%s); reconnecting", reason_code)

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        try:
            topic = msg.topic
            if topic == self._topics["res"]:
                self._handle_response(msg)
            elif topic == self._topics["config"]:
                self._handle_config(msg.payload)
            elif topic == self._topics["cmd"]:
                obj = self._decode(topic, msg.payload)
                if obj is not None:
                    self._run_callback(self.command_handlers.get(str(obj.get("cmd")), self.on_command), obj)
            elif topic in self._display_topics:
                obj = self._decode(topic, msg.payload)
                if obj is not None and self._display_cb is not None:
                    self._run_callback(self._display_cb, self._display_topics[topic], obj)
            else:
                log.warning("message on unexpected topic %r dropped", topic)
        except Exception:
            log.exception("error handling message on %r", getattr(msg, "topic", "?"))

    @staticmethod
    def _decode(topic: str, payload: bytes) -> dict | None:
        try:
            return protocol.decode(payload)
        except protocol.ProtocolError as exc:
            log.warning("malformed message on %s dropped: %s (%s)", topic, exc.message, exc.code)
            return None

    def _handle_config(self, payload: bytes) -> None:
        if not payload:  # an empty retained message clears the config; nothing to apply
            return
        obj = self._decode(self._topics["config"], payload)
        if obj is None or obj == self._last_config:  # the retained copy comes again after each reconnect
            return
        self._last_config = obj
        try:
            self.outbox.bind_hub(obj.get("hub_id") if isinstance(obj.get("hub_id"), str) else None)
        except sqlite3.Error:
            log.exception("outbox: cannot bind to hub %s", obj.get("hub_id"))
        for listener in list(self.config_listeners):
            self._run_callback(listener, obj)
        self._run_callback(self.on_config, obj)

    def _handle_response(self, msg: mqtt.MQTTMessage) -> None:
        try:
            obj = protocol.parse_response(msg.payload)
        except protocol.ProtocolError as exc:
            log.warning("malformed response dropped: %s (%s)", exc.message, exc.code)
            return
        candidates = []
        if isinstance(obj.get("request_id"), str):
            candidates.append(obj["request_id"])
        corr = getattr(msg.properties, "CorrelationData", None) if msg.properties else None
        if corr:
            candidates.append(bytes(corr).decode("utf-8", "replace"))
        call = None
        with self._lock:
            for rid in candidates:
                call = self._pending.pop(rid, None)
                if call is not None:
                    break
        if call is None:
            log.debug("answer to %s arrived after we stopped waiting; dropped", candidates or "?")
            return
        if obj["ok"]:
            self._finish(call, obj["data"])
        else:
            err = obj["error"]
            self._finish(call, RequestError(err["code"], _str_or_none(err.get("message")),
                                            _str_or_none(err.get("message_vi")), call.request_id))

    @staticmethod
    def _run_callback(fn: Callable[..., Any] | None, *args: Any) -> None:
        if fn is None:
            return
        try:
            fn(*args)
        except Exception:
            log.exception("device callback %r failed", fn)


def status_payload(state: str, role: str, version: str) -> bytes:
    """The retained `status` message: online (with the time) or offline (also the will)."""
    msg: dict[str, Any] = {"v": protocol.PROTOCOL_VERSION, "state": state, "role": role, "version": version}
    if state == "online":
        msg["at"] = now_iso()
    return protocol.encode(msg)


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def installed_version(package: str = "motcua") -> str:
    """The version of the installed package (what `motcua provision update` changes)."""
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "0.0.0"


def read_temp_c(path: Path = THERMAL_ZONE) -> float | None:
    """SoC temperature in °C (Raspberry Pi and most ARM boards), None where the kernel has no sensor."""
    try:
        return round(int(path.read_text().strip()) / 1000.0, 1)
    except (OSError, ValueError):
        return None


