"""The province's HTTP side (docs/province.md): a centre hub joins with its one-time code. Public like
device enrolment (a new centre has nothing else), bound to a single-use, expiring code and throttled per
address."""

from __future__ import annotations

from aiohttp import web

from hub.ops import sync as sync_ops
from hub.web.common import error_response, hub_of, json_body
from hub.web.enrol import broker_for
from motcua_core.errors import DomainError


async def join(request: web.Request) -> web.Response:
    hub = hub_of(request)
    try:
        body = await json_body(request)
        code, sites = body.get("code"), body.get("sites")
        if not isinstance(code, str) or len(code) > 64 or not isinstance(sites, list) or len(sites) > 50:
            raise DomainError("bad_request", "body needs 'code' and 'sites'", "Thiếu mã tham gia hoặc mã đơn vị.")
        joined = hub.runner.run(None, lambda ctx: sync_ops.join(ctx, code, sites, request.remote or "?"))
    except DomainError as exc:
        return error_response(exc)
    await hub.sync_registry()  # the broker knows the centre's account before it connects
    return web.json_response({**joined, **broker_for(request)})


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/province/join", join)
