"""The centre's sync link: sends each site's outbox to the province in batches, one batch in flight per
site, and records the province's high-water marks. After a reconnect, a restart or 5 s without an answer
it sends again everything above the last acknowledgement (the province applies it idempotently)."""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

from hub.domain import sync as rules
from hub.domain.sync_route import BATCH_BYTES
from hub.ops import sync as ops
from hub.ops import sync_down, sync_files, sync_rebuild, sync_route
from hub.ops.context import Actor
from hub.ops.run import Runner
from hub.ops.sync_extras import sync_extras
from hub.store import sync as store
from hub.store import sync_docs as docs_store
from hub.store import sync_route as route_store
from hub.store.db import get_meta, lazy_commits, open_db, tune_for_server
from hub.sync import down
from hub.sync.mqttclient import SyncClient
from hub.sync.paths import PAUSE_FILE, link_state_path
from motcua_core import clock as wallclock

log = logging.getLogger("motcua.hub.sync")

RESEND_AFTER_S = 5.0
ACK_FLUSH_S = 2.0  # acknowledgements are written (and the outbox pruned) at most this often
SWEEP_EVERY_S = 1.0  # rows written outside the Runner (timers) are captured at most this late
TICK_S = 0.05
CONFIG_EVERY_S = 5.0  # a site's configuration and device registry reach the province at most this late
# A site's next batch goes at most this soon after its last: the first row after a quiet spell leaves at
# once, a busy office's rows go ten times a second in larger batches, not one small batch per call (each
# batch costs the centre and the province a transaction, a publish and an ack whatever its size). After a
# full batch (a backlog: a cut link, files) the next goes as soon as it is acknowledged.
BATCH_GAP_S = 0.1


class CentreLink:
    def __init__(self, data_dir: Path, db_path: Path | str, link: dict,
                 clock: Callable[[], float] = wallclock.time):
        self.data_dir, self.db_path, self.link, self.clock = data_dir, db_path, link, clock
        self.centre, self.epoch = link["centre"], link["epoch"]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._main, name="sync-link", daemon=True)
        self.state = "starting"
        self.client: SyncClient | None = None
        self._said: dict[str, float] = {}  # site → when the province last heard from us (monotonic)
        self._acks: dict[str, dict] = {}  # site → the latest ack not yet written
        self._acks_flushed = 0.0
        self._sent_at: dict[str, float] = {}  # site → when its last batch went (monotonic)

    def start(self) -> None:
        self._thread.start()

    def stop(self, wait_s: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(wait_s)

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            log.info("sync link to %s:%s: %s", self.link["host"], self.link["port"], state)
            path = link_state_path(self.data_dir)
            path.write_text(json.dumps({"state": state, "at": wallclock.time()}), encoding="utf-8")

    def _main(self) -> None:
        db = open_db(self.db_path)
        # Checkpoints are the hub's (a timer, off its event loop): with SQLite's default the link's own
        # commits, every 2 s, ran one each time the WAL passed 1,000 pages (3–12 ms of copying and
        # fsyncs on a busy centre, the same pages the hub's timer copies anyway).
        tune_for_server(db)
        try:
            if get_meta(db, "sync_epoch") != self.epoch:
                self._set_state("rejoin")
                log.error("sync: this database's epoch (%s) is not the one it joined with (%s): it was restored "
                          "or replaced; join the province again (motcua hub province join)",
                          get_meta(db, "sync_epoch"), self.epoch)
                return
            self._loop(db, Runner(db, self.clock))
        except Exception:
            log.exception("sync link stopped")
        finally:
            if self.client is not None:
                self.client.close()
            db.conn.close()

    def _loop(self, db, runner: Runner) -> None:
        ca = self.link.get("ca_file")
        self.client = client = SyncClient(self.link["host"], int(self.link["port"]), self.link["username"],
                                          self.link["password"], rules.down_topic(self.centre), ca)
        inflight: dict[str, tuple[int, float]] = {}  # site → (to_seq, sent at, monotonic)
        generation = 0
        last_sweep = 0.0
        last_config = -1e9
        pause = self.data_dir / PAUSE_FILE
        while not self._stop.is_set():
            if pause.exists():
                if self.state != "paused":
                    self._flush_acks(runner)
                    client.down()
                    self._set_state("paused")
                self._stop.wait(0.2)
                continue
            client.up()
            now_m = time.monotonic()
            if now_m - last_sweep >= SWEEP_EVERY_S:
                last_sweep = now_m
                if store.uncaptured(db):  # rows another connection wrote outside the Runner
                    runner.run(None, lambda ctx: store.capture(ctx.db, ctx.now, extras=sync_extras))
                if ops.presence_changes(db, [s["site_id"] for s in store.link_sites(db)]):
                    runner.run(None, ops.note_presence)
                if sync_files.pending(db):  # complete files go up with their dossiers
                    runner.run(None, sync_files.enqueue_files)
                if now_m - last_config >= CONFIG_EVERY_S:  # what a rebuild needs: configuration, devices
                    last_config = now_m
                    if sync_rebuild.config_changes(db, [s["site_id"] for s in store.link_sites(db)]):
                        runner.run(None, sync_rebuild.note_config)
            try:
                topic, payload = client.inbox.get(timeout=TICK_S)
                self._answer(runner, payload, inflight)
                while True:
                    topic, payload = client.inbox.get_nowait()
                    self._answer(runner, payload, inflight)
            except queue.Empty:
                pass
            if not client.connected.is_set():
                self._set_state("connecting")
                continue
            self._set_state("up")
            if client.generation != generation:  # a new connection: everything above the ack again
                generation = client.generation
                inflight.clear()
                self._said.clear()
            self._send(db, client, inflight)
            if self._acks and now_m - self._acks_flushed >= ACK_FLUSH_S:
                self._flush_acks(runner)
                self._acks_flushed = now_m
        self._flush_acks(runner)

    def _flush_acks(self, runner: Runner) -> None:
        """Record the acknowledgements received since the last flush, in one transaction."""
        acks, self._acks = list(self._acks.values()), {}
        if acks:  # no fsync: the lock is held for the DELETE alone; a lost record costs a resend
            with lazy_commits(runner.db):
                runner.run(None, lambda ctx: [ops.record_answer(ctx, self.epoch, a) for a in acks])

    def _answer(self, runner: Runner, payload: bytes, inflight: dict) -> None:
        try:
            msg = json.loads(payload)
        except ValueError:
            log.warning("sync: unreadable answer from the province")
            return
        if isinstance(msg, dict) and msg.get("type") == "events":
            runner.run(None, lambda ctx: ops.apply_down(ctx, self.epoch, msg))
            self._said.clear()  # say where we stand at once: the province sends what follows
            return
        if isinstance(msg, dict) and msg.get("type") == "directory":
            if runner.run(None, lambda ctx: sync_route.apply_directory(ctx, self.epoch, msg)):
                self._said.clear()  # say the new digest at once: the province stops sending it
            return
        if isinstance(msg, dict) and msg.get("type") == "catalogue":
            if runner.run(None, lambda ctx: ops.apply_catalogue(ctx, self.epoch, msg)) and msg.get("last"):
                log.info("sync: the province's catalogue version %s applied", msg.get("version"))
                self._said.clear()
            return
        if isinstance(msg, dict) and msg.get("type") == "docs":
            self._apply_docs(runner, msg)
            return
        if isinstance(msg, dict) and msg.get("type") == "ack" and msg.get("epoch") == self.epoch \
                and isinstance(msg.get("site"), str) and isinstance(msg.get("hwm"), int):
            # Kept in memory and written at most every ACK_FLUSH_S: a write transaction per ack would take
            # the database's write lock from the hub's request path after every call. An ack lost in a crash
            # only costs a resend (applied as a no-op).
            site = msg["site"]
            if msg["hwm"] > self._acks.get(site, {}).get("hwm", -1):
                self._acks[site] = msg
        else:
            site = runner.run(None, lambda ctx: ops.record_answer(ctx, self.epoch, msg))
        if site is None:
            return
        if msg.get("type") == "refused":
            log.error("sync: the province refused %s's batches: %s (%s)", site, msg.get("reason"),
                      msg.get("message"))
        sent = inflight.get(site)
        if msg.get("type") == "refused" or (sent is not None and msg.get("hwm", -1) >= sent[0]):
            inflight.pop(site, None)  # acknowledged (a gap or a lost batch: resent after RESEND_AFTER_S)

    def _apply_docs(self, runner: Runner, msg: dict) -> None:
        """The province's publications: releases fetched first (outside the transaction), then the page
        applied in one transaction with the mark; say where we stand at once."""
        if not sync_down.page_applies(runner.db, self.epoch, msg):
            return  # a page sent again, or from before the mark held: no transaction, no audit row
        rows = msg.get("rows") if isinstance(msg.get("rows"), list) else []
        try:
            ready = down.fetch_releases(self.link, self.data_dir, rows)
            if not ready:
                return
            page = {**msg, "rows": ready, "to_seq": ready[-1].get("seq")}
            hwm = runner.run(None, lambda ctx: sync_down.apply_docs(ctx, self.epoch, page, self.data_dir),
                             actor=Actor("province", "admin", "sync"), action="province.docs")
        except Exception:  # the link goes on; the next hello asks for the page again
            log.exception("sync: the province's publications from %s not applied", msg.get("after"))
            return
        log.info("sync: the province's publications applied up to %s", hwm)
        self._said.clear()

    def _send(self, db, client: SyncClient, inflight: dict) -> None:
        now_m = time.monotonic()
        for s in store.link_sites(db):
            site = s["site_id"]
            if s["refused"] in ("old_epoch", "unknown_centre", "wrong_site"):
                continue
            if site in inflight and now_m - inflight[site][1] < RESEND_AFTER_S:
                continue
            if now_m - self._sent_at.get(site, -1e9) < BATCH_GAP_S:
                continue
            if now_m - self._said.get(site, -1e9) >= rules.HELLO_EVERY_S:
                catalog = int(get_meta(db, "province_catalog_version", "0") or 0)
                events = int(get_meta(db, "sync_down_hwm", "0") or 0)
                env = rules.hello(self.centre, self.epoch, site, s["seq"], self.clock(), catalog, events,
                                  sorted(route_store.local_agencies(db).get(site, set())),
                                  get_meta(db, "province_directory_digest", "") or "", docs=docs_store.hwm(db))
                if client.publish(rules.up_topic(self.centre), json.dumps(env).encode()):
                    self._said[site] = now_m
            acked = max(s["acked_seq"], self._acks.get(site, {}).get("hwm", 0))
            rows = store.outbox_encoded(db, site, acked)
            if not rows:
                inflight.pop(site, None)
                continue
            if client.publish(rules.up_topic(self.centre),
                              rules.batch_payload(self.centre, self.epoch, site, rows, self.clock())):
                inflight[site] = (rows[-1][0], now_m)
                full = len(rows) >= rules.MAX_BATCH_ROWS or sum(len(r[1]) for r in rows) >= BATCH_BYTES // 2
                self._sent_at[site] = -1e9 if full else now_m
