"""The fleet (issue #14): the view a technician watches, the alerts it raises, self-tests and hardware
maps sent to devices, and software rollouts. Alert rules are pure (hub.domain.fleet)."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from hub.domain import fleet as rules
from hub.ops import releases
from hub.ops.context import Ctx
from hub.ops.dossiers import calendar_for
from hub.store import devices as device_store
from hub.store import enrolment
from hub.store.sites import get_site, list_sites
from motcua_core.errors import DomainError
from motcua_core.hardware_schema import needs_restart, validate

SELFTEST_STATES = ("pass", "fail", "skip")


def _device(ctx: Ctx, device_id: str) -> device_store.Device:
    dev = device_store.get(ctx.db, device_id)
    if dev is None or dev.revoked:
        raise DomainError("not_found", f"unknown device {device_id!r}", "Không tìm thấy thiết bị.")
    return dev


def fleet_view(db: sqlite_utils.Database, data_dir: Path, now: float, site: str | None = None) -> dict:
    """Every device with presence, health, version, last self-test and alerts; counts for /metrics."""
    rel = releases.current(data_dir)
    released = rel.version if rel else None
    extras = enrolment.fleet_extras(db)
    # Offline alerts follow each site's own working calendar (holidays, make-up days, seasonal hours).
    cals = {s: calendar_for(db, s, get_site(db, s).tz.key) for s in list_sites(db)}
    rows = []
    for d in device_store.list_all(db, site):
        x = extras.get(d.id, {})
        pending = "enrol_expires_at" in x
        h = d.health or {}
        state = "revoked" if d.revoked else "pending" if pending else d.status
        alerts = rules.alerts(status=d.status, status_since=x.get("status_since"), last_seen=d.last_seen,
                              health=d.health, version=d.version, released=released, pending=pending,
                              revoked=d.revoked, now=now, cal=cals[d.site_id])
        rows.append({
            "id": d.id, "site": d.site_id, "role": d.role, "name": d.name, "counter": d.counter, "state": state,
            "state_vi": rules.STATE_VI.get(state, state),
            "status_since": x.get("status_since"), "last_seen": d.last_seen, "version": d.version,
            "address": h.get("address") or x.get("address"), "printer": rules.printer_state(d.health),
            "printer_vi": rules.PRINTER_VI.get(rules.printer_state(d.health) or "", rules.printer_state(d.health)),
            "temp_c": h.get("temp_c"), "disk_used_pct": rules.disk_used_pct(d.health),
            "uptime_s": h.get("uptime_s"), "outbox_pending": h.get("outbox_pending"),
            "selftest": x.get("selftest"), "selftest_at": x.get("selftest_at"),
            "enrol_expires_at": x.get("enrol_expires_at"), "hardware": d.hardware,
            "alerts": alerts, "alerts_vi": [rules.ALERT_TEXT_VI[a] for a in alerts],
        })
    counts = {a: sum(a in r["alerts"] for r in rows) for a in rules.ALERTS}
    return {"at": now, "release": released, "devices": rows, "online": sum(r["state"] == "online" for r in rows),
            "alert_counts": counts}


def request_selftest(ctx: Ctx, device_id: str) -> None:
    dev = _device(ctx, device_id)
    ctx.effects.commands.append((dev.id, {"cmd": "selftest", "at": ctx.now}))


def record_selftest(ctx: Ctx, data: dict) -> dict:
    """`device.selftest`: a device reports its self-test; the hub keeps the last one per device."""
    checks = []
    for c in data["checks"][:20]:
        if not isinstance(c, dict) or c.get("state") not in SELFTEST_STATES or not isinstance(c.get("name"), str):
            raise DomainError("bad_request", "each check needs name and state (pass, fail, skip)")
        checks.append({"name": c["name"][:40], "state": c["state"], "detail": str(c.get("detail") or "")[:300]})
    failed = [c["name"] for c in checks if c["state"] == "fail"]
    summary = f"fail: {', '.join(failed)}" if failed else "pass"
    result = {"checks": checks, "summary": summary}
    enrolment.set_selftest(ctx.db, ctx.device.id, result, ctx.now)
    return {"stored": True, "summary": summary}


def set_hardware(ctx: Ctx, device_id: str, hardware: dict) -> dict:
    """Store a hardware map that passes the drivers' schema; the retained config carries it to the
    device, which applies what its drivers can change live and restarts its app for the rest."""
    dev = _device(ctx, device_id)
    problems = validate(hardware)
    if problems:
        raise DomainError("bad_request", "; ".join(problems), "Cấu hình phần cứng không hợp lệ: " + "; ".join(problems))
    device_store.set_hardware(ctx.db, dev.id, hardware)
    return {"device_id": dev.id, "restart_for": needs_restart(dev.hardware, hardware)}


def rollout(ctx: Ctx, data_dir: Path, device_ids: list[str] | None, site: str | None = None) -> dict:
    """Ask devices to install the served release: the named ones (a rollout starts with one), or every
    online device whose version is behind."""
    rel = releases.current(data_dir)
    if rel is None:
        raise DomainError("not_found", "no release to roll out: motcua hub fleet release FILE",
                          "Máy chủ chưa có bản cập nhật.")
    if device_ids:
        targets = [_device(ctx, d) for d in device_ids]
    else:
        targets = [d for d in device_store.list_all(ctx.db, site) if not d.revoked and d.status == "online"
                   and rules.version_key(d.version or "") < rules.version_key(rel.version)]
    for dev in targets:
        ctx.effects.commands.append((dev.id, {"cmd": "update", "version": rel.version, "file": rel.path.name,
                                              "sha256": rel.sha256, "at": ctx.now}))
    return {"version": rel.version, "devices": [d.id for d in targets]}


def centres_fleet(db: sqlite_utils.Database) -> list[dict]:
    """On a provincial hub: every centre's devices as its last presence summary tells them (sent up by
    the sync link when a device's presence or printer changes), one entry per centre site, in Vietnamese
    order of the centre's name. A centre's summary from before device lists were sent has counts only."""
    from hub.domain.sync import vi_key
    from hub.store import sync as sync_store

    if sync_store.role(db) != "province":
        return []
    names = {c["id"]: c["name"] for c in sync_store.list_centres(db)}
    out = []
    for s in sync_store.province_sites(db):
        summary = next(iter(sync_store.copied_rows(db, s["site_id"], "presence")), None) or {}
        devices = [{**d, "state_vi": rules.STATE_VI.get(d.get("status") or "", d.get("status")),
                    "printer_vi": rules.PRINTER_VI.get(d.get("printer") or "", d.get("printer"))}
                   for d in summary.get("devices") or []]
        out.append({"site": s["site_id"], "centre": s["centre_id"], "name": names.get(s["centre_id"], s["site_id"]),
                    "last_contact": s["last_contact"], "online": summary.get("online"), "total": summary.get("total"),
                    "roles": summary.get("roles") or {}, "devices": devices})
    out.sort(key=lambda c: (vi_key(c["name"]), c["site"]))
    return out
