"""The hub's periodic work, wired beside hub.app: registry changes and deferred effects from other
processes (every second), display refresh and stored-reply purge (every minute), WAL checkpoints, the
dossier timers and the daily backup. Each loop survives its own failures; what a turn does lives in hub.ops."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from hub.notify.senders import load as load_senders
from hub.ops import appointments, dossier_tasks
from hub.ops.run import take_deferred
from hub.store import backup
from hub.store.db import checkpoint, is_busy, tune_for_server
from hub.store.sites import list_sites

if TYPE_CHECKING:
    from hub.app import Hub

log = logging.getLogger("motcua.hub.timers")
DOSSIER_TICK_S = 20.0
APPOINTMENT_TICK_S = 30.0


def start(hub: Hub) -> list[asyncio.Task]:
    loops = [("registry", watch_registry), ("display-tick", tick_displays), ("dossier-timers", dossier_timers),
             ("appointments", appointment_timers), ("sign-results", sign_results),
             ("ocr-scans", ocr_scans), ("datastore", datastore_pushes)]
    if hub.db.engine == "sqlite":  # PostgreSQL has no WAL file of ours to checkpoint; its backups are pg_dump's
        loops += [("wal-checkpoint", checkpoints), ("daily-backup", daily_backups)]
    return [asyncio.create_task(fn(hub), name=name) for name, fn in loops]


SIGN_TICK_S = 1.0


async def sign_results(hub: Hub) -> None:
    """Electronic results uploaded whole are signed by the centre in a worker thread (a signature takes a
    second or more on a small machine: never on the event loop), then kept with their document code."""
    from hub.ops import dossier_files

    while True:
        await asyncio.sleep(SIGN_TICK_S)
        try:
            for job in dossier_files.to_sign(hub.db):
                try:
                    done = await asyncio.to_thread(dossier_files.sign_result, job)
                except Exception:
                    log.exception("signing the result of %s failed; will retry", job["file"]["code"])
                    continue
                hub.runner.run(job["file"]["site_id"], lambda ctx, done=done: dossier_files.store_signed(ctx, done))
        except Exception:
            log.exception("result signing failed; will retry")


DATASTORE_TICK_S = 2.0


async def datastore_pushes(hub: Hub) -> None:
    """Electronic results to the citizen's data store (hub.ops.datastore): each due one pushed from a
    worker thread, the outcome recorded by the Runner."""
    from hub.ops import datastore

    while True:
        await asyncio.sleep(DATASTORE_TICK_S)
        try:
            await datastore.run_turn(hub)
        except Exception:
            log.exception("data store turn failed; will retry")


OCR_TICK_S = 2.0


async def ocr_scans(hub: Hub) -> None:
    """Each scan uploaded whole gets its searchable copy (hub.ops.ocr) in a worker thread, one at a time,
    the recognition in a child process at the lowest priority: the hub's own work always comes first."""
    from hub.ops import ocr

    reason = await asyncio.to_thread(ocr.unavailable)
    ocr.clear_workdir(hub.config.data_dir)  # what a hub killed mid-recognition left
    if reason:
        log.warning("scans get no text layer: %s", reason)
        return
    try:
        while True:
            await asyncio.sleep(OCR_TICK_S)
            try:
                for job in ocr.jobs(hub.db):
                    done = await asyncio.to_thread(ocr.make_copy, job)
                    if done["state"] == "interrupted":  # another hub in this process stopping: again later
                        continue
                    if done["state"] == "failed":
                        log.warning("no text layer for scan %s of %s: %s", job["file"]["id"], job["file"]["code"],
                                    done["note"])
                    hub.runner.run(job["file"]["site_id"], lambda ctx, done=done: ocr.store_copy(ctx, done))
            except Exception:
                log.exception("OCR turn failed; will retry")
    finally:
        ocr.stop_all()  # the hub is stopping: a scan half read is read again on the next start


async def watch_registry(hub: Hub) -> None:
    """Devices added or revoked by `motcua hub device …` reach the broker within a second, and what other
    processes committed for the hub to publish goes out."""
    while True:
        await asyncio.sleep(1.0)
        try:
            await hub.sync_registry()
        except Exception:
            log.exception("registry reload failed; will retry")
            hub.forget_registry()
        try:
            effects = take_deferred(hub.db)
            if effects:
                hub.router.publish_effects(effects)
        except Exception as exc:
            if is_busy(exc):  # another process holds the write lock: next second
                log.debug("deferred effects wait for another process's write lock")
            else:
                log.exception("publishing deferred effects failed; will retry")


async def tick_displays(hub: Hub) -> None:
    """Once a minute: refresh retained display states (clock, day roll-over); once an hour: drop stored
    replies older than a week."""
    minutes = 0
    while True:
        await asyncio.sleep(60)
        minutes += 1
        try:
            for site in list_sites(hub.db):
                hub.router.publish_display(site, force=True)
                await asyncio.sleep(0)  # a provincial hub has a hundred offices: serve requests between them
            if minutes % 60 == 0:
                hub.router.purge_old_requests()
        except Exception:
            log.exception("periodic display refresh or purge failed")


async def checkpoints(hub: Hub) -> None:
    """Checkpoint the WAL every few seconds off the event loop (see hub.store.db.checkpoint)."""
    tune_for_server(hub.db)
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(3.0)
        try:
            await loop.run_in_executor(None, checkpoint, hub.config.db_target)
        except Exception as exc:  # a busy database now is fine: the next turn catches up
            log.debug("WAL checkpoint skipped: %s", exc)


async def daily_backups(hub: Hub) -> None:
    """A backup when the newest is a day old (or there is none), in a worker thread; BACKUP_KEEP kept."""
    while True:
        try:
            last = backup.newest(hub.config.data_dir)
            if last is None or time.time() - last.stat().st_mtime >= backup.BACKUP_EVERY_S:
                path = await asyncio.to_thread(backup.take, hub.config.data_dir)
                backup.prune(hub.config.data_dir)
                log.info("daily backup written: %s", path)
        except Exception:
            log.exception("daily backup failed; will retry in an hour")
        await asyncio.sleep(3600)


async def dossier_timers(hub: Hub) -> None:
    from hub.ops import portal

    senders = load_senders(hub.config.data_dir)
    try:
        portal_cfg = portal.load_config(hub.config.data_dir)  # None: no portal configured, nothing queued
    except (ValueError, OSError) as exc:
        log.error("portal sync off: %s", exc)
        portal_cfg = None
    while True:
        try:
            dossier_tasks.tick(hub)
            await dossier_tasks.deliver(hub, senders)
            if portal_cfg is not None:
                await portal.run_turn(hub, portal_cfg)
        except Exception:
            log.exception("dossier timers failed; will retry")
        await asyncio.sleep(DOSSIER_TICK_S)


async def appointment_timers(hub: Hub) -> None:
    """Issue #12: mark no-shows and queue tomorrow's reminders (sent by the dossier loop's delivery of
    the notification outbox, through the same senders)."""
    while True:
        try:
            for site in list_sites(hub.db):
                hub.runner.run(site, appointments.tick)
        except Exception:
            log.exception("appointment timers failed; will retry")
        await asyncio.sleep(APPOINTMENT_TICK_S)
