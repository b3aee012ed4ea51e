"""Public device-facing HTTP routes of issue #14: enrolment by code, the release the hub serves, and a
device asking about itself (the updater waiting for its new version to come online).

Enrolment is public (a new board has nothing else) but bound to a single-use, expiring code and
throttled per address; `/api/v1/device/self` takes the device's own credentials
(`Authorization: Bearer <device_id>:<secret>`)."""

from __future__ import annotations

from aiohttp import web

from hub.broker.passwd import verify_secret
from hub.ops import enrolment as enrol_ops
from hub.ops import releases
from hub.store import devices as device_store
from hub.web.auth import bearer, declares
from hub.web.common import error_response, hub_of, json_body
from motcua_core.errors import DomainError


def _addr(request: web.Request) -> str:
    return request.remote or "?"


def broker_for(request: web.Request) -> dict:
    """Where the device should connect. A device on the hub's own machine uses the plain loopback
    listener; any other uses the TLS listener with the hub's CA (hub.broker.tls), unless the site runs a
    plain LAN listener (`hub serve --mqtt-plain-lan`)."""
    from hub.broker import tls as broker_tls

    hub = hub_of(request)
    cfg = hub.config
    host = request.url.host or "127.0.0.1"
    local = host in ("127.0.0.1", "localhost", "::1")
    ca = broker_tls.ca_pem(cfg.broker_dir) if cfg.mqtt_tls_port else None
    if local or cfg.mqtt_plain_lan or ca is None:
        bind = cfg.mqtt_bind
        plain_host = host if bind in ("0.0.0.0", "::", "", "127.0.0.1", "localhost") else bind
        return {"broker_host": plain_host, "broker_port": cfg.mqtt_port}
    return {"broker_host": host, "broker_port": cfg.mqtt_tls_port, "tls": True, "ca_cert": ca}


async def enrol(request: web.Request) -> web.Response:
    hub = hub_of(request)
    try:
        body = await json_body(request)
        code = body.get("code")
        if not isinstance(code, str) or len(code) > 64:
            raise DomainError("bad_request", "body needs 'code'", "Thiếu mã đăng ký.")
        ident = hub.runner.run(None, lambda ctx: enrol_ops.enrol(ctx, code, _addr(request)))
    except DomainError as exc:
        return error_response(exc)
    await hub.sync_registry()  # the broker knows the new secret before the device tries it
    return web.json_response({**ident, **broker_for(request)})


async def release(request: web.Request) -> web.Response:
    rel = releases.current(hub_of(request).config.data_dir, request.query.get("package"))
    if rel is None:
        return error_response(DomainError("not_found", "the hub serves no release", "Máy chủ chưa có bản cập nhật."))
    return web.json_response(rel.as_dict())


async def release_file(request: web.Request) -> web.StreamResponse:
    folder = releases.releases_dir(hub_of(request).config.data_dir)
    name = request.match_info["file"]
    path = folder / name
    if "/" in name or name.startswith(".") or releases.parse_name(name) is None or not path.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(path)


@declares("device")  # the calling device's own record, by its own credential
async def device_self(request: web.Request) -> web.Response:
    """What the hub knows of the calling device: presence and version (no other device's data)."""
    device_id, _, secret = bearer(request).partition(":")
    dev = device_store.get(hub_of(request).db, device_id) if device_id else None
    if dev is None or dev.revoked or not secret or not verify_secret(secret, dev.secret_hash):
        return error_response(DomainError("unauthorized", "device credentials required", "Cần đăng nhập."))
    return web.json_response({"device_id": dev.id, "status": dev.status, "version": dev.version,
                              "last_seen": dev.last_seen})


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/enrol", enrol)
    app.router.add_get("/api/v1/release", release)
    app.router.add_get("/api/v1/release/{file}", release_file)
    app.router.add_get("/api/v1/device/self", device_self)
