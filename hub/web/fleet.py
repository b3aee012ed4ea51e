"""The technician's fleet routes (issue #14): the fleet view and its alerts, adding a device for
enrolment (code and QR), replacing a device, self-tests, hardware maps and rollouts (the fleet's gauges are
in /metrics, hub/web/metrics.py).

Every JSON route needs the `technician` role (administrators hold every role) and is limited to the
principal's site. The page `/console/fleet` is a shell of the console: it signs in as the console does
(the session cookie, its CSRF token on every change; an API token still works for scripts) and shows
times in the site's time zone."""

from __future__ import annotations

import base64
import io
from pathlib import Path

from aiohttp import web

from hub.ops import enrolment as enrol_ops
from hub.ops import fleet
from hub.web.auth import PRINCIPAL_KEY, Principal, require, requires
from hub.web.common import error_response, hub_of, json_body
from motcua_core.enrol_code import pretty
from motcua_core.errors import DomainError

STATIC = Path(__file__).parent / "static"
CODE_VALID_S = enrol_ops.CODE_VALID_S


def _view(request: web.Request) -> dict:
    hub = hub_of(request)
    p: Principal = request[PRINCIPAL_KEY]  # type: ignore[assignment]
    return fleet.fleet_view(hub.db, hub.config.data_dir, hub.clock(), p.site)


def _device_site(request: web.Request) -> str:
    """The device the path names (`@requires` found it in the technician's scope: else 404)."""
    return request.match_info["device"]


def _code_answer(request: web.Request, device_id: str, code: str) -> dict:
    """The code, and a QR a new device's camera or scanner reads: the code and where the hub is."""
    from motcua_core.documents.codes import qr_image

    buf = io.BytesIO()
    qr_image(f"motcua-enrol:{pretty(code)}?hub={request.scheme}://{request.host}", box=6).save(buf, "PNG")
    return {"device_id": device_id, "code": pretty(code), "valid_s": CODE_VALID_S,
            "qr_png": "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()}


async def page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "fleet.html")


@requires("technician", on="own")
async def get_fleet(request: web.Request) -> web.Response:
    """The fleet of the principal's site (every site of this hub for the province scope); on a provincial
    hub the province scope also gets each centre's devices from the centres' presence summaries."""
    view = _view(request)
    p: Principal = request[PRINCIPAL_KEY]  # type: ignore[assignment]
    if p.site is None:
        view["centres"] = fleet.centres_fleet(hub_of(request).db)
    return web.json_response(view)


@requires("technician", on="own")
async def add_device(request: web.Request) -> web.Response:
    hub = hub_of(request)
    try:
        body = await json_body(request)
        site = body.get("site") or request[PRINCIPAL_KEY].site
        if not isinstance(site, str):  # a province technician names the site
            raise DomainError("bad_request", "site required", "Chọn đơn vị của thiết bị.")
        require(request, "technician", site=site)
        dev, code = hub.runner.run(None, lambda ctx: enrol_ops.add_pending(
            ctx, site_id=str(site), role=str(body.get("role")), counter=body.get("counter"),
            device_id=body.get("id") or None, name=str(body.get("name") or "")))
    except DomainError as exc:
        return error_response(exc)
    return web.json_response(_code_answer(request, dev.id, code), status=201)


@requires("technician")
async def replace(request: web.Request) -> web.Response:
    device_id = _device_site(request)
    try:
        code = hub_of(request).runner.run(None, lambda ctx: enrol_ops.replace(ctx, device_id))
    except DomainError as exc:
        return error_response(exc)
    await hub_of(request).sync_registry()  # the old board is dropped now, not at the next poll
    return web.json_response(_code_answer(request, device_id, code))


@requires("technician")
async def selftest(request: web.Request) -> web.Response:
    device_id = _device_site(request)
    try:
        hub_of(request).runner.run(None, lambda ctx: fleet.request_selftest(ctx, device_id))
    except DomainError as exc:
        return error_response(exc)
    return web.json_response({"requested": device_id}, status=202)


@requires("technician")
async def update(request: web.Request) -> web.Response:
    device_id = _device_site(request)
    hub = hub_of(request)
    try:
        out = hub.runner.run(None, lambda ctx: fleet.rollout(ctx, hub.config.data_dir, [device_id]))
    except DomainError as exc:
        return error_response(exc)
    return web.json_response(out, status=202)


@requires("technician")
async def hardware(request: web.Request) -> web.Response:
    device_id = _device_site(request)
    hub = hub_of(request)
    try:
        body = await json_body(request)
        out = hub.runner.run(None, lambda ctx: fleet.set_hardware(ctx, device_id, body))
    except DomainError as exc:
        return error_response(exc)
    await hub.sync_registry()  # pushed (retained) now
    return web.json_response(out)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/console/fleet", page)
    app.router.add_get("/api/v1/fleet", get_fleet)
    app.router.add_post("/api/v1/fleet/devices", add_device)
    app.router.add_post("/api/v1/fleet/devices/{device}/replace", replace)
    app.router.add_post("/api/v1/fleet/devices/{device}/selftest", selftest)
    app.router.add_post("/api/v1/fleet/devices/{device}/update", update)
    app.router.add_put("/api/v1/fleet/devices/{device}/hardware", hardware)
