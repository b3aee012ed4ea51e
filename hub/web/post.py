"""The post staff's tab of the console (seed 004: the post office receives and returns dossiers at the
unit's counter with an account of its own): results waiting to go out by post, with the address, and
"sent" with the parcel's tracking number — the same return operation a counter runs."""

from __future__ import annotations

import json

from aiohttp import web

from hub.ops import dossiers as dossier_ops
from hub.store import dashboard as store
from hub.store import dossiers as dossier_store
from hub.web.auth import authenticate, requires
from hub.web.common import error_response, hub_of, json_body, site_of
from hub.web.schema import F, Schema, describe, validate
from hub.web.signin import actor_of
from motcua_core.errors import DomainError

SENT: Schema = {"tracking": F("string", True, "the parcel's tracking number (EE123456789VN)", 20),
                "fees_paid": F("boolean", True, "fees and charges were collected")}


@describe("Results to send back by post, with the address")
@requires("post")
async def post_list(request: web.Request) -> web.Response:
    hub = hub_of(request)
    site = site_of(request)
    cal = dossier_ops.calendar_for(hub.db, site.id)
    out = []
    for code, proc, applicant, ready_at in store.post_returns(hub.db, site.id):
        a = json.loads(applicant)
        out.append({"code": code, "procedure": proc, "name": a.get("name", ""), "phone": a.get("phone", ""),
                    "post_address": a.get("post_address", ""), "ready_at": dossier_ops.iso(ready_at, cal)})
    return web.json_response({"dossiers": out})


@describe("A result handed to the post: its tracking number", body=SENT)
@requires("post")
async def post_sent(request: web.Request) -> web.Response:
    hub = hub_of(request)
    site = site_of(request)
    p = authenticate(request)
    assert p is not None
    code = request.match_info["code"].upper()
    try:
        body = validate(SENT, await json_body(request))
        row = dossier_store.get(hub.db, code)
        if row is None or row["site_id"] != site.id or row["return_method"] != "post":
            raise DomainError("not_found", "no such postal return", "Không có hồ sơ trả qua bưu chính này.")
        out = hub.runner.run(site, lambda ctx: dossier_ops.return_dossier(
            ctx, code, fees_paid=bool(body["fees_paid"]), signed=False, by=f"{p.name} (bưu điện)",
            tracking=str(body["tracking"])), actor=actor_of(p))
    except DomainError as exc:
        return error_response(exc)
    return web.json_response({"code": code, "status": out.get("status"), "postal_tracking": out.get("postal_tracking")})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/sites/{site}/post/dossiers", post_list)
    app.router.add_post("/api/v1/sites/{site}/post/dossiers/{code}/sent", post_sent)
