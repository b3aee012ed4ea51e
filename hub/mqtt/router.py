"""The request router: every device message passes through here.

Messages are taken in batches: one SQLite transaction (one fsync) per batch, one savepoint per request,
so a burst of kiosks is served at the speed of the disk's group commit while a bad request fails alone.
Responses, call announcements and device commands are published only after the batch has committed, so
nothing a device acts on can be lost by a crash. The lobby display state, a view redrawn from nothing, is
sent while the commit waits for the disk, and sent again if that commit fails. Every reply is also stored
under (device, request_id): a retried request gets the stored reply, never a second ticket.

Status and health messages take no part in those batches: the latest per device and kind is kept and
all of them are written together half a second later (`flush_presence`), so a fleet of thousands
reporting costs a few commits a second and a counter's Next never waits behind them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

from hub.domain.authz import Subject
from hub.mqtt import verbs
from hub.mqtt.transport import HubMqtt, Incoming
from hub.notify import seal
from hub.ops.context import Actor, Effects
from hub.ops.run import Runner, as_protocol_error
from hub.ops.views import call_event, device_config, display_state, lobby_ahead
from hub.store import devices as device_store
from hub.store import requests as request_store
from hub.store import sites as site_store
from hub.store.db import batch as batch_mode
from hub.store.db import is_busy, is_replay, transaction
from motcua_core import clock as wallclock
from motcua_core import protocol as p
from motcua_core.errors import DomainError
from motcua_core.protocol import ProtocolError

log = logging.getLogger("motcua.hub.router")

MAX_BATCH = 256
REQUEST_TTL_S = 7 * 24 * 3600
# Presence (status, health) is coalesced: the latest message per device and kind, written in one
# transaction this long after the first one waiting. A fleet's health reports and the burst of retained
# statuses after a broker restart cost one commit, not one each, and never share a batch with a Next.
PRESENCE_FLUSH_S = 0.5
PRESENCE_MAX_PENDING = 20_000  # written at once beyond this (more devices than any one hub serves)
_PRESENCE_LEAVES = ("/status", "/health")
BUSY_RETRY_S = 0.05  # another process holds the write lock: try the batch again this much later
LOG_WINDOW_S = 10.0
LOG_PER_WINDOW = 5  # refused messages logged per window; the rest are counted (stats["refused"])


class LogThrottle:
    """At most LOG_PER_WINDOW lines per window, then one line saying how many were left out: a device
    flooding poisoned messages must not fill the disk with the hub's log."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.window = 0.0
        self.count = 0
        self.suppressed = 0

    def allow(self) -> bool:
        now = self.clock()
        if now - self.window >= LOG_WINDOW_S:
            if self.suppressed:
                log.warning("%d more refused or failed messages were not logged", self.suppressed)
            self.window, self.count, self.suppressed = now, 0, 0
        self.count += 1
        if self.count > LOG_PER_WINDOW:
            self.suppressed += 1
            return False
        return True


@dataclass
class Reply:
    topic: str
    payload: bytes
    correlation: bytes | None


class Router:
    def __init__(self, db: sqlite_utils.Database, mqtt: HubMqtt, clock: Callable[[], float] = wallclock.time):
        self.db = db
        self.mqtt = mqtt
        self.clock = clock
        self.queue: asyncio.Queue[Incoming] = asyncio.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._seq: dict[str, int] = {}
        # Displays order states by (boot, seq): a restarted hub whose clock went back (a Pi without RTC
        # before NTP) must still be believed, so a new boot id resets their ordering.
        self.boot = uuid.uuid4().hex[:12]
        self.stats = {"requests": 0, "errors": 0, "batches": 0, "presence": 0, "presence_batches": 0,
                      "refused": 0, "failed_commits": 0, "busy_retries": 0, "careful_replays": 0}
        self._presence_pending: dict[tuple[str, str], tuple[p.Topic, Incoming, float]] = {}
        self._presence_timer: asyncio.TimerHandle | None = None
        # The last display state built per site, and its HTTP body once asked for (state_body).
        self._states: dict[str, dict] = {}
        self._state_bodies: dict[str, bytes] = {}
        self.last_commit: float | None = None  # wall time of the last good commit / failed one (health)
        self.last_commit_error: float | None = None
        self._log = LogThrottle()
        self._parsed: dict[int, tuple[str, object]] = {}  # the batch's requests, parsed once (_prefetch)
        # … and their stored replies, read with the batch's first statements (`_prefetch`)
        self._stored_later: Callable[[], dict[tuple[str, str], tuple[str, str] | None]] = dict
        self._unread: set[tuple[str, str]] = set()  # the batch's keys whose stored reply nobody has looked at
        self.hub_info: dict = {}  # merged into every device config (e.g. {"http_port": 8080})
        # Called with each committed batch's effects once MQTT has them (the console's live stream).
        self.after_commit: list[Callable[[Effects], None]] = []
        # Called per request with (verb, failed, seconds) when metrics are on (hub.web.metrics).
        self.observe: Callable[[str, bool, float], None] | None = None
        # HTTP actions, timers and deferred CLI effects run through the same runner, published after commit.
        self.runner = Runner(db, clock, publish=self.publish_effects)

    def submit(self, msg: Incoming) -> None:
        """Queue a message for the router; safe from any thread (the transport calls it on the loop)."""
        assert self._loop is not None
        if threading.get_ident() == self._loop_thread:
            self.queue.put_nowait(msg)
        else:
            self._loop.call_soon_threadsafe(self.queue.put_nowait, msg)

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._loop_thread = threading.get_ident()

    async def run(self) -> None:
        """Serve messages submitted from anywhere; those the transport reads are served by drain()."""
        while True:
            self._run_batch(self._take(await self.queue.get()))

    def drain(self) -> None:
        """Serve what is queued now, in batches. The transport calls this right after each socket read:
        a request is answered in the same turn of the event loop that read it, and a burst read at once
        is one batch (one fsync)."""
        while not self.queue.empty():
            self._run_batch(self._take())

    def _take(self, first: Incoming | None = None) -> list[Incoming]:
        batch = [] if first is None else [first]
        while len(batch) < MAX_BATCH and not self.queue.empty():
            batch.append(self.queue.get_nowait())
        return batch

    def _run_batch(self, batch: list[Incoming]) -> None:
        try:
            self.process(batch)
        except Exception as exc:
            if is_busy(exc) and self._loop is not None:
                # Another process (a CLI command, a backup) holds the write lock: the hub's busy timeout
                # is short, so instead of freezing the event loop the batch waits and is tried again.
                self.stats["busy_retries"] += 1
                self._loop.call_later(BUSY_RETRY_S, self._run_batch, batch)
            elif self._log.allow():
                log.exception("batch of %d messages failed", len(batch))

    # --- one batch --------------------------------------------------------------------------------
    def process(self, batch: list[Incoming]) -> None:
        """One batch in one transaction, run again carefully if PostgreSQL asks (`_process`)."""
        try:
            self._process(batch)
        except BaseException as exc:
            if not is_replay(exc):
                raise
            # PostgreSQL, nothing of the batch committed or replied: a write queued in the batch failed
            # after its request had finished, or the registry memo it trusted turned out stale (another
            # process wrote). Run it again with every savepoint's writes sent at its end, where a failing
            # one fails its own request alone, and the memo checked before it is used.
            self.stats["careful_replays"] += 1
            self._process(batch, fast=False)

    def _process(self, batch: list[Incoming], fast: bool = True) -> None:
        """One batch in one transaction. `fast` (PostgreSQL): each request's writes wait for the next
        statement, its savepoint's release included, and the memo is trusted until the transaction's
        revision comes back (hub.store.db.batch)."""
        now = self.clock()
        batch = [msg for msg in batch if not self._note_presence(msg, now)]
        if not batch:
            return
        replies: list[Reply] = []
        effects = Effects()
        shown: list[str] = []
        try:
            with batch_mode(self.db, fast), self.runner.transaction():
                self._prefetch(batch, now)
                for msg in batch:
                    reply = self._handle_one(msg, now, effects)
                    if reply is not None:
                        replies.append(reply)
                # The lobby state is a view, not a promise: it goes out while the commit waits for the
                # disk, so a call reaches the screens a flush earlier. Everything a device acts on —
                # replies, call announcements, commands — waits for the commit below.
                shown = sorted(effects.display_sites)
                for site in shown:
                    self.publish_display(site, now)
                self.mqtt.flush()
        except BaseException as exc:
            if not is_busy(exc) and not is_replay(exc):
                self.stats["failed_commits"] += 1
                self.last_commit_error = time.time()
            # The commit failed after the screens were shown its state: show them the state that stands.
            for site in shown:
                self.publish_display(site, force=True)
            self.mqtt.flush()
            raise
        self.stats["batches"] += 1
        self.last_commit = time.time()
        self.publish_announcements(effects)
        for r in replies:
            self.mqtt.publish(r.topic, r.payload, qos=1, correlation=r.correlation)
        self.mqtt.flush()
        self._after_commit(effects)

    def _prefetch(self, batch: list[Incoming], now: float) -> None:
        """Parse the batch's requests and ask for their stored replies at once, for `_request` to use: on
        PostgreSQL the reads wait for the first statement that needs an answer (with the BEGIN), so an
        UNDOABLE verb's handler runs without a round trip of their own (see `_request`). A message that
        does not parse is left to `_request`, which refuses it as before."""
        self._parsed: dict[int, tuple[str, object]] = {}
        keys: dict[tuple[str, str], None] = {}
        counters: dict[tuple[str, str], None] = {}  # (site, device) of the counters' requests
        for msg in batch:
            if msg.retain or "/req/" not in msg.topic:
                continue
            try:
                topic = p.parse_topic(msg.topic)
                if topic.kind != "dev" or topic.device_id is None or topic.leaf != "req":
                    continue
                request_id, data = p.parse_request(msg.payload)
            except ProtocolError:
                continue
            self._parsed[id(msg)] = (request_id, data)
            keys[(topic.device_id, request_id)] = None
            if (topic.verb or "").startswith("counter."):
                counters[(topic.site, topic.device_id)] = None
        self._unread = set(keys)
        self._stored_later = request_store.stored_later(self.db, list(keys)) if keys else dict
        # A counter's request changes what the lobby shows: its rows go with the same first message
        # (PostgreSQL; hub.store.lobby), so the state published after a Next waits for no read of its own.
        for site, device_id in counters:
            dev = device_store.get(self.db, device_id)
            if dev is not None and dev.site_id == site and dev.role == "counter" and not dev.revoked:
                lobby_ahead(self.db, site, now)

    def publish_effects(self, effects: Effects) -> None:
        """Publish what a committed operation left (the runner's publisher for HTTP, timers and the CLI's
        deferred effects): display states, then calls and commands."""
        now = self.clock()
        for site in sorted(effects.display_sites):
            self.publish_display(site, now)
        self.publish_announcements(effects)
        self.mqtt.flush()
        self._after_commit(effects)

    def _after_commit(self, effects: Effects) -> None:
        if not effects:
            return
        for hook in self.after_commit:
            try:
                hook(effects)
            except Exception:
                log.exception("after-commit hook %r failed", hook)

    def publish_announcements(self, effects: Effects) -> None:
        """Calls for the announcers and commands for devices: sent once their transaction committed."""
        for call in effects.settled_calls():
            self.mqtt.publish(p.display_topic(call["site"], "call"), p.encode(call_event(call)), qos=1)
        for device_id, command in effects.commands:
            self.publish_command(device_id, command)

    def publish_display(self, site: str, now: float | None = None, *, force: bool = False) -> bool:
        """Publish the lobby state of `site` when it changed (an idle counter's Next that calls nobody, a
        sign-in that changes nothing the lobby shows, leave it alone: the screens redraw for nothing and
        every device gets ~3 KB). `force`: publish anyway (the minute tick for the clock and the day,
        a reconnect that may have lost the retained copy, a rollback). Returns whether it published."""
        now = self.clock() if now is None else now
        seq = max(self._seq.get(site, 0) + 1, int(now * 1000))
        state = display_state(self.db, site, now, seq)
        if not force and _same_state(self._states.get(site), state):
            return False
        self._seq[site] = seq
        self._states[site] = state
        self._state_bodies.pop(site, None)
        self.mqtt.publish(p.display_topic(site, "state"), p.encode({**state, "boot": self.boot}), qos=1, retain=True)
        return True

    def state_body(self, site: str) -> bytes:
        """The lobby state as JSON for GET /api/v1/sites/<site>/state: the one last published, which every
        change of it re-publishes (and the display tick once a minute), serialised once per change."""
        body = self._state_bodies.get(site)
        if body is None:
            state = self._states.get(site) or display_state(self.db, site, self.clock(), 0)
            body = json.dumps(state).encode()
            if site in self._states:
                self._state_bodies[site] = body
        return body

    def publish_command(self, device_id: str, command: dict) -> None:
        """A command to one device (QoS 1, not retained: a device offline for long gets it from its
        persistent session when it returns, and judges staleness by the command's own `at`)."""
        dev = device_store.get(self.db, device_id)
        if dev is None or dev.revoked:
            return
        body = {"v": p.PROTOCOL_VERSION, **command}
        self.mqtt.publish(p.dev_topic(dev.site_id, dev.id, "cmd"), p.encode(body), qos=1)

    def publish_config(self, device_id: str) -> None:
        dev = device_store.get(self.db, device_id)
        if dev is None:
            return
        topic = p.dev_topic(dev.site_id, dev.id, "config")
        if dev.revoked:
            self.mqtt.publish(topic, b"", qos=1, retain=True)  # clears the retained config
        else:
            self.mqtt.publish(topic, p.encode(device_config(self.db, dev, self.hub_info)), qos=1, retain=True)

    def _handle_one(self, msg: Incoming, now: float, effects: Effects) -> Reply | None:
        """One message: whatever it raises fails it alone, never the batch. What a message writes is
        written inside its operation's savepoint (Runner.step), so a failure leaves nothing of it; the
        one write outside it, a refusal's stored reply, is a single statement."""
        try:
            return self._handle(msg, now, effects)
        except Exception as exc:
            self.stats["errors"] += 1
            if self._log.allow():
                log.warning("message on %s failed: %s: %s", ascii(msg.topic), type(exc).__name__, ascii(str(exc)))
            return None

    def _handle(self, msg: Incoming, now: float, effects: Effects) -> Reply | None:
        try:
            topic = p.parse_topic(msg.topic)
        except ProtocolError:
            if self._log.allow():
                log.warning("ignored message on unexpected topic %s", ascii(msg.topic))
            return None
        if topic.kind != "dev" or topic.device_id is None:
            return None
        if topic.leaf == "req":
            if msg.retain and not msg.payload:
                return None  # our own clearing of a refused retained request, coming back
            if self.observe is None:
                return self._request(topic, msg, now, effects)
            started, errors = time.perf_counter(), self.stats["errors"]
            reply = self._request(topic, msg, now, effects)
            self.observe(topic.verb or "", self.stats["errors"] > errors, time.perf_counter() - started)
            return reply
        return None  # status and health were set aside by _note_presence

    # --- presence, coalesced ------------------------------------------------------------------------
    def _note_presence(self, msg: Incoming, now: float) -> bool:
        """Keep a status or health message for the next presence flush (the latest per device and kind
        wins); False for anything else."""
        if not msg.topic.endswith(_PRESENCE_LEAVES):
            return False
        try:
            topic = p.parse_topic(msg.topic)
        except ProtocolError:
            return False  # _handle logs it
        if topic.kind != "dev" or topic.device_id is None:
            return False
        self.stats["presence"] += 1
        self._presence_pending[(topic.device_id, topic.leaf)] = (topic, msg, now)
        if self._loop is None or len(self._presence_pending) >= PRESENCE_MAX_PENDING:
            self.flush_presence()
        elif self._presence_timer is None:
            self._presence_timer = self._loop.call_later(PRESENCE_FLUSH_S, self.flush_presence)
        return True

    def flush_presence(self) -> None:
        """Write what devices said about themselves since the last flush, in one transaction."""
        if self._presence_timer is not None:
            self._presence_timer.cancel()
            self._presence_timer = None
        pending, self._presence_pending = self._presence_pending, {}
        if not pending:
            return
        try:
            with transaction(self.db):
                for topic, msg, now in pending.values():
                    self._presence(topic, msg, now)
        except Exception:
            log.exception("writing presence of %d devices failed", len(pending))
            return
        self.stats["presence_batches"] += 1

    def _presence(self, topic: p.Topic, msg: Incoming, now: float) -> None:
        if not msg.payload:
            return  # a retained message being cleared
        try:
            obj = p.decode(msg.payload)
        except ProtocolError as exc:
            self.stats["refused"] += 1
            if self._log.allow():
                log.warning("bad %s from %s: %s", topic.leaf, topic.device_id, exc.message)
            return
        dev = device_store.get(self.db, topic.device_id)
        if dev is None or dev.site_id != topic.site:
            self.stats["refused"] += 1
            if self._log.allow():
                log.warning("%s from unknown device %s/%s", topic.leaf, topic.site, topic.device_id)
            return
        if topic.leaf == "status" and obj.get("state") in ("online", "offline"):
            device_store.record_status(self.db, dev.id, obj["state"], obj.get("version"), now)
        elif topic.leaf == "health":
            device_store.record_health(self.db, dev.id, obj, now)

    def _request(self, topic: p.Topic, msg: Incoming, now: float, effects: Effects) -> Reply:
        # Always answer on the device's own response topic: a device must not be able to make the hub
        # publish anywhere else, whatever ResponseTopic it sets.
        res_topic = p.dev_topic(topic.site, topic.device_id, "res")
        self.stats["requests"] += 1
        request_id: str | None = None
        name = topic.verb or ""
        # Set when the handler runs before its stored reply is known: gives that stored reply, if any.
        earlier: Callable[[], tuple[str, str] | None] | None = None
        try:
            parsed = self._parsed.pop(id(msg), None) if self._parsed else None
            request_id, data = parsed or p.parse_request(msg.payload)  # size, JSON, re-encodability, version
            if msg.retain:
                # A retained request would be replayed to the hub at every restart and run again after
                # its stored reply expired: refuse it and clear the broker's copy.
                self.mqtt.publish(msg.topic, b"", qos=1, retain=True)
                raise ProtocolError("bad_request", "a request must not be published retained")
            # The stored reply was asked for with the batch's others (`_prefetch`); a request_id seen twice in
            # one batch is read again here, after the first one's reply was stored. It is used only once the
            # device checks out.
            key = (topic.device_id, request_id)
            lookup: Callable[[], tuple[str, str] | None]
            from_batch = key in self._unread
            if from_batch:
                self._unread.discard(key)
                batch_read = self._stored_later
                lookup = lambda: batch_read()[key]  # noqa: E731
            else:
                device_id, rid0 = topic.device_id, request_id
                lookup = lambda: request_store.stored(self.db, device_id, rid0)  # noqa: E731
            dev = device_store.get(self.db, topic.device_id)
            if dev is None or dev.revoked:
                raise ProtocolError("unknown_device", f"device {topic.device_id!r} is not registered")
            if dev.site_id != topic.site:
                raise ProtocolError("wrong_site", f"device {dev.id} belongs to site {dev.site_id}")
            if name in verbs.UNDOABLE and from_batch:
                # Run it now; the stored reply arrives with its first statements and is looked at before
                # its own reply is stored: a retry is undone with the savepoint and answered as before.
                earlier = lookup
            else:
                stored = lookup()
                if stored is not None:
                    return self._replay(stored, name, request_id, res_topic, msg)
            verb = verbs.lookup(name)
            verb.validate(data)
            if dev.role not in verb.roles:
                raise ProtocolError("forbidden", f"a {dev.role} device may not send {name}")
            rid: str = request_id
            audited = dev.role in verbs.AUDITED_ROLES and name not in verbs.READS
            stored_reply: list[bytes] = []  # the reply as stored is the reply as sent: encoded once

            def remember(result: dict) -> None:
                if earlier is not None and (answered := earlier()) is not None:
                    raise _Retried(answered)
                stored_reply.append(self._remember(dev.id, rid, name, p.ok_response(rid, result), now))
            try:
                self.runner.step(dev.site_id, lambda ctx: verb.handler(ctx, data), effects, device=dev, now=now,
                                 then=remember, actor=self._actor(dev) if audited else None, action=name,
                                 subject=Subject("device", dev.id, dev.role, dev.site_id), refs=verb.refs(data),
                                 authenticate=lambda ctx: verb.authenticate(ctx, data))
            except DomainError as exc:
                if earlier is not None and (answered := earlier()) is not None:
                    raise _Retried(answered) from None
                stored_reply.append(self._remember(dev.id, rid, name, p.error_response(rid, as_protocol_error(exc)),
                                                   now))
            return Reply(res_topic, stored_reply[0], msg.correlation)
        except _Retried as retried:
            return self._replay(retried.stored, name, request_id or "", res_topic, msg)
        except ProtocolError as exc:
            answered = self._earlier(earlier)
            if answered is not None:
                return self._replay(answered, name, request_id or "", res_topic, msg)
            return self._refused(exc, request_id, res_topic, msg)
        except Exception:
            answered = self._earlier(earlier)
            if answered is not None:
                return self._replay(answered, name, request_id or "", res_topic, msg)
            self.stats["errors"] += 1
            if self._log.allow():
                log.exception("request on %s failed", msg.topic)
            body = p.error_response(request_id, ProtocolError("internal", "internal error"))
        return Reply(res_topic, p.encode(body), msg.correlation)

    def _replay(self, stored: tuple[str, str], name: str, request_id: str, res_topic: str, msg: Incoming) -> Reply:
        """A retried request_id: the reply it was answered with, not a second run."""
        if stored[1] != name:
            return self._refused(ProtocolError("bad_request", f"request_id {request_id} was already used for "
                                                              f"{stored[1]}"), request_id, res_topic, msg)
        return Reply(res_topic, seal.unseal(self.db, stored[0]).encode(), msg.correlation)

    def _refused(self, exc: ProtocolError, request_id: str | None, res_topic: str, msg: Incoming) -> Reply:
        self.stats["errors"] += 1
        if exc.code in p.FINAL_CODES:
            self.stats["refused"] += 1
        if self._log.allow():
            log.info("refused request on %s: %s %s", msg.topic, exc.code, exc.message)
        body = p.error_response(request_id or p.readable_request_id(msg.payload), exc)
        return Reply(res_topic, p.encode(body), msg.correlation)

    @staticmethod
    def _earlier(earlier: Callable[[], tuple[str, str] | None] | None) -> tuple[str, str] | None:
        """The stored reply of a request whose handler ran before it was known (None: none, or unknown)."""
        if earlier is None:
            return None
        try:
            return earlier()
        except Exception:
            return None

    def _actor(self, dev: device_store.Device) -> Callable[[], Actor]:
        """The audit log's actor of a counter's request: the officer signed in there (after the request, as
        a sign-in sets it; before it, as a sign-out clears it), at that device."""
        before = self._officer(dev)

        def actor() -> Actor:
            officer = self._officer(dev) or before
            return Actor(f"{officer or '-'}@{dev.id}", "officer" if officer else dev.role, "mqtt")
        return actor

    def _officer(self, dev: device_store.Device) -> str | None:
        if dev.counter is None:
            return None
        with contextlib.suppress(DomainError):
            return site_store.get_counter(self.db, dev.site_id, dev.counter).officer
        return None

    def _remember(self, device_id: str, request_id: str, verb: str, body: dict, now: float) -> bytes:
        """Store the reply for retries of the same request_id; returns it encoded, as it is sent. A secret in
        it (a receipt's lookup key, a booking's link) is stored sealed (hub.notify.seal)."""
        text = p.encode_text(body)
        request_store.remember(self.db, device_id, request_id, verb, seal.seal(self.db, text), now)  # no secret in clear
        return text.encode()

    def purge_old_requests(self) -> int:
        """Replies are kept a week: long past any retry, short enough to keep the table small."""
        with transaction(self.db):
            return request_store.purge(self.db, self.clock() - REQUEST_TTL_S)


_CLOCK_KEYS = ("seq", "at", "time")


class _Retried(Exception):  # noqa: N818 (not a failure: the request was answered before)
    """Raised inside an UNDOABLE request's savepoint when its stored reply turns out to exist: the run is
    undone and the stored reply sent."""

    def __init__(self, stored: tuple[str, str]) -> None:
        super().__init__("retried request")
        self.stored = stored


def _same_state(before: dict | None, after: dict) -> bool:
    """Two lobby states that differ only in their sequence number and the time they were made."""
    if before is None:
        return False
    return all(before.get(k) == after.get(k) for k in after.keys() | before.keys() if k not in _CLOCK_KEYS)
