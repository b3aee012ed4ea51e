"""HTTP routes for dossiers and the catalogue (issue #5).

Public (no personal data): GET /api/v1/dossiers/{code} (masked status), /d/{code} (the status page the
receipt's QR opens), /api/v1/procedures?q=…, /api/v1/catalog?since=N (kiosk replica),
/api/v1/sites/{site}/board (progress board).
Agency specialists (Authorization: Bearer <token> from `motcua hub specialist add`): /api/v1/agency/… and
the page /agency.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from hub.domain.dossier_codes import normalise
from hub.domain.errors import DomainError
from hub.ops import dossiers
from hub.ops.context import Ctx, Effects
from hub.store import catalogue as cat_store
from hub.store import dossiers as dossier_store
from hub.store import sites as site_store
from hub.store import specialists as spec_store
from hub.store.db import transaction

if TYPE_CHECKING:
    from hub.app import Hub

STATIC_AGENCY = Path(__file__).parent / "static" / "agency.html"


def _hub(request: web.Request) -> Hub:
    from hub.web.app import HUB_KEY

    return request.app[HUB_KEY]  # type: ignore[return-value]


def _error(exc: DomainError) -> web.Response:
    status = {"not_found": 404, "forbidden": 403, "conflict": 409}.get(exc.code, 400)
    return web.json_response({"error": {"code": exc.code, "message": exc.message, "message_vi": exc.message_vi}},
                             status=status)


async def dossier_public(request: web.Request) -> web.Response:
    hub = _hub(request)
    try:
        return web.json_response(dossiers.public_view(hub.db, request.match_info["code"], hub.clock()))
    except DomainError as exc:
        return _error(exc)


async def dossier_page(request: web.Request) -> web.Response:
    """A phone-sized status page (what the QR on the receipt opens)."""
    hub = _hub(request)
    try:
        v = dossiers.public_view(hub.db, request.match_info["code"], hub.clock())
    except DomainError as exc:
        body = f"<p>{html.escape(exc.message_vi or exc.message)}</p>"
        return web.Response(text=_page("Tra cứu hồ sơ", body), content_type="text/html", status=404)
    rows = "".join(f"<li><b>{html.escape(t['at'] or '')}</b> — {html.escape(t['status_vi'])}</li>"
                   for t in v["timeline"])
    body = (f"<h1>Hồ sơ {html.escape(v['code'])}</h1><p>{html.escape(v['procedure'])}</p>"
            f"<p>Người nộp: {html.escape(v['applicant'])}</p>"
            f"<p class='st'>{html.escape(v['status_vi'])}</p>"
            f"<p>Hẹn trả kết quả: {html.escape(v['due_at'] or '')}</p><p>Nơi đang giữ hồ sơ: "
            f"{html.escape(v['where'])}</p><ul>{rows}</ul>")
    return web.Response(text=_page(f"Hồ sơ {v['code']}", body), content_type="text/html")


def _page(title: str, body: str) -> str:
    return ("<!doctype html><html lang='vi'><meta charset='utf-8'><meta name='viewport' "
            "content='width=device-width,initial-scale=1'><title>" + html.escape(title) + "</title><style>"
            "body{font-family:sans-serif;max-width:40em;margin:1em auto;padding:0 1em}.st{font-size:1.3em;"
            "font-weight:bold;color:#064}</style><body>" + body + "</body></html>")


async def procedures(request: web.Request) -> web.Response:
    hub = _hub(request)
    q = request.query.get("q", "")
    try:
        limit = max(1, min(100, int(request.query.get("limit", "20"))))
    except ValueError:
        limit = 20
    if len(q) > 200:
        return web.json_response({"error": {"code": "bad_request", "message_vi": "Từ khóa quá dài."}}, status=400)
    return web.json_response({"q": q, "procedures": cat_store.search(hub.db, q, limit)})


async def procedure(request: web.Request) -> web.Response:
    doc = cat_store.get(_hub(request).db, request.match_info["pid"])
    if doc is None:
        return web.json_response({"error": {"code": "not_found",
                                            "message_vi": "Không tìm thấy thủ tục hành chính này."}}, status=404)
    return web.json_response(doc)


async def catalog(request: web.Request) -> web.Response:
    try:
        since = int(request.query.get("since", "0"))
    except ValueError:
        return web.json_response({"error": {"code": "bad_request", "message_vi": "since phải là số."}}, status=400)
    return web.json_response(cat_store.changes_since(_hub(request).db, since))


async def board(request: web.Request) -> web.Response:
    hub = _hub(request)
    try:
        site = site_store.get_site(hub.db, request.match_info["site"])
    except DomainError as exc:
        return _error(exc)
    return web.json_response(dossiers.board(hub.db, site, hub.clock()))


# --- agency specialists -----------------------------------------------------------------------------

def _specialist(request: web.Request) -> spec_store.Specialist:
    auth = request.headers.get("Authorization", "")
    token = auth[7:].strip() if auth.startswith("Bearer ") else ""
    spec = spec_store.by_token(_hub(request).db, token) if token else None
    if spec is None:
        raise web.HTTPUnauthorized(text='{"error":{"code":"unauthorized","message_vi":"Cần đăng nhập."}}',
                                   content_type="application/json")
    return spec


def _ctx(hub: Hub, site_id: str) -> Ctx:
    return Ctx(hub.db, site_store.get_site(hub.db, site_id), None, hub.clock(), Effects())


async def agency_me(request: web.Request) -> web.Response:
    s = _specialist(request)
    return web.json_response({"id": s.id, "name": s.name, "agency": s.agency, "site": s.site_id})


async def agency_list(request: web.Request) -> web.Response:
    spec = _specialist(request)
    hub = _hub(request)
    return web.json_response({"agency": spec.agency,
                              "dossiers": dossiers.agency_queue(hub.db, spec.site_id, spec.agency, hub.clock())})


async def agency_detail(request: web.Request) -> web.Response:
    spec = _specialist(request)
    hub = _hub(request)
    try:
        d = dossiers.detail(hub.db, request.match_info["code"], hub.clock())
    except DomainError as exc:
        return _error(exc)
    if spec.agency not in d["steps"]:
        return _error(DomainError("forbidden", "not one of your dossiers", "Hồ sơ không thuộc cơ quan của bạn."))
    return web.json_response(d)


async def agency_action(request: web.Request) -> web.Response:
    spec = _specialist(request)
    hub = _hub(request)
    try:
        body = await request.json() if request.can_read_body else {}
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return _error(DomainError("bad_request", "body must be a JSON object", "Dữ liệu gửi lên không hợp lệ."))
    action = request.match_info["action"]
    who = f"{spec.name} ({spec.agency})"
    try:
        with transaction(hub.db):
            ctx = _ctx(hub, spec.site_id)
            if action == "apology":
                extra = body.get("extra_days")
                if extra is not None and (not isinstance(extra, int) or isinstance(extra, bool) or not 1 <= extra <= 60):
                    raise DomainError("bad_request", "extra_days 1..60", "Số ngày hẹn thêm từ 1 đến 60.")
                state = dossier_store.state(hub.db, normalise(request.match_info["code"]))
                if state.holder != spec.agency:
                    raise DomainError("forbidden", "not held by you", "Hồ sơ không do cơ quan của bạn giữ.")
                out = {"apology": dossiers.apologise(ctx, request.match_info["code"], str(body.get("reason") or ""),
                                                     who, new_due=body.get("new_due"), extra_working_days=extra)}
            else:
                out = dossiers.specialist_action(ctx, request.match_info["code"], action, who, spec.agency, body)
    except DomainError as exc:
        return _error(exc)
    return web.json_response(out)


async def agency_pdf(request: web.Request) -> web.Response:
    spec = _specialist(request)
    hub = _hub(request)
    from hub.documents import pdf

    try:
        site = site_store.get_site(hub.db, spec.site_id)
        code = request.match_info["code"]
        form = request.match_info["form"]
        if form == "control-sheet":
            data = pdf.control_sheet(dossiers.control_sheet(hub.db, site, code))
        elif form == "apology":
            data = pdf.apology(dossiers.apology_form(hub.db, site, code))
        else:
            raise DomainError("not_found", "unknown form", "Không có biểu mẫu này.")
    except DomainError as exc:
        return _error(exc)
    return web.Response(body=data, content_type="application/pdf")


async def agency_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_AGENCY)


def register(app: web.Application) -> None:
    r = app.router
    r.add_get("/api/v1/dossiers/{code}", dossier_public)
    r.add_get("/d/{code}", dossier_page)
    r.add_get("/api/v1/procedures", procedures)
    r.add_get("/api/v1/procedures/{pid}", procedure)
    r.add_get("/api/v1/catalog", catalog)
    r.add_get("/api/v1/sites/{site}/board", board)
    r.add_get("/api/v1/agency/me", agency_me)
    r.add_get("/api/v1/agency/dossiers", agency_list)
    r.add_get("/api/v1/agency/dossiers/{code}", agency_detail)
    r.add_get("/api/v1/agency/dossiers/{code}/{form}.pdf", agency_pdf)
    r.add_post("/api/v1/agency/dossiers/{code}/{action}", agency_action)
    r.add_get("/agency", agency_page)
