"""OpenAPI 3 description of the whole HTTP API at /api/v1/openapi.json, and a readable page at /api/docs.

Generated from the running app's route table, so every route is in it: each handler's `@describe`
(hub.web.schema: the same schema that validates its body) and `@requires` roles give its summary, body
and security; a route of a module that declares nothing is listed with its docstring's first line."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

from aiohttp import web

from hub.web.schema import describe

STATIC = Path(__file__).parent / "static"
# Public routes of modules that declare no schema (dossier lookup, catalogue, ticket page).
UNDECLARED_PUBLIC = {
    ("GET", "/api/v1/dossiers/{code}"), ("GET", "/d/{code}"), ("GET", "/d/{code}/ket-qua"), ("GET", "/d/{code}/giay-hen"), ("GET", "/api/v1/procedures"),
    ("GET", "/api/v1/procedures/{pid}"), ("GET", "/api/v1/catalog"), ("GET", "/api/v1/sites/{site}/board"),
    ("GET", "/t/{site}/{ticket_id}"), ("GET", "/agency"),
    # booking (hub/web/booking.py): citizens book without an account; a booking changes by its secret link
    ("GET", "/hen/{site}"), ("POST", "/hen/{site}"), ("GET", "/hen/q/{secret}"), ("POST", "/hen/q/{secret}/{action}"),
    ("GET", "/api/v1/sites/{site}/appointments/slots"), ("POST", "/api/v1/sites/{site}/appointments"),
    # enrolment and releases (hub/web/enrol.py, fleet.py): code-bound and throttled; the fleet page's shell
    ("POST", "/api/v1/enrol"), ("GET", "/api/v1/release"), ("GET", "/api/v1/release/{file}"),
    ("GET", "/console/fleet"),
}
SECURITY = {"bearer": {"type": "http", "scheme": "bearer",
                       "description": "API token (`motcua hub token add`) or an agency specialist's token"},
            "session": {"type": "apiKey", "in": "cookie", "name": "motcua_session",
                        "description": "console session from POST /login; unsafe methods also need the "
                                       "X-CSRF-Token header (from GET /api/v1/console/me)"}}
ERROR = {"type": "object", "properties": {"error": {"type": "object", "properties": {
    "code": {"type": "string"}, "message": {"type": "string"}, "message_vi": {"type": "string"}}}}}


def _operation(method: str, path: str, handler: object) -> dict:
    api = getattr(handler, "api", None) or {}
    roles = api.get("roles") or getattr(handler, "roles", None)
    doc = (getattr(handler, "__doc__", None) or "").strip()
    op: dict = {"summary": api.get("summary") or (doc.splitlines()[0] if doc else path),
                "operationId": f"{method.lower()}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}",
                "responses": {"200": {"description": "OK", "content": {api.get("returns", "application/json"): {}}},
                              "400": {"description": "refused (the one error shape)",
                                      "content": {"application/json": {"schema": ERROR}}}}}
    if doc:
        op["description"] = doc
    params = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
              for n in re.findall(r"\{(\w+)\}", path)]
    params += [{"name": n, "in": "query", "required": f.required, "description": f.description,
                "schema": f.openapi()} for n, f in (api.get("query") or {}).items()]
    if params:
        op["parameters"] = params
    body = api.get("body")
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": False,
            "required": [n for n, f in body.items() if f.required],
            "properties": {n: f.openapi() for n, f in body.items()}}}}}
    if api.get("public") or (method, path) in UNDECLARED_PUBLIC:
        op["security"] = []
    else:
        op["security"] = [{"bearer": []}, {"session": []}]
        op["responses"]["401"] = {"description": "no or unknown credential"}
        op["responses"]["403"] = {"description": "credential without the role or for another site"}
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
