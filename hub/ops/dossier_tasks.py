"""The hub's dossier timers: transfer batches at the configured times, the deadline scan (at-risk and
late alerts), and delivery of the notification outbox. Run as one asyncio task by hub.app."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from hub.notify import outbox
from hub.notify.senders import load as load_senders
from hub.ops import dossiers as ops
from hub.ops.context import Ctx, Effects
from hub.store.db import transaction
from hub.store.sites import get_site, list_sites

if TYPE_CHECKING:
    from hub.app import Hub

log = logging.getLogger("motcua.dossiers")
TICK_S = 20.0


def tick(hub: Hub) -> dict:
    """One pass over every site (synchronous; on the event loop, like the router, so the shared SQLite
    connection is never used from two threads)."""
    out = {"moved": 0, "at_risk": 0, "late": 0}
    for sid in list_sites(hub.db):
        with transaction(hub.db):
            ctx = Ctx(hub.db, get_site(hub.db, sid), None, hub.clock(), Effects())
            out["moved"] += len(ops.run_transfer_batch(ctx))
            scan = ops.deadline_scan(ctx)
        out["at_risk"] += len(scan["at_risk"])
        out["late"] += len(scan["late"])
    return out


async def deliver(hub: Hub, senders: dict) -> int:
    loop = asyncio.get_running_loop()
    n = 0
    for item in outbox.pending(hub.db):
        error = await loop.run_in_executor(None, outbox.send_one, item, senders)
        with transaction(hub.db):
            outbox.record(hub.db, item["id"], hub.clock(), error)
        n += 1
    return n


async def run(hub: Hub) -> None:
    senders = load_senders(hub.config.data_dir)
    while True:
        try:
            tick(hub)
            await deliver(hub, senders)
        except Exception:
            log.exception("dossier timers failed; will retry")
        await asyncio.sleep(TICK_S)
