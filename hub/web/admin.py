"""Administration forms of the console (administrators; devices also for technicians). Every change goes
through the operation runner with the signed-in user as its actor, so it is validated once, published to
the devices after commit, and written to the audit log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from aiohttp import web

from hub.ops import admin
from hub.ops import votes as vote_ops
from hub.ops.context import Ctx
from hub.store import catalogue as catalogue_store
from hub.store import devices as device_store
from hub.store import dossiers as dossier_store
from hub.store import officers as officer_store
from hub.store import site_config
from hub.store import sites as site_store
from hub.web.auth import requires
from hub.web.common import error_response, hub_of, json_body, site_of
from hub.web.schema import F, Schema, describe, validate
from hub.web.signin import actor_of
from motcua_core.collation import vi_key
from motcua_core.errors import DomainError

SERVICE: Schema = {
    "code": F("string", True, "service code, 1–8 capitals or digits (HT)", 8),
    "name": F("string", True, "name as the kiosk shows it", 80), "name_en": F("string", False, "English name", 80),
    "field": F("string", True, "field code (a site's fields)"), "prefix": F("string", False, "ticket prefix letters", 3),
    "start": F("integer", False, "first ticket number of the day"), "end": F("integer", False, "last ticket number"),
    "width": F("integer", False, "digits shown"), "wait_target_min": F("integer", False, "wait target, minutes (15)"),
    "service_min": F("integer", False, "service time of one citizen, minutes (sets booking seats)")}
COUNTER: Schema = {"number": F("integer", True, "counter number"), "name": F("string", False, "its name", 40),
                   "services": F("array", True, "service codes it serves")}
OFFICER: Schema = {"id": F("string", True, "officer id (nguyen-van-a)", 40), "name": F("string", True, "full name", 80),
                   "username": F("string", False, "counter sign-in name", 40),
                   "agency": F("string", False, "the agency that seconded the officer (empty: the office's own)", 120),
                   "pin": F("string", False, "new PIN (digits): sets or resets it", 12),
                   "active": F("boolean", False, "false: deactivate (no sign-in, signed out at once); true: reactivate")}
RETIRE: Schema = {"kind": F("string", True, "service, counter or officer", 10),
                  "key": F("string", True, "the service's code, the counter's number or the officer's id", 40),
                  "retired": F("boolean", False, "true (default): retire; false: bring back")}
QUESTION: Schema = {"text_vi": F("string", True, "the question, in Vietnamese", 200),
                    "text_en": F("string", False, "in English", 200)}
CALENDAR: Schema = {"days_off": F("string", False, "days off, YYYY-MM-DD, comma-separated"),
                    "working_days": F("string", False, "make-up working days (a Saturday), comma-separated"),
                    "hours": F("string", False, "office hours: 07:30-11:30, 13:30-17:00"),
                    "unit_name": F("string", False, "unit name on the forms", 120),
                    "hotline": F("string", False, "hotline printed on receipts", 40)}
SETTINGS: Schema = {"name": F("string", False, "site name", 120), "name_en": F("string", False, "English name", 120),
                    "notice": F("string", False, "lobby notice", 300),
                    "ticket_opens": F("string", False, "kiosks give tickets from HH:MM (empty: at any time)", 5),
                    "ticket_last": F("string", False, "the last ticket at HH:MM", 5),
                    "ticket_days": F("array", False, "weekdays tickets are given, 0 = Monday … 6 = Sunday"),
                    "policy_mode": F("string", False, "ordering rule: interleave, strict or fifo", 10),
                    "policy_every": F("integer", False, "interleave: one priority citizen after every N regular")}


async def _run(request: web.Request, op: Callable[[Ctx, dict], dict], schema: Schema | None = None) -> web.Response:
    from hub.web.auth import authenticate

    hub = hub_of(request)
    site = site_of(request)
    p = authenticate(request)
    assert p is not None  # @requires ran first
    try:
        body = validate(schema or {}, await json_body(request))
        out = hub.runner.run(site, lambda ctx: op(ctx, body), actor=actor_of(p), subject=p.subject)
    except DomainError as exc:
        return error_response(exc)
    return web.json_response(out)


@describe("The site's configuration (services, counters, officers without credentials), what is retired, "
          "and the agencies to pick from")
@requires("admin")
async def config(request: web.Request) -> web.Response:
    hub = hub_of(request)
    site = site_of(request)
    q = hub.runner.view(site, vote_ops.questions)[0]
    ds = dossier_store.get_settings(hub.db, site.id)
    retired_counters = [{"number": c.number, "name": c.name, "services": list(c.services)}
                        for c in site_store.list_counters(hub.db, site.id, retired=True)]
    return web.json_response({**site_config.export(hub.db, site.id),
                              "retired": {"services": site_store.service_docs(hub.db, site.id, active=False),
                                          "counters": retired_counters},
                              "agencies": sorted(catalogue_store.agency_names(hub.db, site.id), key=vi_key),
                              "vote_question": {"text_vi": q["text_vi"], "text_en": q["text_en"]},
                              "calendar": ds.get("calendar") or {}, "unit_name": ds.get("unit_name"),
                              "hotline": ds.get("hotline")})


@describe("Every officer of the site, retired ones too, in Vietnamese alphabetical order: name, id, counter "
          "user name, agency, counters served at (last 30 days) and the one signed in at now")
@requires("admin")
async def officers(request: web.Request) -> web.Response:
    hub = hub_of(request)
    site = site_of(request)
    since = (datetime.fromtimestamp(hub.clock(), site.tz).date() - timedelta(days=30)).isoformat()
    rows = officer_store.roster(hub.db, site.id, since)
    rows.sort(key=lambda o: (not o["active"], vi_key(o["name"]), o["id"]))
    return web.json_response({"officers": rows, "since": since})


@describe("Retire a service, a counter or an officer, or bring one back: nothing is deleted, its history "
          "stays", body=RETIRE)
@requires("admin")
async def retire(request: web.Request) -> web.Response:
    return await _run(request, admin.retire, RETIRE)


@describe("Add or change a service", body=SERVICE)
@requires("admin")
async def save_service(request: web.Request) -> web.Response:
    return await _run(request, admin.save_service, SERVICE)


@describe("Add or change a counter and the services it serves", body=COUNTER)
@requires("admin")
async def save_counter(request: web.Request) -> web.Response:
    return await _run(request, admin.save_counter, COUNTER)


@describe("Change the site's name, lobby notice, ticket hours and ordering rule", body=SETTINGS)
@requires("admin")
async def save_settings(request: web.Request) -> web.Response:
    return await _run(request, admin.save_settings, SETTINGS)


@describe("Add or change an officer; set or reset their PIN", body=OFFICER)
@requires("admin")
async def save_officer(request: web.Request) -> web.Response:
    return await _run(request, admin.save_officer, OFFICER)


@describe("The satisfaction question of the voting tablets", body=QUESTION)
@requires("admin")
async def save_vote_question(request: web.Request) -> web.Response:
    return await _run(request, admin.save_vote_question, QUESTION)


@describe("The working calendar (days off, make-up days, hours) and dossier settings", body=CALENDAR)
@requires("admin")
async def save_calendar(request: web.Request) -> web.Response:
    return await _run(request, admin.save_calendar, CALENDAR)


@describe("The site's devices: presence, printer and paper state, last contact, alerts (in Vietnamese too)")
@requires("technician")
async def devices(request: web.Request) -> web.Response:
    from hub.ops.fleet import fleet_view

    hub = hub_of(request)
    site = site_of(request)
    keep = ("id", "role", "name", "counter", "state", "state_vi", "printer", "printer_vi", "version", "last_seen",
            "status_since", "alerts", "alerts_vi")
    out = [{**{k: d[k] for k in keep}, "status": d["state"], "revoked": d["state"] == "revoked"}
           for d in fleet_view(hub.db, hub.config.data_dir, hub.clock(), site.id)["devices"]]
    counters = [{"number": c.number, "name": c.name} for c in site_store.list_counters(hub.db, site.id)]
    return web.json_response({"devices": out, "counters": counters})


DEVICE: Schema = {"role": F("string", True, "kiosk, counter, display, voting or lookup"),
                  "counter": F("integer", False, "the counter it belongs to (counter, voting)"),
                  "name": F("string", False, "where it stands", 60)}


@describe("Register a device; returns its config file once (the secret is kept only as a hash)", body=DEVICE)
@requires("technician")
async def add_device(request: web.Request) -> web.Response:
    hub = hub_of(request)
    site = site_of(request)

    def op(ctx: Ctx, body: dict) -> dict:
        dev, secret = device_store.add(ctx.db, site_id=site.id, role=str(body["role"]), now=ctx.now,
                                       counter=body.get("counter"), name=str(body.get("name") or ""))
        ctx.changed("device.add", dev.id, None, {"role": dev.role, "counter": dev.counter, "name": dev.name})
        # The broker address as this browser reaches the hub: the device sits on the same LAN.
        return {"device_id": dev.id, "secret": secret, "site": dev.site_id, "role": dev.role,
                "broker_host": request.url.host or "127.0.0.1", "broker_port": hub.config.mqtt_port}

    return await _run(request, op, DEVICE)


@describe("Revoke a device: the broker refuses it from then on")
@requires("technician")
async def revoke_device(request: web.Request) -> web.Response:
    device_id = request.match_info["device_id"]
    hub = hub_of(request)
    dev = device_store.get(hub.db, device_id)
    if dev is None or dev.site_id != site_of(request).id:
        return error_response(DomainError("not_found", "no such device", "Không có thiết bị này."))

    def op(ctx: Ctx, body: dict) -> dict:
        device_store.revoke(ctx.db, device_id, ctx.now)
        ctx.changed("device.revoke", device_id, {"revoked": False}, {"revoked": True})
        return {"id": device_id, "revoked": True}

    return await _run(request, op)


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/api/v1/sites/{site}/config", config)
    r.add_post("/api/v1/sites/{site}/services", save_service)
    r.add_post("/api/v1/sites/{site}/counters", save_counter)
    r.add_post("/api/v1/sites/{site}/settings", save_settings)
    r.add_get("/api/v1/sites/{site}/officers", officers)
    r.add_post("/api/v1/sites/{site}/officers", save_officer)
    r.add_post("/api/v1/sites/{site}/retire", retire)
    r.add_post("/api/v1/sites/{site}/vote-question", save_vote_question)
    r.add_post("/api/v1/sites/{site}/calendar", save_calendar)
    r.add_get("/api/v1/sites/{site}/devices", devices)
    r.add_post("/api/v1/sites/{site}/devices", add_device)
    r.add_post("/api/v1/sites/{site}/devices/{device_id}/revoke", revoke_device)
