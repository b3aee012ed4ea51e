"""Reads too slow for the event loop (a year's report, the dashboard's week of dossiers) run in a worker
thread on a database connection of its own: the loop meanwhile serves the counters and kiosks."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiohttp import web

from hub.store.db import open_db
from hub.web.common import HUB_KEY


class DbThread:
    """One worker thread and its connection (opened on first use, closed at the app's cleanup)."""

    def __init__(self, app: web.Application, name: str) -> None:
        self.app = app
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._local = threading.local()

    def _db(self):  # noqa: ANN202 (either engine's Db)
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = open_db(self.app[HUB_KEY].config.db_target)
        return db

    def submit(self, fn: Callable[[Any], Any]) -> asyncio.Future:
        """`fn(db)` in the thread, as a future of the running loop."""
        return asyncio.get_running_loop().run_in_executor(self.pool, lambda: fn(self._db()))

    def _close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()

    async def shutdown(self, app: web.Application) -> None:
        self.pool.submit(self._close)
        self.pool.shutdown(wait=True)
