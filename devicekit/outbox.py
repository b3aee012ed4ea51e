"""A durable outbox for events that must reach the hub (votes, completions), even across power loss.

An event is committed to SQLite before `put` returns and is deleted only when the hub has answered it.
Each row keeps one request_id for life, so resending after a timeout or a restart is safe: the hub
de-duplicates by request_id. Events go strictly in order, one at a time, so the hub sees them in the
order they happened. A hub refusal (any error other than timeout/internal) is final: the row moves to
`outbox_failed` with the reason, where a technician can see it; nothing disappears silently.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

from motcua_core import clock as wallclock
from motcua_core import protocol
from motcua_core.errors import RequestError

log = logging.getLogger("motcua.device")

# Errors after which the hub may still accept the same request later; every other code is final.
RETRYABLE_CODES = frozenset({"timeout", "internal"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL UNIQUE,
    verb TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE TABLE IF NOT EXISTS outbox_failed (
    seq INTEGER PRIMARY KEY,
    request_id TEXT NOT NULL,
    verb TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    error_code TEXT NOT NULL,
    error TEXT NOT NULL,
    failed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox_set_aside (
    seq INTEGER PRIMARY KEY,
    request_id TEXT NOT NULL,
    verb TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    hub_id TEXT NOT NULL,
    set_aside_at TEXT NOT NULL
);
"""


def _now() -> str:
    return wallclock.now(UTC).isoformat(timespec="milliseconds")


class Outbox:
    """Events kept in SQLite until acknowledged; a worker thread delivers them in order."""

    def __init__(
        self,
        path: Path,
        send: Callable[[str, dict, str], dict],
        *,
        is_connected: Callable[[], bool] | None = None,
        backoff_s: tuple[float, float] = (1.0, 30.0),
        await_hub: bool = False,
    ):
        self.path = Path(path)
        self._send = send
        self._is_connected = is_connected or (lambda: True)
        self._backoff_first, self._backoff_max = backoff_s
        self.on_delivered: Callable[[str, str, dict], None] | None = None
        self.on_failed: Callable[[str, str, RequestError], None] | None = None

        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One connection shared under a lock: put() comes from UI threads, deliveries from the worker.
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")  # a vote survives a power cut right after put()
            self._db.executescript(_SCHEMA)

        # With `await_hub`, nothing is sent before `bind_hub` has checked whose events these are.
        self._bound = threading.Event()
        if not await_hub:
            self._bound.set()
        self._wake = threading.Event()  # new row, reconnect, or stop
        self._kick = False  # set by wake(): cut a retry backoff short (the link just came back)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # --- producer side --------------------------------------------------------------------------

    def put(self, verb: str, data: dict) -> str:
        """Store an event durably; returns the request_id every delivery attempt of it will carry."""
        request_id = protocol.new_request_id()
        payload = protocol.encode(protocol.make_request(verb, data, request_id))  # checks verb, JSON-ability
        if len(payload) > protocol.MAX_PAYLOAD:
            raise ValueError(f"{verb} event of {len(payload)} bytes exceeds {protocol.MAX_PAYLOAD}")
        text = protocol.encode_text(data or {})
        with self._lock:
            self._db.execute(
                "INSERT INTO outbox (request_id, verb, data, created_at) VALUES (?, ?, ?, ?)",
                (request_id, verb, text, _now()),
            )  # autocommit: on disk (WAL, fsync) when execute returns
        self._wake.set()
        return request_id

    def bind_hub(self, hub_id: str | None) -> int:
        """The hub this outbox delivers to (from the pushed config). Events queued for another hub, a
        leftover data directory of an earlier installation, are set aside in `outbox_set_aside`, never
        replayed into this one. Returns how many were set aside. None (a hub that names no identity)
        delivers what is queued."""
        moved = 0
        if hub_id:
            with self._lock:
                row = self._db.execute("SELECT value FROM outbox_meta WHERE key = 'hub_id'").fetchone()
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    if row is not None and row[0] != hub_id:
                        moved = self._db.execute(
                            "INSERT INTO outbox_set_aside (seq, request_id, verb, data, created_at, hub_id, "
                            "set_aside_at) SELECT seq, request_id, verb, data, created_at, ?, ? FROM outbox",
                            (row[0], _now())).rowcount
                        self._db.execute("DELETE FROM outbox")
                    self._db.execute("INSERT INTO outbox_meta(key, value) VALUES('hub_id', ?) "
                                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (hub_id,))
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
            if moved:
                log.warning("outbox: %d event(s) queued for another hub (%s) set aside in %s, not sent to %s",
                            moved, row[0], self.path, hub_id)
        self._bound.set()
        self._wake.set()
        return moved

    @property
    def bound(self) -> bool:
        """Whether the outbox knows its hub (or was not asked to wait for one) and may deliver."""
        return self._bound.is_set()

    def set_aside(self) -> list[dict[str, Any]]:
        """Events set aside because they were queued for another hub (for a technician)."""
        with self._lock:
            cur = self._db.execute("SELECT * FROM outbox_set_aside ORDER BY seq")
            cols = [c[0] for c in cur.description]
            return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def pending(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]

    def failed(self) -> list[dict[str, Any]]:
        """Events the hub refused, oldest first (for a technician screen or health report)."""
        with self._lock:
            cur = self._db.execute("SELECT * FROM outbox_failed ORDER BY seq")
            cols = [c[0] for c in cur.description]
            rows = [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
        for row in rows:
            row["data"] = json.loads(row["data"])
        return rows

    def wait_empty(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.pending():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    # --- worker ---------------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="motcua-outbox", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the worker. Undelivered rows stay on disk for the next start."""
        self._stopping.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("outbox worker still busy after %.1fs; its row stays queued", timeout)

    def close(self) -> None:
        self.stop()
        with self._lock:
            self._db.close()

    def wake(self) -> None:
        """Look again now, skipping any backoff: the session calls this when the link comes back."""
        self._kick = True
        self._wake.set()

    def _run(self) -> None:
        delay = self._backoff_first
        while not self._stopping.is_set():
            try:
                row = self._oldest()
            except sqlite3.Error:
                log.exception("outbox: cannot read %s", self.path)
                self._sleep(self._backoff_max)
                continue
            if row is None or not self._bound.is_set() or not self._connected():
                self._wake.wait(0.5)  # the poll is only a fallback; put() and wake() set the event
                self._wake.clear()
                continue
            if self._deliver(*row):
                delay = self._backoff_first
            else:
                self._sleep(delay)
                delay = min(delay * 2, self._backoff_max)

    def _connected(self) -> bool:
        try:
            return bool(self._is_connected())
        except Exception:
            log.exception("outbox: is_connected() failed")
            return False

    def _sleep(self, seconds: float) -> None:
        """Back off, but wake early on stop or reconnect (not on new rows: that would hammer the hub)."""
        deadline = time.monotonic() + seconds
        self._kick = False
        while not self._stopping.is_set() and not self._kick:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._wake.wait(left)
            self._wake.clear()

    def _oldest(self) -> tuple[int, str, str, str] | None:
        with self._lock:
            return self._db.execute(
                "SELECT seq, request_id, verb, data FROM outbox ORDER BY seq LIMIT 1"
            ).fetchone()

    def _deliver(self, seq: int, request_id: str, verb: str, text: str) -> bool:
        """One attempt at the oldest row. True when the row is settled (delivered or refused)."""
        try:
            data = json.loads(text)
        except ValueError as exc:  # cannot happen through put(); keep the row visible, not stuck
            self._fail(seq, RequestError("bad_request", f"stored data is not JSON: {exc}", request_id=request_id))
            return True
        try:
            result = self._send(verb, data, request_id)
        except RequestError as err:
            if err.code in RETRYABLE_CODES:
                self._note_attempt(seq, f"{err.code}: {err.message}")
                log.info("outbox: %s %s not delivered yet (%s); will retry", verb, request_id, err.code)
                return False
            self._fail(seq, err)
            return True
        except Exception as exc:  # a bug or a stopped session: keep the row and retry later
            log.exception("outbox: sending %s %s failed unexpectedly", verb, request_id)
            self._note_attempt(seq, f"{type(exc).__name__}: {exc}")
            return False
        with self._lock:
            self._db.execute("DELETE FROM outbox WHERE seq = ?", (seq,))
        log.debug("outbox: %s %s delivered", verb, request_id)
        self._call(self.on_delivered, request_id, verb, result)
        return True

    def _note_attempt(self, seq: int, error: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?", (error, seq)
            )

    def _fail(self, seq: int, err: RequestError) -> None:
        """Move a refused row to outbox_failed in one transaction, so it is in exactly one table."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT INTO outbox_failed (seq, request_id, verb, data, created_at, attempts, error_code,"
                    " error, failed_at) SELECT seq, request_id, verb, data, created_at, attempts + 1, ?, ?, ?"
                    " FROM outbox WHERE seq = ?",
                    (err.code, err.message, _now(), seq),
                )
                row = self._db.execute("SELECT request_id, verb FROM outbox WHERE seq = ?", (seq,)).fetchone()
                self._db.execute("DELETE FROM outbox WHERE seq = ?", (seq,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        if row is not None:
            log.warning("outbox: hub refused %s %s: %s %s", row[1], row[0], err.code, err.message)
            self._call(self.on_failed, row[0], row[1], err)

    @staticmethod
    def _call(fn: Callable[..., Any] | None, *args: Any) -> None:
        if fn is None:
            return
        try:
            fn(*args)
        except Exception:
            log.exception("outbox callback %r failed", fn)
