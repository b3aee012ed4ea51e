"""HTTP API (/api/v1) and a small live status page. Public endpoints carry no personal data: the health
check says only whether the hub is well (details need a technician), and the lobby's progress board gets
the day's overall queue figures without officers or votes (the full KPIs need a leader)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from hub.domain.kpi import group_summaries, summarize
from hub.domain.queue import local_day
from hub.ops.run import error_body
from hub.store import sites as site_store
from hub.store import tickets as ticket_store
from hub.store import votes as vote_store
from hub.web import (
    admin,
    audit,
    booking,
    catalog_admin,
    dashboard,
    dossiers,
    enrol,
    fleet,
    lobby_media,
    metrics,
    openapi,
    post,
    province,
    province_down,
    reports,
    security,
    signin,
    ticket_page,
)
from hub.web.auth import requires
from hub.web.common import HUB_KEY, error_response, hub_of, one_error_shape, retry_when_busy, site_of
from hub.web.schema import F, describe
from motcua_core.errors import DomainError

if TYPE_CHECKING:
    from hub.app import Hub

STATIC = Path(__file__).parent / "static"


@describe("Whether the hub is well: {status: ok|degraded}", public=True)
async def health(request: web.Request) -> web.Response:
    """Public: ok or degraded, nothing else (no paths, ports or process ids)."""
    h = hub_of(request).health()
    return web.json_response({"status": h["status"]}, status=200 if h["status"] == "ok" else 503)


@describe("Detailed health: database, broker, router counters")
@requires("technician", on="hub")
async def health_detail(request: web.Request) -> web.Response:
    h = hub_of(request).health()
    return web.json_response(h, status=200 if h["status"] == "ok" else 503)


@describe("Sites served by this hub", public=True)
async def sites(request: web.Request) -> web.Response:
    db = hub_of(request).db
    out = []
    for sid in site_store.list_sites(db):
        s = site_store.get_site(db, sid)
        out.append({"id": s.id, "name": s.name, "name_en": s.name_en, "timezone": s.tz.key})
    return web.json_response({"sites": out})


@describe("The lobby state: counters, calls, waiting per service (no personal data)", public=True)
async def site_state(request: web.Request) -> web.Response:
    """The state the lobby screens were last sent (built once per change, not once per request)."""
    hub = hub_of(request)
    site = site_of(request)
    return web.Response(body=hub.router.state_body(site.id), content_type="application/json")


def _day(request: web.Request, site: site_store.Site) -> str:
    day = request.query.get("day") or local_day(hub_of(request).clock(), site.tz)
    try:
        datetime.strptime(day, "%Y-%m-%d")
    except ValueError:
        raise web.HTTPBadRequest(text=json.dumps({"error": error_body(DomainError(
            "bad_request", "day must be YYYY-MM-DD", "Ngày phải có dạng YYYY-MM-DD."))}, ensure_ascii=False),
            content_type="application/json") from None
    return day


@describe("Queue KPIs of a day, per service, counter and officer, with votes",
          query={"day": F("string", False, "site-local YYYY-MM-DD (today)")})
@requires("leader")
async def kpis(request: web.Request) -> web.Response:
    """Waiting and service times for one day, overall and per service, counter and officer (leaders)."""
    hub = hub_of(request)
    site = site_of(request)
    day = _day(request, site)
    times = ticket_store.day_times(hub.db, site.id, day)
    return web.json_response({
        "site": site.id, "day": day, "overall": summarize(times),
        "by_service": group_summaries(times, lambda t: t.service),
        "by_counter": group_summaries(times, lambda t: t.counter),
        "by_officer": group_summaries(times, lambda t: t.officer),
        "votes": vote_store.day_summary(hub.db, site.id, day),  # satisfaction (issue #3)
    })


PUBLIC_OVERALL = ("issued", "served", "waiting_now", "wait_avg_s", "wait_within_target")


@describe("Today's overall queue figures, as the lobby board shows them", public=True)
async def kpis_public(request: web.Request) -> web.Response:
    """Public: today's overall queue figures as the lobby's progress board shows them, nobody's own."""
    hub = hub_of(request)
    site = site_of(request)
    overall = summarize(ticket_store.day_times(hub.db, site.id, local_day(hub.clock(), site.tz)))
    return web.json_response({"site": site.id, "overall": {k: overall.get(k) for k in PUBLIC_OVERALL}})


@describe("A ticket's number, status and counter (the printed QR)", public=True)
async def ticket(request: web.Request) -> web.Response:
    """Public ticket tracking (the QR on a printed ticket): number, status, counter. No personal data."""
    hub = hub_of(request)
    site = site_of(request)
    try:
        t = ticket_store.get(hub.db, int(request.match_info["ticket_id"]), site.id)
    except ValueError:
        raise web.HTTPNotFound(text="no such ticket") from None
    except DomainError as exc:
        return error_response(exc)
    return web.json_response({"number": t.number, "service": t.service, "status": t.status, "day": t.day,
                              "counter": t.counter})


@describe("The public status page", public=True, returns="text/html")
async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


def make_app(hub: Hub) -> web.Application:
    app = web.Application(client_max_size=64 * 1024, middlewares=[one_error_shape, retry_when_busy])
    app[HUB_KEY] = hub
    app.router.add_get("/", index)
    app.router.add_get("/api/v1/health", health)
    app.router.add_get("/api/v1/health/detail", health_detail)
    app.router.add_get("/api/v1/sites", sites)
    app.router.add_get("/api/v1/sites/{site}/state", site_state)
    app.router.add_get("/api/v1/sites/{site}/kpis", kpis)
    app.router.add_get("/api/v1/sites/{site}/kpis/public", kpis_public)
    app.router.add_get("/api/v1/sites/{site}/tickets/{ticket_id}", ticket)
    app.router.add_static("/static", STATIC)
    for module in (dossiers, ticket_page, signin, audit, dashboard, admin, metrics, openapi, post,
                   catalog_admin, booking, enrol, fleet, province, province_down, security, reports, lobby_media):
        module.add_routes(app)
    return app
