"""What the hub's dossier timer does each turn (hub.timers runs it): transfer batches at the configured
times, the deadline scan (at-risk and late alerts, closing supplements never completed), and delivery of the notification outbox."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from hub.notify import outbox
from hub.ops import dossiers as ops
from hub.store.db import transaction
from hub.store.sites import list_sites

if TYPE_CHECKING:
    from hub.app import Hub


def tick(hub: Hub) -> dict:
    """One pass over every site, each through the runner (synchronous; on the event loop, like the
    router, so the shared SQLite connection is never used from two threads)."""
    out: dict = {"moved": 0, "at_risk": 0, "late": 0, "closed": []}
    for sid in list_sites(hub.db):
        moved, scan = hub.runner.run(sid, lambda ctx: (ops.run_transfer_batch(ctx), ops.deadline_scan(ctx)))
        out["moved"] += len(moved)
        out["at_risk"] += len(scan["at_risk"])
        out["late"] += len(scan["late"])
        out["closed"] += scan["closed"]  # supplements not completed in 15 days (Decree 118/2025 Art. 19(5))
    return out


async def deliver(hub: Hub, senders: dict) -> int:
    """Send what the notification outbox holds (off the loop); each result recorded as it comes."""
    loop = asyncio.get_running_loop()
    n = 0
    for item in outbox.pending(hub.db):
        error = await loop.run_in_executor(None, outbox.send_one, item, senders)
        with transaction(hub.db):
            outbox.record(hub.db, item["id"], hub.clock(), error)
        n += 1
    return n
