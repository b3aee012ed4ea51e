"""Messages the hub pushes: the lobby display state of a site and each device's configuration."""

from __future__ import annotations

import json
from datetime import datetime

import sqlite_utils

from hub.domain import lobby_media as media
from hub.domain.queue import COUNTER_OPEN, average_service_s, call_active, local_day, pooled_wait_s
from hub.ops import links
from hub.store import lobby_media
from hub.store import sites as site_store
from hub.store.catalogue import version as catalogue_version
from hub.store.db import get_meta
from hub.store.devices import Device
from hub.store.lobby import lobby_rows, read_ahead
from motcua_core.errors import DomainError
from motcua_core.protocol import PROTOCOL_VERSION


def lobby_ahead(db: sqlite_utils.Database, site_id: str, now: float) -> None:
    """Ask for the rows `display_state` reads with the transaction's next message (hub.store.lobby.read_ahead):
    for a router batch of counter requests, which change what the lobby shows. An unknown site: nothing."""
    try:
        site = site_store.get_site(db, site_id)
    except DomainError:
        return
    read_ahead(db, site_id, local_day(now, site.tz), [s.code for s in site_store.list_services(db, site_id)])


def display_state(db: sqlite_utils.Database, site_id: str, now: float, seq: int) -> dict:
    """Everything a lobby screen or LED board needs to redraw itself from nothing (sent retained)."""
    site = site_store.get_site(db, site_id)
    day = local_day(now, site.tz)
    listed = site_store.list_services(db, site_id)
    # This runs after every call, before the commit: every row it needs is read at once (hub.store.lobby).
    lobby = lobby_rows(db, site_id, day, [s.code for s in listed])
    waiting = lobby.waiting
    booked = lobby.booked  # issue #12: appointment tickets are marked
    counters = [
        {"number": r[0], "name": r[1], "status": r[2], "services": json.loads(r[3]), "officer": r[4],
         "current": {"ticket": r[5], "service": r[6], "called_at": r[7], "appointment": r[9] in booked}
         if r[5] is not None and r[8] == day else None}
        for r in lobby.counters
    ]
    avg = {s.code: average_service_s(lobby.service_times[s.code], s.avg_service_s or site.default_service_s)
           for s in listed}
    services = [
        {"code": s.code, "name": s.name, "name_en": s.name_en, "field": s.field, "waiting": waiting.get(s.code, 0),
         "est_wait_min": _wait_now(s.code, counters, waiting, avg, now)}
        for s in listed
    ]
    last = lobby.last_call
    if last is not None and local_day(last["at"], site.tz) != day:
        last = None
    if last is not None:  # the lobby banner stands only while that citizen is at that counter (issue #13)
        last["active"] = call_active(last, counters)
    return {
        "v": PROTOCOL_VERSION, "site": site_id, "site_name": site.name, "site_name_en": site.name_en,
        "seq": seq, "at": now,
        "day": day, "counters": counters, "services": services, "last_call": last,
        # the lobby's notices shown today, in order, and its image slides (hub.domain.lobby_media)
        **media.display_fields(*lobby_media.for_display(db, site_id), day),
        # the lobby's progress board reads the dossiers over HTTP; this count changing is what tells it to
        # read again (a state otherwise unchanged is not republished)
        "ready_dossiers": lobby.ready_dossiers,
        "time": datetime.fromtimestamp(now, site.tz).isoformat(timespec="seconds"),
    }


def _wait_now(code: str, counters: list[dict], waiting: dict[str, int], avg: dict[str, float],
              now: float) -> int | None:
    """The wait of a regular ticket taken now (what the kiosk shows on the service's button): the same
    rule as a ticket's estimate (rules.pooled_wait_s), from what the lobby state already holds."""
    opened = [c for c in counters if c["status"] == COUNTER_OPEN]
    pool = [c for c in opened if code in c["services"]]
    if not pool:
        return None
    numbers = {c["number"] for c in pool}
    codes = {x for c in pool for x in c["services"] if x in avg}
    share = {x: sum(1 for c in opened if x in c["services"] and c["number"] in numbers)
             / max(1, sum(1 for c in opened if x in c["services"])) for x in codes}
    left = [max(avg.get(c["current"]["service"], 0.0) - (now - (c["current"]["called_at"] or now)),
                0.25 * avg.get(c["current"]["service"], 0.0)) for c in pool if c["current"]]
    wait = pooled_wait_s({x: waiting.get(x, 0) for x in codes}, avg_s=avg, share=share, busy_left_s=left,
                         counters=len(pool))
    return None if wait is None else round(wait / 60)


def call_event(call: dict) -> dict:
    """One call for the announcer; `at` lets a display that reconnects skip calls that are stale."""
    return {"v": PROTOCOL_VERSION, **{k: v for k, v in call.items() if k != "site"}}


def device_config(db: sqlite_utils.Database, device: Device, hub_info: dict | None = None) -> dict:
    """The retained configuration a device applies when it connects (role, counter, services, hardware).

    `hub_info` carries what only the running hub knows, e.g. its HTTP port for bulk downloads."""
    site = site_store.get_site(db, device.site_id)
    services = site_store.list_services(db, device.site_id)
    cfg: dict = {
        "v": PROTOCOL_VERSION, "device_id": device.id, "role": device.role, "site": site.id,
        "site_name": site.name, "site_name_en": site.name_en, "timezone": str(site.tz.key),
        "hardware": device.hardware,
        "fields": site_store.list_fields(db, device.site_id),
        "services": [{"code": s.code, "field": s.field, "name": s.name, "name_en": s.name_en} for s in services],
        **(hub_info or {}),
        "public_url": links.public_base(db, site.id),  # base of every QR link the device prints (issue #13)
        "hub_id": get_meta(db, "hub_id"),  # whose events a device's outbox holds (issue #13)
        "catalog_version": catalogue_version(db),  # issue #5: kiosks fetch /api/v1/catalog?since=… when it moves
    }
    if device.counter is not None:
        counter = site_store.get_counter(db, device.site_id, device.counter)
        cfg["counter"] = {"number": counter.number, "name": counter.name, "services": list(counter.services)}
    return cfg
