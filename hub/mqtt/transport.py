"""The hub's MQTT connection, driven by the asyncio event loop itself.

paho's external-loop API: the socket is registered with the loop (add_reader / add_writer) and the
loop calls paho's loop_read / loop_write / loop_misc. There is no paho thread, so a request goes from
the socket to the router and its answer back to the socket without a single thread hand-off or GIL
contention (`motcua bench call-path` measured the threaded version at ~0.6 ms more per call).
Reconnecting, which paho's own thread would do, is done by `_run()` here, with backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt import _packet
from paho.mqtt.client import DISCONNECT, PUBLISH, MalformedPacket
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions

from motcua_core.mqttprops import install_fast_decode, publish_properties
from motcua_core.netopts import set_nodelay
from motcua_core.protocol import HUB_HEALTH_SUB, HUB_REQ_SUB, HUB_STATUS_SUB

log = logging.getLogger("motcua.hub.mqtt")

SESSION_EXPIRY_S = 3600  # requests sent while the hub restarts wait at the broker for it
BACKOFF_MIN, BACKOFF_MAX = 0.2, 5.0
# The broker may send this many QoS 1 messages before the hub acknowledges them (MQTT v5 Receive
# Maximum). Without it Mosquitto allows 20 in flight and queues the rest: after a broker restart a
# fleet's retained statuses then overflow the hub's queue and are dropped (issue #15).
RECEIVE_MAXIMUM = 65535
RECV_CHUNK = 256 * 1024  # bytes read from the socket at once (paho reads each packet in three pieces)
READ_BURST = 512  # packets read from the socket before the router serves them (one batch, one commit)


@dataclass(frozen=True)
class Incoming:
    topic: str
    payload: bytes
    correlation: bytes | None
    received: float  # time.monotonic() when paho handed it over
    retain: bool = False  # as published (the hub subscribes with retain-as-published): refused on requests


class HubMqtt:
    def __init__(self, host: str, port: int, username: str, password: str, *,
                 client_id: str = "motcua-hub", on_message: Callable[[Incoming], None]):
        self.host, self.port = host, port
        self._on_message_cb = on_message
        self.after_read: Callable[[], None] | None = None  # e.g. Router.drain: serve what was just read
        self._connected = threading.Event()  # read by the health endpoint and by tests from other threads
        self.on_connect: Callable[[], None] | None = None
        install_fast_decode()
        c = _LeanClient(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
        c.username_pw_set(username, password)
        c.connect_timeout = 3.0  # connecting blocks the loop briefly; the broker is local or on the LAN
        c.max_inflight_messages_set(1000)
        c.max_queued_messages_set(0)
        c.on_connect = self._on_connect
        c.on_disconnect = self._on_disconnect
        c.on_message = self._on_message
        c.deliver = self._deliver
        c.on_socket_open = self._on_socket_open
        c.on_socket_close = self._on_socket_close
        c.on_socket_register_write = self._on_register_write
        c.on_socket_unregister_write = self._on_unregister_write
        self._client = c
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed: asyncio.Event | None = None
        self._tasks: list[asyncio.Task] = []
        self._stopping = False
        self._was_connected = False
        self._write_soon = False  # a write is scheduled for the end of this loop turn
        self._writer_added = False  # the socket was full: the loop watches it for room

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def start(self) -> None:
        """Begin connecting (and reconnecting for as long as the hub runs); call from the event loop."""
        self._loop = asyncio.get_running_loop()
        self._closed = asyncio.Event()
        self._tasks = [self._loop.create_task(self._run(), name="mqtt-connect"),
                       self._loop.create_task(self._misc(), name="mqtt-misc")]

    async def wait_connected(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not self._connected.is_set():
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.02)
        return True

    def stop(self) -> None:
        self._stopping = True
        for t in self._tasks:
            t.cancel()
        if self._client.socket() is not None:
            self._client.disconnect()
            with contextlib.suppress(Exception):
                self._client.loop_write()  # flush DISCONNECT now: the loop may not turn again
        self._connected.clear()

    def publish(self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False,
                correlation: bytes | None = None) -> None:
        props = None if correlation is None else publish_properties(CorrelationData=correlation)
        info = self._client.publish(topic, payload, qos=qos, retain=retain, properties=props)
        if info.rc != mqtt.MQTT_ERR_SUCCESS and info.rc != mqtt.MQTT_ERR_NO_CONN:
            log.warning("publish to %s failed: %s", topic, mqtt.error_string(info.rc))

    def flush(self) -> None:
        """Write what is queued to the socket now, not on the event loop's next turn.

        The router calls this between its steps (e.g. before a commit's fsync) so a message leaves while
        the hub goes on working; whatever the socket does not take now, the writer callback sends later.
        """
        if self._client.socket() is not None:
            self._client.loop_write()

    # --- connection management (event loop) ----------------------------------------------------
    async def _run(self) -> None:
        assert self._closed is not None
        backoff = BACKOFF_MIN
        first = True
        while not self._stopping:
            props = Properties(PacketTypes.CONNECT)
            props.SessionExpiryInterval = SESSION_EXPIRY_S
            props.ReceiveMaximum = RECEIVE_MAXIMUM
            try:
                if first:
                    self._client.connect(self.host, self.port, keepalive=15, clean_start=False, properties=props)
                    first = False
                else:
                    self._client.reconnect()
            except (OSError, mqtt.WebsocketConnectionError) as exc:
                log.warning("hub cannot reach the broker at %s:%s (%s); retrying in %.1fs",
                            self.host, self.port, exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
                continue
            await self._closed.wait()
            self._closed.clear()
            if self._stopping:
                return
            await asyncio.sleep(backoff)
            backoff = BACKOFF_MIN if self._was_connected else min(backoff * 2, BACKOFF_MAX)

    async def _misc(self) -> None:
        """paho's housekeeping: keepalive pings and retrying unacknowledged QoS 1 messages."""
        while True:
            await asyncio.sleep(1.0)
            if self._client.socket() is not None:
                self._client.loop_misc()

    def _on_socket_open(self, client: mqtt.Client, userdata: Any, sock: Any) -> None:
        set_nodelay(sock)
        self._client.forget_buffers()
        self._was_connected = False
        assert self._loop is not None
        self._loop.add_reader(sock, self._read)

    def _read(self) -> None:
        """Read every packet the socket holds now (paho hands over about one per loop_read), then let
        the router serve them: a burst read at once is one batch, not one transaction per message."""
        client = self._client
        for _ in range(READ_BURST):
            if client.loop_read() != mqtt.MQTT_ERR_SUCCESS:
                break
            sock = client.socket()
            if sock is None or not (client.buffered() or _readable(sock)):
                break
        if self.after_read is not None:
            self.after_read()
        if client.buffered() and self._loop is not None:
            self._loop.call_soon(self._read)  # read in memory, not yet handed over: the socket will not wake us

    def _on_socket_close(self, client: mqtt.Client, userdata: Any, sock: Any) -> None:
        assert self._loop is not None and self._closed is not None
        self._client.forget_buffers()
        self._loop.remove_reader(sock)
        self._loop.remove_writer(sock)
        self._writer_added = False
        self._closed.set()

    def _on_register_write(self, client: mqtt.Client, userdata: Any, sock: Any) -> None:
        """paho has something to send: write it at the end of this turn of the loop (most batches call
        flush() before that), and watch the socket for room only if it is full. Adding and removing the
        writer for every batch cost a twentieth of the hub's CPU."""
        assert self._loop is not None
        if not self._write_soon:
            self._write_soon = True
            self._loop.call_soon(self._write_now, sock)

    def _write_now(self, sock: Any) -> None:
        self._write_soon = False
        if self._client.socket() is not sock:
            return  # that connection is gone
        self._client.loop_write()
        if self._client.want_write() and not self._writer_added:
            assert self._loop is not None
            self._writer_added = True
            self._loop.add_writer(sock, self._client.loop_write)

    def _on_unregister_write(self, client: mqtt.Client, userdata: Any, sock: Any) -> None:
        assert self._loop is not None
        if self._writer_added:
            self._writer_added = False
            self._loop.remove_writer(sock)

    # --- paho callbacks (event loop) -------------------------------------------------------------
    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            log.error("broker refused the hub: %s", reason)
            return
        self._was_connected = True
        # Retain-as-published on requests: a device that publishes a request retained is refused (and the
        # retained copy cleared) instead of having it replayed at every hub restart.
        client.subscribe([(HUB_REQ_SUB, SubscribeOptions(qos=1, retainAsPublished=True)),
                          (HUB_STATUS_SUB, SubscribeOptions(qos=1)), (HUB_HEALTH_SUB, SubscribeOptions(qos=0))])
        self._connected.set()
        log.info("hub connected to broker %s:%s", self.host, self.port)
        if self.on_connect is not None:
            self.on_connect()

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        self._connected.clear()
        if not self._stopping:
            log.warning("hub lost the broker (%s); reconnecting", reason)

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        """paho's path (QoS 2, or a topic that is not UTF-8: `msg.topic` raises, and is logged)."""
        try:
            self._deliver(msg.topic, bytes(msg.payload), msg.properties, bool(msg.retain))
        except Exception:  # never let a handler break the read loop
            log.exception("could not queue a message")

    def _deliver(self, topic: str, payload: bytes, props: Properties | None, retain: bool) -> None:
        corr = getattr(props, "CorrelationData", None) if props else None
        try:
            self._on_message_cb(Incoming(topic, payload, corr, time.monotonic(), retain))
        except Exception:  # never let a handler break the read loop
            log.exception("could not queue message on %s", ascii(topic))


def _readable(sock: Any) -> bool:
    """Bytes are waiting: decrypted in the TLS layer, or in the kernel's buffer."""
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return True
    return bool(select.select([sock], [], [], 0)[0])


_PUBACK_SUCCESS = ReasonCode(PacketTypes.PUBACK, "Success")
_NO_PROPERTIES = Properties(PacketTypes.PUBACK)


class _LeanClient(mqtt.Client):
    """paho's client with fewer system calls: what the socket holds is read at once and handed to paho
    from memory (paho asks for 1 byte, 1 byte, then the rest of each packet: three recv per message), and
    everything queued is written with one sendmsg (paho sends each packet on its own). Under `motcua
    bench tickets` those calls were a sixth of the hub's CPU (issue #15). Overrides paho 2.x's private
    _sock_recv and _packet_write; TLS sockets, DISCONNECT and on_publish callbacks take paho's own path."""

    _rbuf = b""
    _rpos = 0
    # Takes a received PUBLISH (topic, payload, properties, retain) without paho's MQTTMessage, topic
    # matching and logging: a twentieth of the hub's CPU per ticket. None: paho's own on_message path.
    deliver: Callable[[str, bytes, Properties | None, bool], None] | None = None

    def _handle_publish(self) -> mqtt.MQTTErrorCode:
        header = self._in_packet["command"]
        qos = (header & 0x06) >> 1
        if self.deliver is None or qos == 2 or self._protocol != mqtt.MQTTv5 or self._manual_ack:
            return super()._handle_publish()
        result = _packet.decode_publish(header, self._in_packet["packet"], self._protocol)
        try:
            topic = result.topic.decode("utf-8")
        except UnicodeDecodeError:
            log.warning("dropped a message whose topic is not UTF-8")
        else:
            self.deliver(topic, bytes(result.payload), result.properties, result.retain)
        return self._send_puback(result.mid) if qos == 1 else mqtt.MQTT_ERR_SUCCESS

    def forget_buffers(self) -> None:
        self._rbuf, self._rpos = b"", 0

    def buffered(self) -> bool:
        return self._rpos < len(self._rbuf)

    def _packet_read(self) -> mqtt.MQTTErrorCode:
        """A whole packet already in the read buffer goes to paho's handler in one piece, instead of
        paho's byte-by-byte reading of its header (three reads and a bytearray copy per message); a
        packet that is not all there yet, or a malformed header, takes paho's path."""
        buf, pos = self._rbuf, self._rpos
        if self._in_packet["command"] != 0 or len(buf) - pos < 2:
            return super()._packet_read()
        length, mult, i = 0, 1, pos + 1
        while True:
            if i >= len(buf) or i - pos > 4:
                return super()._packet_read()
            byte = buf[i]
            length += (byte & 127) * mult
            mult *= 128
            i += 1
            if not byte & 128:
                break
        end = i + length
        if end > len(buf):
            return super()._packet_read()
        self._rpos = end
        self._in_packet = {"command": buf[pos], "have_remaining": 1, "remaining_count": list(buf[pos + 1:i]),
                           "remaining_mult": mult, "remaining_length": length, "packet": buf[i:end],
                           "to_process": 0, "pos": 0}
        try:
            rc = self._packet_handle()
        except MalformedPacket:
            rc = mqtt.MQTT_ERR_PROTOCOL
        self._in_packet = {"command": 0, "have_remaining": 0, "remaining_count": [], "remaining_mult": 1,
                           "remaining_length": 0, "packet": bytearray(b""), "to_process": 0, "pos": 0}
        with self._msgtime_mutex:
            self._last_bytes_received = mqtt.time_func()
        return rc

    def _sock_recv(self, bufsize: int) -> bytes:
        if self._rpos >= len(self._rbuf):
            data = super()._sock_recv(RECV_CHUNK)  # raises BlockingIOError when there is nothing
            if not data:
                return data  # the broker closed the connection
            self._rbuf, self._rpos = data, 0
        chunk = self._rbuf[self._rpos:self._rpos + bufsize]
        self._rpos += len(chunk)
        return chunk

    def _handle_pubackcomp(self, cmd: str) -> mqtt.MQTTErrorCode:
        """A successful PUBACK without properties (what the broker sends for each reply the hub publishes)
        is matched to its message directly; paho's path builds a ReasonCode and a Properties object for
        each, a twentieth of the hub's CPU per ticket. Anything else takes paho's path."""
        packet = self._in_packet["packet"]
        if (cmd != "PUBACK" or self.on_publish is not None or len(packet) not in (2, 3, 4)
                or (len(packet) > 2 and packet[2] != 0) or (len(packet) == 4 and packet[3] != 0)):
            return super()._handle_pubackcomp(cmd)  # type: ignore[arg-type]
        mid = (packet[0] << 8) | packet[1]
        with self._out_message_mutex:
            if mid in self._out_messages:
                return self._do_on_publish(mid, _PUBACK_SUCCESS, _NO_PROPERTIES)
        return mqtt.MQTT_ERR_SUCCESS

    def _packet_write(self) -> mqtt.MQTTErrorCode:
        out = self._out_packet
        sock = self._sock
        if (len(out) < 2 or not isinstance(sock, socket.socket) or isinstance(sock, ssl.SSLSocket)
                or self.on_publish is not None or any(pk["command"] & 0xF0 == DISCONNECT for pk in out)):
            return super()._packet_write()
        while out:
            try:
                sent = sock.sendmsg([memoryview(pk["packet"])[pk["pos"]:] for pk in itertools.islice(out, 512)])
            except BlockingIOError:
                self._call_socket_register_write()
                return mqtt.MQTT_ERR_AGAIN
            except OSError as exc:
                log.warning("hub could not write to the broker: %s", exc)
                return mqtt.MQTT_ERR_CONN_LOST
            while sent and out:
                pk = out[0]
                took = min(sent, pk["to_process"])
                pk["to_process"] -= took
                pk["pos"] += took
                sent -= took
                if pk["to_process"]:
                    break
                out.popleft()
                if pk["command"] & 0xF0 == PUBLISH and pk["qos"] == 0 and pk.get("info") is not None:
                    pk["info"]._set_as_published()
        with self._msgtime_mutex:
            self._last_msg_out = mqtt.time_func()
        return mqtt.MQTT_ERR_SUCCESS
