"""HTTP API (/api/v1) and a small live status page. Public endpoints carry no personal data."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from hub.domain.kpi import group_summaries, summarize
from hub.domain.queue import local_day
from hub.store import sites as site_store
from hub.store import tickets as ticket_store
from hub.store import votes as vote_store
from hub.web import booking, dossiers, enrol, fleet, ticket_page
from hub.web.common import HUB_KEY, bad_request, error_response, hub_of, site_of
from motcua_core.errors import DomainError

if TYPE_CHECKING:
    from hub.app import Hub

STATIC = Path(__file__).parent / "static"


async def health(request: web.Request) -> web.Response:
    h = hub_of(request).health()
    return web.json_response(h, status=200 if h["status"] == "ok" else 503)


async def sites(request: web.Request) -> web.Response:
    db = hub_of(request).db
    out = []
    for sid in site_store.list_sites(db):
        s = site_store.get_site(db, sid)
        out.append({"id": s.id, "name": s.name, "name_en": s.name_en, "timezone": s.tz.key})
    return web.json_response({"sites": out})


async def site_state(request: web.Request) -> web.Response:
    """The state the lobby screens were last sent (built once per change, not once per request)."""
    hub = hub_of(request)
    site = site_of(request)
    return web.Response(body=hub.router.state_body(site.id), content_type="application/json")


async def kpis(request: web.Request) -> web.Response:
    """Waiting and service times for one day, overall and per service, counter and officer."""
    hub = hub_of(request)
    site = site_of(request)
    day = request.query.get("day") or local_day(hub.clock(), site.tz)
    try:
        datetime.strptime(day, "%Y-%m-%d")
    except ValueError:
        return bad_request("day must be YYYY-MM-DD", "Ngày phải có dạng YYYY-MM-DD.")
    times = ticket_store.day_times(hub.db, site.id, day)
    return web.json_response({
        "site": site.id, "day": day, "overall": summarize(times),
        "by_service": group_summaries(times, lambda t: t.service),
        "by_counter": group_summaries(times, lambda t: t.counter),
        "by_officer": group_summaries(times, lambda t: t.officer),
        "votes": vote_store.day_summary(hub.db, site.id, day),  # satisfaction (issue #3)
    })


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


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


def make_app(hub: Hub) -> web.Application:
    app = web.Application(client_max_size=64 * 1024)
    app[HUB_KEY] = hub
    app.router.add_get("/", index)
    app.router.add_get("/api/v1/health", health)
    app.router.add_get("/api/v1/sites", sites)
    app.router.add_get("/api/v1/sites/{site}/state", site_state)
    app.router.add_get("/api/v1/sites/{site}/kpis", kpis)
    app.router.add_get("/api/v1/sites/{site}/tickets/{ticket_id}", ticket)
    app.router.add_static("/static", STATIC)
    for module in (dossiers, ticket_page, booking, enrol, fleet):
        module.add_routes(app)
    return app
