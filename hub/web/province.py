"""The province's HTTP side (docs/province.md): a centre hub joins with its one-time code (public like
device enrolment: a new centre has nothing else; bound to a single-use, expiring code, throttled per
address); the province leader's overview of every centre and the drill-down into one (role
`province_leader`, which spans every site, or an administrator)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from aiohttp import web

from hub.domain import sync as rules
from hub.ops import sync as sync_ops
from hub.web.auth import requires
from hub.web.common import error_response, hub_of, json_body
from hub.web.enrol import broker_for
from hub.web.schema import F, describe
from motcua_core.errors import DomainError

STATIC = Path(__file__).resolve().parent / "static"


@describe("A centre hub joins the province with its one-time code (motcua hub province join)", public=True)
async def join(request: web.Request) -> web.Response:
    hub = hub_of(request)
    try:
        body = await json_body(request)
        code, sites = body.get("code"), body.get("sites")
        if not isinstance(code, str) or len(code) > 64 or not isinstance(sites, list) or len(sites) > 50:
            raise DomainError("bad_request", "body needs 'code' and 'sites'", "Thiếu mã tham gia hoặc mã đơn vị.")
        joined = hub.runner.run(None, lambda ctx: sync_ops.join(ctx, code, sites, request.remote or "?",
                                                                body.get("agency_codes")))
    except DomainError as exc:
        return error_response(exc)
    await hub.sync_registry()  # the broker knows the centre's account before it connects
    return web.json_response({**joined, **broker_for(request)})


@describe("The province's overview: every centre's waiting, longest wait, counters serving, served today, "
          "on-time and satisfaction, and its sync link")
@requires("province_leader", on="hub")
async def overview(request: web.Request) -> web.Response:
    hub = hub_of(request)
    return web.json_response(hub.runner.view(None, sync_ops.overview))


@describe("One centre of the province: its overview line, today's tickets, recent dossiers and votes")
@requires("province_leader")
async def centre(request: web.Request) -> web.Response:
    hub = hub_of(request)
    site = request.match_info["site"]
    try:
        return web.json_response(hub.runner.view(None, lambda ctx: sync_ops.centre_detail(ctx, site)))
    except DomainError as exc:
        return error_response(exc)


@describe("The province's report over every centre for a period (JSON, or CSV with fmt=csv)",
          query={"from": F("string", True, "first day, YYYY-MM-DD"), "to": F("string", True, "last day, YYYY-MM-DD"),
                 "fmt": F("string", False, "json (default) or csv")})
@requires("province_leader", on="hub")
async def report(request: web.Request) -> web.Response:
    hub = hub_of(request)
    q = request.query
    try:
        rep = hub.runner.view(None, lambda ctx: sync_ops.report(ctx, q.get("from", ""), q.get("to", "")))
    except DomainError as exc:
        return error_response(exc)
    if q.get("fmt") != "csv":
        return web.json_response(rep)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["Mã đơn vị", "Trung tâm", "Số vé", "Đã phục vụ", "Vắng mặt", "Lượt đánh giá", "Hài lòng (%)",
                "Hồ sơ tiếp nhận", "Đúng hạn", "Trễ hạn", "Đang giải quyết"])
    for r in rep["rows"]:
        w.writerow([r[k] if r[k] is not None else "" for k in rules.REPORT_COLUMNS])
    return web.Response(body=("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f"attachment; filename=bao-cao-tinh-{rep['from']}-{rep['to']}.csv"})


@describe("A citizen's dossier lookup at the province, by code and key, whichever centre received it",
          public=True, query={"key": F("string", True, "the receipt's lookup key, or the CCCD's last 4 digits")})
async def lookup(request: web.Request) -> web.Response:
    hub = hub_of(request)
    code, key = request.match_info["code"][:40], request.query.get("key", "")[:40]
    try:
        return web.json_response(hub.runner.view(None, lambda ctx: sync_ops.public_lookup(
            ctx, code, key, request.remote or "?")))
    except DomainError as exc:
        return error_response(exc)


@describe("The province's public dossier lookup page (its data comes from the lookup API)", public=True,
          returns="text/html")
async def lookup_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "tra-cuu.html")


@describe("The province console page (its data comes from the API)", public=True, returns="text/html")
async def page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "province.html")


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/province/join", join)
    app.router.add_get("/api/v1/province/overview", overview)
    app.router.add_get("/api/v1/province/centres/{site}", centre)
    app.router.add_get("/api/v1/province/report", report)
    app.router.add_get("/api/v1/province/dossiers/{code}", lookup)
    app.router.add_get("/tra-cuu", lookup_page)
    app.router.add_get("/console/province", page)
