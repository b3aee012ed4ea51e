"""Many lightweight devices in one process, for `motcua bench fleet`.

Each device is its own paho MQTT v5 client with its own registered credentials, behaving on the wire as
a DeviceSession does: persistent session (clean_start off, a day's expiry), the retained offline will,
subscriptions to its res/cmd/config topics (a display also to its site's display/state and call), the
retained online status on every connect, a health report right after connecting and then every
health_interval_s × (1 ± HEALTH_JITTER), and paho's reconnect backoff (1 s doubling to 30 s). What is
left out is only what a real device does with those messages (printing, drawing).

All clients share one thread and one selector (paho's external-loop API, as the hub's own transport),
so two thousand of them cost one process, not two thousand threads. Run in a child process started by
`Fleet`; the counts it shares are what the bench reports.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import multiprocessing as mp
import random
import selectors
import shutil
import time
from collections.abc import Callable
from multiprocessing.sharedctypes import Synchronized
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from devicekit.session import HEALTH_JITTER, SESSION_EXPIRY_S, now_iso, status_payload
from motcua_core import protocol
from motcua_core.netopts import set_nodelay

VERSION = "0.1.0"
RECONNECT_MIN_S, RECONNECT_MAX_S = 1.0, 30.0  # DeviceSession: reconnect_delay_set(1, 30)
CONNECT_RATE = 200  # new connections per second at the start (devices booting, not a SYN flood)


class _Device:
    def __init__(self, fleet: _Loop, cfg: dict) -> None:
        self.fleet = fleet
        self.cfg = cfg
        self.id: str = cfg["device_id"]
        site = cfg["site"]
        self.topics = {leaf: protocol.dev_topic(site, self.id, leaf) for leaf in ("status", "health", "res",
                                                                                  "cmd", "config")}
        self.subs = [(self.topics[leaf], 1) for leaf in ("res", "cmd", "config")]
        if cfg["role"] == "display":
            self.subs += [(protocol.display_topic(site, leaf), 1) for leaf in ("state", "call")]
        c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self.id, protocol=mqtt.MQTTv5)
        c.username_pw_set(self.id, cfg["secret"])
        c.will_set(self.topics["status"], status_payload("offline", cfg["role"], VERSION), qos=1, retain=True)
        c.on_connect = self._on_connect
        c.on_disconnect = self._on_disconnect
        c.on_socket_open = lambda cl, ud, sock: fleet.watch(self, sock)
        c.on_socket_close = lambda cl, ud, sock: fleet.unwatch(sock)
        c.on_socket_register_write = lambda cl, ud, sock: fleet.want_write(sock, True)
        c.on_socket_unregister_write = lambda cl, ud, sock: fleet.want_write(sock, False)
        self.client = c
        self.connected = False
        self.started = False
        self.delay = RECONNECT_MIN_S
        self.session = 0
        self.t0 = time.monotonic()

    def connect(self) -> None:
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = SESSION_EXPIRY_S
        try:
            if not self.started:
                self.started = True
                self.client.connect(self.cfg["broker_host"], self.cfg["broker_port"],
                                    keepalive=self.cfg.get("keepalive_s", 15), clean_start=False, properties=props)
            else:
                self.client.reconnect()
        except OSError:
            self._backoff()

    def _backoff(self) -> None:
        self.fleet.at(time.monotonic() + self.delay, self.connect)
        self.delay = min(self.delay * 2, RECONNECT_MAX_S)

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            return
        self.connected = True
        self.delay = RECONNECT_MIN_S
        self.fleet.count(+1)
        client.subscribe(self.subs)
        client.publish(self.topics["status"], status_payload("online", self.cfg["role"], VERSION), qos=1, retain=True)
        self.session += 1
        self.fleet.at(time.monotonic(), self.health, self.session)  # first report right after connecting

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if self.connected:
            self.connected = False
            self.fleet.count(-1)
        self.session += 1  # the health reports scheduled for that connection are dropped
        if not self.fleet.stopping:
            self._backoff()

    def health(self, session: int) -> None:
        if session != self.session or not self.connected:
            return
        now = time.monotonic()
        report: dict[str, Any] = {"v": protocol.PROTOCOL_VERSION, "at": now_iso(),
                                  "uptime_s": round(now - self.t0, 1), "disk_free_mb": self.fleet.disk_free_mb,
                                  "temp_c": round(random.uniform(45, 60), 1), "outbox_pending": 0}
        if self.cfg["role"] == "kiosk":
            report["printer"] = {"state": "ok", "paper": "ok", "error": None}
            report["catalog_version"] = 1
        self.client.publish(self.topics["health"], protocol.encode(report), qos=0)
        interval = self.cfg.get("health_interval_s", 30.0)
        self.fleet.at(now + interval * random.uniform(1 - HEALTH_JITTER, 1 + HEALTH_JITTER), self.health, session)


class _Loop:
    def __init__(self, configs: list[dict], connected: Synchronized) -> None:
        self.sel = selectors.DefaultSelector()
        self._connected = connected
        self.stopping = False
        self.disk_free_mb = shutil.disk_usage("/").free // 2**20
        self._timers: list[tuple[float, int, Callable[..., None], tuple]] = []
        self._tick = itertools.count()
        self.devices = [_Device(self, cfg) for cfg in configs]

    def at(self, when: float, fn: Callable[..., None], *args: Any) -> None:
        heapq.heappush(self._timers, (when, next(self._tick), fn, args))

    def count(self, delta: int) -> None:
        with self._connected.get_lock():
            self._connected.value += delta

    def watch(self, dev: _Device, sock: Any) -> None:
        set_nodelay(sock)
        self.sel.register(sock, selectors.EVENT_READ, dev)

    def unwatch(self, sock: Any) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self.sel.unregister(sock)

    def want_write(self, sock: Any, on: bool) -> None:
        try:
            key = self.sel.get_key(sock)
        except (KeyError, ValueError):
            return
        self.sel.modify(sock, selectors.EVENT_READ | (selectors.EVENT_WRITE if on else 0), key.data)

    def run(self, stop: Any) -> None:
        pending = list(self.devices)
        next_misc = time.monotonic() + 1.0
        while not stop.is_set():
            now = time.monotonic()
            for _ in range(min(len(pending), max(1, CONNECT_RATE // 20))):
                pending.pop().connect()
            wait = 0.05 if pending else min(0.5, max(0.0, self._timers[0][0] - now) if self._timers else 0.5)
            for key, mask in self.sel.select(timeout=wait):
                dev: _Device = key.data
                if mask & selectors.EVENT_READ:
                    dev.client.loop_read()
                if mask & selectors.EVENT_WRITE and dev.client.socket() is not None:
                    dev.client.loop_write()
            now = time.monotonic()
            while self._timers and self._timers[0][0] <= now:
                _, _, fn, fargs = heapq.heappop(self._timers)
                fn(*fargs)
            if now >= next_misc:
                next_misc = now + 1.0
                for dev in self.devices:
                    if dev.client.socket() is not None:
                        dev.client.loop_misc()
        self.stopping = True
        for dev in self.devices:  # as DeviceSession.stop: a retained offline status, then goodbye
            if dev.connected:
                dev.client.publish(dev.topics["status"], status_payload("offline", dev.cfg["role"], VERSION),
                                   qos=1, retain=True)
                dev.client.disconnect()
                if dev.client.socket() is not None:
                    dev.client.loop_write()


def _main(configs: list[dict], connected: Synchronized, stop: Any) -> None:
    _Loop(configs, connected).run(stop)


class Fleet:
    """The child process holding the devices; `online` is how many are connected right now."""

    def __init__(self, configs: list[dict]) -> None:
        ctx = mp.get_context("spawn")  # the bench's own threads (paho, timers) must not be forked
        self._connected = ctx.Value("i", 0)
        self._stop = ctx.Event()
        self.proc = ctx.Process(target=_main, args=(configs, self._connected, self._stop), name="motcua-fleet",
                                daemon=True)

    def start(self) -> Fleet:
        self.proc.start()
        return self

    @property
    def online(self) -> int:
        return int(self._connected.value)

    def stop(self) -> None:
        self._stop.set()
        self.proc.join(20)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)
