"""The provincial hub's receiver: every centre's batches from the province's own broker, each applied in
one transaction through the Runner (hub.ops.sync.apply_batch), then acknowledged with the site's
high-water mark — only after the commit, so an ack never promises what a crash could undo."""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

from hub.domain import sync as rules
from hub.ops import sync as ops
from hub.ops import sync_down
from hub.ops.run import Runner
from hub.store.db import is_busy, open_db
from hub.sync import down
from hub.sync.mqttclient import SyncClient
from motcua_core import clock as wallclock

log = logging.getLogger("motcua.hub.sync")


class Receiver:
    def __init__(self, db_path: Path | str, host: str, port: int, username: str, password: str,
                 clock: Callable[[], float] = wallclock.time):
        self.db_path, self.clock = db_path, clock
        self.client = SyncClient(host, port, username, password, f"{rules.TOPIC_ROOT}/+/up")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._main, name="sync-receiver", daemon=True)
        self.applied = 0
        self.pusher = down.Pusher()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _main(self) -> None:
        db = open_db(self.db_path)
        runner = Runner(db, self.clock)
        self.client.up()
        try:
            while not self._stop.is_set():
                try:
                    topic, payload = self.client.inbox.get(timeout=0.1)
                    self._one(runner, topic, payload)
                except queue.Empty:
                    pass
                if self.pusher.due():
                    self._push(runner)
        finally:
            self.client.close()
            db.conn.close()

    def _one(self, runner: Runner, topic: str, payload: bytes) -> None:
        centre = rules.centre_of_topic(topic)
        if centre is None:
            return
        try:
            msg = json.loads(payload)
        except ValueError:
            msg = None
        for attempt in range(50):
            try:
                answer = runner.run(None, lambda ctx: ops.apply_batch(ctx, centre, msg))
                break
            except Exception as exc:
                if not is_busy(exc) or attempt == 49:
                    log.exception("sync: batch from %s not applied; the centre will resend it", centre)
                    return
                time.sleep(0.05)
        if answer.get("type") == "ack":
            self.applied += 1
        else:
            log.warning("sync: refused a batch of %s: %s", centre, answer.get("message"))
        self.client.publish(rules.down_topic(centre), json.dumps(answer, ensure_ascii=False).encode())
        if answer.get("type") == "ack" and isinstance(msg, dict) and msg.get("type") == "hello":
            tops = runner.view(None, sync_down.stream_tops)
            for page in runner.view(None, lambda ctx: down.pages_for(ctx, centre, msg)):
                self._send(centre, page)
            self.pusher.heard(centre, msg, tops)

    def _send(self, centre: str, page: dict) -> None:
        self.client.publish(rules.down_topic(centre), json.dumps(page, ensure_ascii=False).encode())

    def _push(self, runner: Runner) -> None:
        """What was published or appended since each linked centre was last sent to, without waiting for
        its next hello (hub.sync.down)."""
        try:
            tops = runner.view(None, sync_down.stream_tops)
            self.pusher.push(tops, lambda c, h: runner.view(None, lambda ctx: down.pages_for(ctx, c, h)), self._send)
        except Exception:
            log.exception("sync: push to the centres failed; the next hellos catch up")
