"""The lobby's notices and image slides over HTTP: the console's card (a site's administrators) and the
slides' bytes for the site's displays (each with its own device credential)."""

from __future__ import annotations

import asyncio
import re

from aiohttp import web

from hub.broker.passwd import verify_secret
from hub.domain import lobby_media as rules
from hub.ops import lobby_media as ops
from hub.store import devices as device_store
from hub.store import lobby_media as store
from hub.web.admin import _run
from hub.web.auth import authenticate, bearer, declares, requires
from hub.web.common import error_response, hub_of, site_of
from hub.web.schema import F, Schema, describe
from hub.web.signin import actor_of
from motcua_core.errors import DomainError

NOTICE: Schema = {"id": F("integer", False, "the notice to change (none: a new one at the end)"),
                  "text": F("string", True, "what the lobby shows, paged by sentence", rules.NOTICE_MAX),
                  "active_from": F("string", False, "first day shown, YYYY-MM-DD or dd/mm/yyyy (empty: now)", 10),
                  "active_until": F("string", False, "last day shown (empty: until retired)", 10)}
MOVE: Schema = {"id": F("integer", True, "the notice"), "step": F("integer", True, "-1: one place up; 1: one down")}
RETIRE: Schema = {"id": F("integer", True, "the notice or image"),
                  "retired": F("boolean", False, "true (default): off the lobby, kept in the list; false: back")}
UPLOAD_QUERY: Schema = {"caption": F("string", False, "the caption shown under the image", rules.CAPTION_MAX)}
SHA_RE = re.compile(r"^[0-9a-f]{64}$")


@describe("The lobby's notices and image slides, retired ones too, with the limits the console states")
@requires("admin")
async def listing(request: web.Request) -> web.Response:
    return web.json_response(ops.listing(hub_of(request).db, site_of(request).id))


@describe("Add a lobby notice at the end of the list, or change one", body=NOTICE)
@requires("admin")
async def save_notice(request: web.Request) -> web.Response:
    return await _run(request, ops.save_notice, NOTICE)


@describe("Move a lobby notice one place up or down", body=MOVE)
@requires("admin")
async def move_notice(request: web.Request) -> web.Response:
    return await _run(request, ops.move_notice, MOVE)


@describe("Take a lobby notice off the screens (kept in the list), or bring it back", body=RETIRE)
@requires("admin")
async def retire_notice(request: web.Request) -> web.Response:
    return await _run(request, ops.retire_notice, RETIRE)


@describe("Take an image slide off the screens (kept in the list), or bring it back", body=RETIRE)
@requires("admin")
async def retire_image(request: web.Request) -> web.Response:
    return await _run(request, ops.retire_image, RETIRE)


async def _upload(request: web.Request) -> bytes:
    """The request's body, the file itself, read up to the limit (the app's 64 KiB JSON limit does not
    apply to the raw stream); a larger one is refused before or while it arrives."""
    if (request.content_length or 0) > rules.IMAGE_MAX_BYTES:
        raise DomainError("payload_too_large", "image larger than 2 MB", rules.TOO_BIG_VI)
    chunks, size = [], 0
    while chunk := await request.content.read(64 * 1024):  # up to that much at a time, until the end
        size += len(chunk)
        if size > rules.IMAGE_MAX_BYTES:
            raise DomainError("payload_too_large", "image larger than 2 MB", rules.TOO_BIG_VI)
        chunks.append(chunk)
    return b"".join(chunks)


UPLOADED: web.RequestKey[bytes] = web.RequestKey("lobby_upload", bytes)


@describe("Upload an image slide: the body is the PNG or JPEG file itself (at most 2 MB); it is decoded "
          "before anything is kept", query=UPLOAD_QUERY, errors=(413,))
@requires("admin")
async def upload_image(request: web.Request) -> web.Response:
    hub = hub_of(request)
    site = site_of(request)
    p = authenticate(request)
    assert p is not None  # @requires ran first
    try:
        if UPLOADED not in request:  # read once: a run again after a busy database finds it here
            request[UPLOADED] = await _upload(request)
        raw = request[UPLOADED]
        caption = rules.check_caption(request.query.get("caption", ""))
        pic = await asyncio.get_running_loop().run_in_executor(None, rules.check_image, raw)
        out = hub.runner.run(site, lambda ctx: ops.add_image(ctx, pic, caption), actor=actor_of(p), subject=p.subject)
    except DomainError as exc:
        return error_response(exc)
    return web.json_response(out)


def _image_response(found: tuple[str, bytes] | None) -> web.Response:
    if found is None:
        return error_response(DomainError("not_found", "no such image", "Không có ảnh này."))
    mime, data = found
    return web.Response(body=data, content_type=mime, headers={"Cache-Control": "private, max-age=86400",
                                                                "X-Content-Type-Options": "nosniff"})


@describe("One of the site's image slides, for the console's preview", returns="image/png")
@requires("admin")
async def image(request: web.Request) -> web.Response:
    try:
        image_id = int(request.match_info["image_id"])
    except ValueError:
        return error_response(DomainError("not_found", "no such image", "Không có ảnh này."))
    return _image_response(store.image_bytes(hub_of(request).db, site_of(request).id, image_id=image_id))


@declares("device")  # a display of the image's own site, by its own credential
async def device_image(request: web.Request) -> web.Response:
    """An image slide by its SHA-256 (as the display state names it), for a display of that site only:
    `Authorization: Bearer <device_id>:<secret>`. Another site's display, a revoked one, or no credential
    gets the same 401 or 404 as a checksum that names nothing."""
    device_id, _, secret = bearer(request).partition(":")
    db = hub_of(request).db
    dev = device_store.get(db, device_id) if device_id else None
    if dev is None or dev.revoked or dev.role != "display" or not secret or not verify_secret(secret, dev.secret_hash):
        return error_response(DomainError("unauthorized", "a display's credentials required", "Cần đăng nhập."))
    sha = request.match_info["sha256"]
    return _image_response(store.image_bytes(db, dev.site_id, sha256=sha) if SHA_RE.match(sha) else None)


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/api/v1/sites/{site}/lobby", listing)
    r.add_post("/api/v1/sites/{site}/lobby/notices", save_notice)
    r.add_post("/api/v1/sites/{site}/lobby/notices/move", move_notice)
    r.add_post("/api/v1/sites/{site}/lobby/notices/retire", retire_notice)
    r.add_post("/api/v1/sites/{site}/lobby/images", upload_image)
    r.add_post("/api/v1/sites/{site}/lobby/images/retire", retire_image)
    r.add_get("/api/v1/sites/{site}/lobby/images/{image_id}", image)
    r.add_get("/api/v1/device/lobby-images/{sha256}", device_image)
