"""OpenAPI 3 description of the whole HTTP API at /api/v1/openapi.json, and a readable page at /api/docs.

Generated from the running app's route table, so every route is in it: each handler's `@describe`
(hub.web.schema: the same schema that validates its body) and `@requires` roles give its summary, body,
success status and schema, and security; a route of a module that declares nothing is described by
UNDECLARED below. Every operation lists every status it answers: its success, and the refusals of its
kind (bad input, not found, busy; a body's conflict and size; credentials; rate limits and locks),
each in the one error shape. The document validates (tests/security/test_contract.py) and a bounded
schemathesis run against a live hub finds no undocumented answer."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

from aiohttp import web

from hub.web.schema import F, describe

STATIC = Path(__file__).parent / "static"
# Public routes of modules that declare no schema (dossier lookup, catalogue, ticket page).
UNDECLARED_PUBLIC = {
    ("GET", "/api/v1/dossiers/{code}"), ("GET", "/d/{code}"), ("POST", "/d/{code}/rate"), ("GET", "/d/{code}/ket-qua"),
    ("GET", "/d/{code}/giay-hen"), ("GET", "/api/v1/procedures"),
    ("GET", "/api/v1/procedures/{pid}"), ("GET", "/api/v1/catalog"), ("GET", "/api/v1/sites/{site}/board"),
    ("GET", "/t/{site}/{ticket_id}"), ("GET", "/agency"),
    # the phone ticket page's live status and its "text me when N are ahead" (one SMS per ticket, once)
    ("GET", "/t/{site}/{ticket_id}/events"), ("POST", "/t/{site}/{ticket_id}/nhan-tin"),
    # booking (hub/web/booking.py): citizens book without an account; a booking changes by its secret link
    ("GET", "/hen/{site}"), ("POST", "/hen/{site}"), ("GET", "/hen/q/{secret}"), ("POST", "/hen/q/{secret}/{action}"),
    ("GET", "/api/v1/sites/{site}/appointments/slots"), ("POST", "/api/v1/sites/{site}/appointments"),
    # enrolment and releases (hub/web/enrol.py, fleet.py): code-bound and throttled; the fleet page's shell
    ("POST", "/api/v1/enrol"), ("GET", "/api/v1/release"), ("GET", "/api/v1/release/{file}"),
    ("GET", "/console/fleet"),
}
_STR = {"type": "string"}
_OBJ = {"type": "object"}
FORM = "application/x-www-form-urlencoded"
BOOKING_FIELDS = {"service": _STR, "day": {"type": "string", "description": "YYYY-MM-DD"},
                  "slot_start": {"type": "integer", "description": "the slot's start, epoch seconds"},
                  "name": _STR, "phone": _STR, "email": _STR, "cccd": _STR, "procedure": _STR}
APPOINTMENT = {"type": "object", "required": ["appointment"], "properties": {"appointment": {
    "type": "object", "required": ["code", "code_display", "manage_path", "manage_secret"], "properties": {
        "code": _STR, "code_display": _STR, "service": _STR, "service_name": _STR, "day": _STR, "time": _STR,
        "status": _STR, "manage_path": {"type": "string", "description": "the cancel/move page, shown once"},
        "manage_secret": {"type": "string", "description": "the secret of that link (only its hash is kept)"}}}}}
# What routes of modules without `@describe` take and answer: query parameters, bodies, statuses.
UNDECLARED: dict[tuple[str, str], dict] = {
    ("GET", "/api/v1/dossiers/{code}"): {
        "query": {"k": {"required": True, "description": "the receipt's lookup key (or the applicant's CCCD "
                                                         "last 4 digits)", "schema": _STR}},
        "errors": (423, 429)},
    ("GET", "/d/{code}"): {"query": {"k": {"required": False, "schema": _STR}}, "returns": "text/html",
                           "errors": (423, 429)},
    ("GET", "/d/{code}/ket-qua"): {"query": {"k": {"required": False, "schema": _STR}},
                                   "returns": "application/pdf", "errors": (423, 429)},
    ("GET", "/d/{code}/giay-hen"): {"query": {"k": {"required": False, "schema": _STR}},
                                    "returns": "application/pdf", "errors": (423, 429)},
    ("POST", "/d/{code}/rate"): {"query": {"k": {"required": False, "schema": _STR}}, "returns": "text/html",
                                 "form": {"type": "object", "properties": {"overall": _STR, "comment": _STR}},
                                 "status": 303, "errors": (423, 429)},
    ("GET", "/api/v1/agency/dossiers/{code}/files/{file_id}"): {
        "query": {"copy": {"required": False, "description": "ocr: the scan's searchable copy (text layer made at "
                                                             "the hub, signed by the centre) instead of the scan",
                           "schema": {"type": "string", "enum": ["ocr"]}}},
        "returns": "application/pdf"},
    ("GET", "/api/v1/procedures"): {"query": {"q": {"required": False, "schema": {**_STR, "maxLength": 200}},
                                              "limit": {"required": False, "schema": _STR}}},
    ("GET", "/api/v1/catalog"): {"query": {"since": {"required": False, "schema": _STR}}},
    ("GET", "/api/v1/sites/{site}/appointments/slots"): {
        "query": {"service": {"required": False, "schema": _STR}, "day": {"required": False, "schema": _STR}}},
    ("POST", "/api/v1/sites/{site}/appointments"): {
        "body": {"type": "object", "properties": BOOKING_FIELDS}, "status": 201, "response": APPOINTMENT,
        "errors": (429,)},
    ("POST", "/hen/{site}"): {"form": {"type": "object", "properties": BOOKING_FIELDS}, "status": 303,
                              "returns": "text/html", "errors": (429,)},
    ("POST", "/hen/q/{secret}/{action}"): {"form": {"type": "object", "properties": {
        "day": _STR, "slot_start": _STR}}, "returns": "text/html", "errors": (429,)},
    ("GET", "/hen/{site}"): {"query": {k: {"required": False, "schema": _STR} for k in ("service", "day", "procedure")},
                             "returns": "text/html"},
    ("GET", "/hen/q/{secret}"): {"query": {"moi": {"required": False, "schema": _STR},
                                           "ngay": {"required": False, "schema": _STR}}, "returns": "text/html"},
    ("GET", "/t/{site}/{ticket_id}"): {"returns": "text/html"},
    ("GET", "/t/{site}/{ticket_id}/events"): {"returns": "text/event-stream", "errors": (404,)},
    ("POST", "/t/{site}/{ticket_id}/nhan-tin"): {"form": {"type": "object", "properties": {
        "phone": _STR, "ahead": {"type": "integer", "minimum": 1, "maximum": 10}}}, "status": 303,
        "returns": "text/html", "errors": (400, 404)},
    ("GET", "/agency"): {"status": 302}, ("GET", "/console"): {"status": 302},
    ("GET", "/console/fleet"): {"returns": "text/html"},
    ("POST", "/api/v1/enrol"): {"body": {"type": "object", "required": ["code"], "properties": {"code": _STR}},
                                "errors": (401, 409, 429)},
    ("GET", "/api/v1/release"): {"query": {"package": {"required": False, "schema": _STR}}},
    ("GET", "/api/v1/release/{file}"): {"returns": "application/octet-stream"},
    ("POST", "/login"): {"form": {"type": "object", "properties": {"username": _STR, "password": _STR}},
                         "errors": (401, 423), "also": (303,)},
}
SECURITY = {"bearer": {"type": "http", "scheme": "bearer",
                       "description": "API token (`motcua hub token add`) or an agency specialist's token"},
            "session": {"type": "apiKey", "in": "cookie", "name": "motcua_session",
                        "description": "console session from POST /login; unsafe methods also need the "
                                       "X-CSRF-Token header (from GET /api/v1/console/me)"}}
ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "message_vi": {"type": "string"}}}}}
REFUSALS = {400: "refused: bad input", 401: "no or unknown credential",
            403: "credential without the role or for another site (or a cross-site form)",
            404: "no such site, object or route", 409: "conflict with the current state",
            413: "body too large", 423: "locked after too many wrong attempts",
            429: "too many requests (Retry-After)", 503: "busy (another process holds the database) or degraded"}


def _content(kind: str, schema: dict | None = None) -> dict:
    if kind == "application/json":
        return {kind: {"schema": schema or _OBJ}}
    if kind == "text/event-stream":  # each event: its name and its data (a JSON text)
        return {kind: {"schema": {"type": "object", "properties": {"event": _STR, "data": _STR, "id": _STR}}}}
    return {kind: {"schema": {"type": "string", **({"format": "binary"} if "pdf" in kind or "octet" in kind else {})}}}


def _operation(method: str, path: str, handler: object) -> dict:
    """One operation: summary, parameters, body, security and every status it answers, each with its
    schema (success: the declared one or an object; refusals: the one error shape; the citizens' pages
    answer a page where a refusal happens on them)."""
    api = dict(getattr(handler, "api", None) or {})
    api.update(UNDECLARED.get((method, path), {}))
    roles = api.get("roles") or getattr(handler, "roles", None)
    public = bool(api.get("public")) or (method, path) in UNDECLARED_PUBLIC
    doc = (getattr(handler, "__doc__", None) or "").strip()
    returns = api.get("returns", "application/json")
    status = str(api.get("status", 200))
    op: dict = {"summary": api.get("summary") or (doc.splitlines()[0] if doc else path),
                "operationId": f"{method.lower()}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}"
                               + ("_index" if path.endswith("/") and path != "/" else "")}
    responses: dict = {}
    if status in ("302", "303"):
        responses[status] = {"description": "see the page it leads to", "headers": {"Location": {"schema": _STR}}}
    else:
        content = _content(returns, api.get("response"))
        if "{fmt}" in path:  # report.{pdf|csv}
            content = {**_content("application/pdf"), **_content("text/csv")}
        responses[status] = {"description": "OK", "content": content}
    for extra in api.get("also") or ():  # a plain form's success: a redirect
        responses[str(extra)] = {"description": "see the page it leads to", "headers": {"Location": {"schema": _STR}}}
    page = returns == "text/html" or (method == "GET" and not path.startswith("/api/"))
    refusals = {400, 404, 503} | set(api.get("errors") or ())
    if method in ("POST", "PUT"):
        refusals |= {409, 413}
    if not public:
        refusals |= {401, 403}
    if path == "/login" and method == "POST":
        refusals |= {403}
    for code in sorted(refusals):
        content = {"application/json": {"schema": ERROR}}
        if page:
            content["text/html"] = {"schema": _STR}
        responses[str(code)] = {"description": REFUSALS.get(code, "refused"), "content": content}
    op["responses"] = responses
    if doc:
        op["description"] = doc
    params = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
              for n in re.findall(r"\{(\w+)", path)]
    params += [{"name": n, "in": "query", "required": f.required, "description": f.description,
                "schema": f.openapi()} for n, f in (api.get("query") or {}).items() if isinstance(f, F)]
    params += [{"name": n, "in": "query", **d} for n, d in (api.get("query") or {}).items() if isinstance(d, dict)]
    if params:
        op["parameters"] = params
    body = api.get("body")
    if isinstance(body, dict) and body and all(isinstance(f, F) for f in body.values()):
        required = [n for n, f in body.items() if f.required]
        schema = {"type": "object", "additionalProperties": False,
                  "properties": {n: f.openapi() for n, f in body.items()}}
        if required:
            schema["required"] = required
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
    elif isinstance(body, dict) and body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if api.get("form"):  # a plain HTML form's POST (beside the JSON body, when the route takes both)
        op.setdefault("requestBody", {"required": True, "content": {}})["content"][FORM] = {"schema": api["form"]}
    if public:
        op["security"] = []
    else:
        op["security"] = [{"bearer": []}, {"session": []}]
        if roles:
            op["x-roles"] = list(roles)
            op["description"] = (op.get("description", "") + f"\n\nRoles: {', '.join(roles)} (administrators "
                                                              "hold every role).").strip()
    return op


def _version() -> str:
    """The installed motcua's version (hub.app, which holds it too, imports this module)."""
    try:
        return importlib.metadata.version("motcua")
    except importlib.metadata.PackageNotFoundError:
        return "0.1.0+source"


def spec(app: web.Application) -> dict:
    paths: dict[str, dict] = {}
    for route in app.router.routes():
        if route.method == "HEAD" or route.resource is None or isinstance(route.resource, web.StaticResource):
            continue
        path = route.resource.canonical
        paths.setdefault(path, {})[route.method.lower()] = _operation(route.method, path, route.handler)
    return {"openapi": "3.0.3",
            "info": {"title": "motcua hub API", "version": _version(),
                     "description": "HTTP API of the one-stop office hub. Errors: {error: {code, message, "
                                    "message_vi}}. Times are the site's time zone unless given as epoch seconds."},
            "servers": [{"url": "/"}], "paths": dict(sorted(paths.items())),
            "components": {"securitySchemes": SECURITY}}


@describe("This description (OpenAPI 3)", public=True)
async def openapi_json(request: web.Request) -> web.Response:
    return web.json_response(spec(request.app))


@describe("A readable page of the API description", public=True, returns="text/html")
async def docs_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "api-docs.html")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/openapi.json", openapi_json)
    app.router.add_get("/api/docs", docs_page)
