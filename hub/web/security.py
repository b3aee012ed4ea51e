"""The office's security alerts over HTTP (issue #21): what the hub noticed under many addresses (a dossier
code locked for public look-up, a burst of online bookings; hub.ops.security) and an administrator's
release from the console — the same operation as `motcua hub security release`."""

from __future__ import annotations

from aiohttp import web

from hub.ops import security
from hub.web.auth import authenticate, requires
from hub.web.common import error_response, hub_of, json_body, site_of
from hub.web.schema import F, Schema, describe, validate
from hub.web.signin import actor_of
from motcua_core.errors import DomainError

RELEASE: Schema = {"keep_bookings": F("boolean", False, "a genuine burst: end the alert, keep its bookings")}


@describe("Security alerts in force: dossier codes locked for public look-up, bursts of online bookings")
@requires("leader")
async def alerts(request: web.Request) -> web.Response:
    hub = hub_of(request)
    site = site_of(request)
    return web.json_response({"alerts": security.alerts(hub.db, site.id, hub.clock())})


@describe("Release an alert: unlock the code, or cancel the burst's bookings (their seats free again)",
          body=RELEASE, roles=("admin",))
@requires("admin")
async def release(request: web.Request) -> web.Response:
    hub = hub_of(request)
    site = site_of(request)
    p = authenticate(request)
    assert p is not None  # @requires ran first
    try:
        body = validate(RELEASE, await json_body(request))
        try:
            alert_id = int(request.match_info["alert_id"])
        except ValueError:
            raise DomainError("not_found", "no such alert", "Không có cảnh báo này.") from None
        out = hub.runner.run(site, lambda ctx: security.release(ctx, alert_id, not body.get("keep_bookings")),
                             actor=actor_of(p))
    except DomainError as exc:
        return error_response(exc)
    return web.json_response(out)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/sites/{site}/security/alerts", alerts)
    app.router.add_post("/api/v1/sites/{site}/security/alerts/{alert_id}/release", release)
