"""The province's publications over HTTP (docs/province.md, "Down"): an administrator of the province
(province scope) publishes the calendar and the forms once for every centre, sets what the province
manages of a centre's site and sends a centre a command; a centre fetches an announced release's file
with its own sync credentials."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from aiohttp import web

from hub.ops import releases
from hub.ops import sync_down as ops
from hub.ops.context import Ctx
from hub.store import sync as sync_store
from hub.web.auth import authenticate, requires
from hub.web.common import error_response, hub_of, json_body
from hub.web.schema import F, describe, validate
from hub.web.signin import actor_of
from motcua_core.errors import DomainError

CALENDAR = {"days_off": F("array", False, "days off the province announces for all (YYYY-MM-DD)"),
            "working_days": F("array", False, "make-up working days (YYYY-MM-DD)"),
            "note": F("string", False, "what the change is (the decision announcing it)", 300)}
FORMS = {"version": F("string", False, "the province's name for this wording", 40),
         "form_texts": F("object", True, "wording over the shipped templates, form by form")}
SITE_CONFIG = {"settings": F("object", False, "the unit's identifiers and names on the forms"),
               "notice": F("string", False, "the text of the lobby's first notice", 300),
               "notices": F("array", False, "lobby notices set by id: {id, text, active_from, active_until, retired}"),
               "ticket_hours": F("object", False, "when the kiosks give tickets (null: at any time)")}
COMMAND = {"command": F("string", True, "backup, resync or resend", 10)}


async def _run(request: web.Request, op, schema: dict) -> web.Response:  # noqa: ANN001
    hub = hub_of(request)
    p = authenticate(request)
    assert p is not None  # @requires ran first
    try:
        body = validate(schema, await json_body(request))
        out = hub.runner.run(None, lambda ctx: op(ctx, body), actor=actor_of(p))
    except DomainError as exc:
        return error_response(exc)
    return web.json_response(out)


@describe("Publish the province's calendar (days off, make-up days) to every centre", body=CALENDAR)
@requires("admin", on="hub")
async def calendar(request: web.Request) -> web.Response:
    return await _run(request, ops.publish_calendar, CALENDAR)


@describe("Publish the province's wording of the forms to every centre", body=FORMS)
@requires("admin", on="hub")
async def forms(request: web.Request) -> web.Response:
    return await _run(request, ops.publish_forms, FORMS)


@describe("Set what the province manages of a centre's site (sent to that centre)", body=SITE_CONFIG)
@requires("admin", on="hub")
async def site_config(request: web.Request) -> web.Response:
    site = request.match_info["site"]
    return await _run(request, lambda ctx, body: ops.publish_site_config(ctx, site, body), SITE_CONFIG)


@describe("Ask the centre holding a site to take a backup, send everything up again, or receive everything "
          "the province publishes again", body=COMMAND)
@requires("admin", on="hub")
async def command(request: web.Request) -> web.Response:
    site = request.match_info["site"]
    return await _run(request, lambda ctx, body: ops.send_command(ctx, site, str(body.get("command") or "")),
                      COMMAND)


@describe("What the province has published (calendar, forms, the latest publications)")
@requires("admin", "province_leader", on="hub")
async def published(request: web.Request) -> web.Response:
    return web.json_response(hub_of(request).runner.view(None, ops.published))


@describe("A release's file, for a centre of the province (HTTP Basic with the centre's sync account)",
          public=True, returns="application/octet-stream", errors=(401,))
async def release_file(request: web.Request) -> web.StreamResponse:
    hub = hub_of(request)
    name = request.match_info["release"]
    if _centre_of(hub.db, request.headers.get("Authorization", "")) is None:
        return error_response(DomainError("unauthorized", "a centre's sync account is needed",
                                          "Cần tài khoản đồng bộ của trung tâm."))
    path = releases.releases_dir(hub.config.data_dir) / name
    if "/" in name or releases.parse_name(name) is None or not path.is_file():
        return error_response(DomainError("not_found", "no such release", "Không có bản phát hành này."))
    return web.FileResponse(path)


def _centre_of(db, header: str) -> str | None:  # noqa: ANN001
    """The centre whose broker account HTTP Basic names, checked against the hash the province keeps."""
    from hub.broker.passwd import verify_secret
    from hub.domain import sync as rules

    if not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    for c in sync_store.list_centres(db):
        if rules.broker_username(c["id"]) == user and c["broker_hash"]:
            return c["id"] if verify_secret(password, c["broker_hash"]) else None
    return None


@describe("A centre whose disk died trades its one-time code for a new epoch and the sites it had "
          "(motcua hub province rebuild)", public=True)
async def rebuild(request: web.Request) -> web.Response:
    from hub.ops import sync_rebuild
    from hub.web.enrol import broker_for

    hub = hub_of(request)
    try:
        body = await json_body(request)
        code = body.get("code")
        if not isinstance(code, str) or len(code) > 64:
            raise DomainError("bad_request", "body needs 'code'", "Thiếu mã tham gia.")
        joined = hub.runner.run(None, lambda ctx: sync_rebuild.rebuild_join(ctx, code, request.remote or "?"))
    except DomainError as exc:
        return error_response(exc)
    await hub.sync_registry()  # the broker knows the centre's new account before it connects
    return web.json_response({**joined, **broker_for(request)})


def _no_centre() -> web.Response:
    return error_response(DomainError("unauthorized", "a centre's sync account is needed",
                                      "Cần tài khoản đồng bộ của trung tâm."))


def _for_centre(request: web.Request, read: Callable[[Ctx, str], dict]) -> web.Response:
    """What `read(ctx, centre)` answers for the centre whose sync account signs the request (HTTP Basic),
    read through the runner: the rebuild routes' one way in."""
    hub = hub_of(request)
    centre = _centre_of(hub.db, request.headers.get("Authorization", ""))
    if centre is None:
        return _no_centre()
    try:
        return web.json_response(hub.runner.view(None, lambda ctx: read(ctx, centre)))
    except DomainError as exc:
        return error_response(exc)


@describe("A page of a centre's rows as the province holds them, for that centre rebuilding itself (HTTP "
          "Basic with the centre's sync account)", public=True,
          query={"site": F("string", True, "one of the centre's sites"),
                 "after_kind": F("string", False, "the last row's kind of the previous page"),
                 "after_key": F("string", False, "the last row's key of the previous page")}, errors=(401,))
async def rebuild_rows(request: web.Request) -> web.Response:
    from hub.ops import sync_rebuild

    q = request.query
    return _for_centre(request, lambda ctx, centre: sync_rebuild.copied_page(
        ctx, centre, q.get("site", ""), q.get("after_kind", ""), q.get("after_key", "")))


@describe("A page of a centre's dossier files as the province holds them (their descriptions; with `file`, "
          "one piece of that file's bytes), for that centre rebuilding itself (HTTP Basic with the centre's sync "
          "account)", public=True,
          query={"site": F("string", True, "one of the centre's sites"),
                 "after": F("integer", False, "the last file id of the previous page"),
                 "file": F("integer", False, "a file's id: one piece of its bytes"),
                 "n": F("integer", False, "which piece of the file (from 0)")}, errors=(401,))
async def rebuild_files(request: web.Request) -> web.Response:
    from hub.ops import sync_rebuild

    q = request.query

    def read(ctx: Ctx, centre: str) -> dict:
        try:
            after, file_id, n = int(q.get("after") or 0), q.get("file"), int(q.get("n") or 0)
            file_id = None if file_id in (None, "") else int(file_id)
        except ValueError:
            raise DomainError("bad_request", "after, file and n are numbers", "Tham số phải là số.") from None
        site = q.get("site", "")
        if file_id is None:
            return sync_rebuild.copied_files(ctx, centre, site, after)
        return sync_rebuild.file_piece(ctx, centre, site, file_id, n)

    return _for_centre(request, read)


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/province/calendar", calendar)
    app.router.add_post("/api/v1/province/forms", forms)
    app.router.add_get("/api/v1/province/published", published)
    app.router.add_post("/api/v1/province/centres/{site}/config", site_config)
    app.router.add_post("/api/v1/province/centres/{site}/commands", command)
    app.router.add_get("/api/v1/province/releases/{release}", release_file)
    app.router.add_post("/api/v1/province/rebuild", rebuild)
    app.router.add_get("/api/v1/province/rebuild/rows", rebuild_rows)
    app.router.add_get("/api/v1/province/rebuild/files", rebuild_files)
