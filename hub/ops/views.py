"""Messages the hub pushes: the lobby display state of a site and each device's configuration."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from devicekit.protocol import PROTOCOL_VERSION
from hub.domain.queue import local_day
from hub.store import sites as site_store
from hub.store import tickets as ticket_store
from hub.store.devices import Device


def display_state(db: sqlite_utils.Database, site_id: str, now: float, seq: int) -> dict:
    """Everything a lobby screen or LED board needs to redraw itself from nothing (sent retained)."""
    site = site_store.get_site(db, site_id)
    day = local_day(now, site.tz)
    waiting = ticket_store.waiting_counts(db, site_id, day)
    counters = []
    for c in site_store.list_counters(db, site_id):
        current = None
        if c.current_ticket is not None:
            t = ticket_store.get(db, c.current_ticket)
            if t.day == day:
                current = {"ticket": t.number, "service": t.service, "called_at": t.called_at}
        counters.append({
            "number": c.number, "name": c.name, "status": c.status, "services": list(c.services),
            "officer": site_store.officer_name(db, site_id, c.officer), "current": current,
        })
    services = [
        {"code": s.code, "name": s.name, "name_en": s.name_en, "field": s.field, "waiting": waiting.get(s.code, 0)}
        for s in site_store.list_services(db, site_id)
    ]
    last = ticket_store.last_call(db, site_id)
    if last is not None and local_day(last["at"], site.tz) != day:
        last = None
    return {
        "v": PROTOCOL_VERSION, "site": site_id, "site_name": site.name, "seq": seq, "at": now,
        "day": day, "counters": counters, "services": services, "last_call": last, "notice": site.notice,
        "time": datetime.fromtimestamp(now, site.tz).isoformat(timespec="seconds"),
    }


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
        "hardware": device.hardware, "notice": site.notice,
        "fields": site_store.list_fields(db, device.site_id),
        "services": [{"code": s.code, "field": s.field, "name": s.name, "name_en": s.name_en} for s in services],
        **(hub_info or {}),
    }
    if device.counter is not None:
        counter = site_store.get_counter(db, device.site_id, device.counter)
        cfg["counter"] = {"number": counter.number, "name": counter.name, "services": list(counter.services)}
    return cfg
