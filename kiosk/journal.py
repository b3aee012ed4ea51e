"""The dispenser's local journal: a ticket request is written down before it is sent.

After a crash or power cut the kiosk finds requests whose ticket was never printed and asks the hub
again with the same request_id: the hub answers with the same ticket, so it is reprinted, never doubled.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

from motcua_core import clock as wallclock

RECOVER_WINDOW_S = 15 * 60  # older unprinted requests are dropped: the citizen has gone or asked staff

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tickets (
    request_id TEXT PRIMARY KEY, service TEXT NOT NULL, priority TEXT NOT NULL, lang TEXT NOT NULL,
    created_at REAL NOT NULL, ticket TEXT, printed_at REAL, print_state TEXT
)"""


class TicketJournal:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(_SCHEMA)
        self._lock = threading.Lock()

    def begin(self, request_id: str, service: str, priority: str, lang: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO tickets(request_id, service, priority, lang, created_at) "
                             "VALUES(?,?,?,?,?)", [request_id, service, priority, lang, wallclock.time()])

    def issued(self, request_id: str, ticket: dict) -> None:
        with self._lock:
            self._db.execute("UPDATE tickets SET ticket = ? WHERE request_id = ?",
                             [json.dumps(ticket, ensure_ascii=False), request_id])

    def printed(self, request_id: str, state: str) -> None:
        with self._lock:
            self._db.execute("UPDATE tickets SET printed_at = ?, print_state = ? WHERE request_id = ?",
                             [wallclock.time(), state, request_id])

    def unprinted(self, now: float | None = None) -> list[dict]:
        """Requests younger than RECOVER_WINDOW_S whose ticket never reached paper or screen."""
        now = wallclock.time() if now is None else now
        with self._lock:
            rows = self._db.execute("SELECT request_id, service, priority, lang FROM tickets "
                                    "WHERE printed_at IS NULL AND created_at >= ? ORDER BY created_at",
                                    [now - RECOVER_WINDOW_S]).fetchall()
            self._db.execute("DELETE FROM tickets WHERE created_at < ?", [now - 7 * 86400])
        return [{"request_id": r[0], "service": r[1], "priority": r[2], "lang": r[3]} for r in rows]

    def close(self) -> None:
        self._db.close()
