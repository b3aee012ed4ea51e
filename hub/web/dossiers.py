"""HTTP routes for dossiers and the catalogue (issue #5).

Public (no personal data): GET /api/v1/dossiers/{code}?k=<key> (masked status), /d/{code}?k=<key> (the
status page the receipt's QR opens); both need the receipt's lookup key (or the applicant's CCCD last
digits) and are rate-limited per client address (429), /api/v1/procedures?q=…, /api/v1/catalog?since=N (kiosk replica),
/api/v1/sites/{site}/board (progress board).
Agency specialists (Authorization: Bearer <token> from `motcua hub specialist add`): /api/v1/agency/… and
the page /agency.
"""

from __future__ import annotations

import asyncio
import html
import json

from aiohttp import web

from hub.domain.forms import canonical
from hub.ops import dossier_files, dossiers, forms, ocr
from hub.ops.authz import Ref
from hub.ops.run import http_status
from hub.store import catalogue as cat_store
from hub.store import sites as site_store
from hub.web.auth import Principal, require, requires
from hub.web.common import bad_request, client_key, error_response, form_body, html_page, hub_of, json_body
from motcua_core.dossier_codes import normalise
from motcua_core.errors import DomainError
from motcua_core.text import short_datetime

PAGE_STYLE = ("body{font-family:sans-serif;max-width:40em;margin:1em auto;padding:0 1em}.st{font-size:1.3em;"
              "font-weight:bold;color:#064}.err{color:#b00;font-weight:bold}input,button{font-size:1.2em}")


def _lookup(request: web.Request) -> dict:
    hub = hub_of(request)
    key = request.query.get("k") or request.query.get("key")
    code, client, limit = request.match_info["code"], client_key(request), hub.config.lookup_limit
    return hub.runner.run(None, lambda ctx: dossiers.public_lookup(ctx.db, code, key, client, ctx.now, limit))


async def dossier_public(request: web.Request) -> web.Response:
    """GET /api/v1/dossiers/{code}?k=<lookup key or CCCD last digits>."""
    try:
        return web.json_response(_lookup(request))
    except DomainError as exc:
        return error_response(exc)


async def dossier_page(request: web.Request) -> web.Response:
    """A phone-sized status page (what the QR on the receipt opens: /d/<code>?k=<key>). Without the key,
    or with a wrong one, it asks for the key printed on the receipt."""
    code = request.match_info["code"]
    try:
        v = _lookup(request)
    except DomainError as exc:
        asked = "k" not in request.query and "key" not in request.query
        msg = "" if asked and exc.code == "bad_request" else f"<p class='err'>{html.escape(exc.message_vi or exc.message)}</p>"
        form = "" if exc.code == "rate_limited" else (
            f"<form method='get' action='/d/{html.escape(normalise(code))}'><label>Mã tra cứu in trên giấy hẹn "
            "(hoặc 4 số cuối CCCD của người nộp):<br><input name='k' id='k' autocomplete='off' "
            "autocapitalize='characters' size='12'></label> <button type='submit'>Tra cứu</button></form>")
        body = f"<h1>Tra cứu hồ sơ {html.escape(normalise(code))}</h1>{msg}{form}"
        return html_page("Tra cứu hồ sơ", body, PAGE_STYLE, status=200 if not msg else http_status(exc.code))
    rows = "".join(f"<li><b>{html.escape(short_datetime(t['at']))}</b> — {html.escape(t['status_vi'])}</li>"
                   for t in v["timeline"])
    body = (f"<h1>Hồ sơ {html.escape(v['code'])}</h1><p>{html.escape(v['procedure'])}</p>"
            f"<p>Người nộp: {html.escape(v['applicant'])}</p>"
            f"<p class='st' id='status'>{html.escape(v['status_vi'])}</p>"
            f"<p id='due'>Hẹn trả kết quả: {html.escape(short_datetime(v['due_at']))}</p><p>Nơi đang giữ hồ sơ: "
            f"{html.escape(v['where'])}</p><ul id='timeline'>{rows}</ul>")
    if v.get("electronic_result"):
        key = html.escape(request.query.get("k") or request.query.get("key") or "")
        body += (f"<p id='eresult'><a href='/d/{html.escape(v['code'])}/ket-qua?k={key}'>Tải kết quả điện tử "
                 f"(mã giấy tờ {html.escape(v['electronic_result'])}, có chữ ký số)</a></p>")
    body += _rating_part(request, v)
    return html_page(f"Hồ sơ {v['code']}", body, PAGE_STYLE)


RATABLE = ("ready", "returned", "stopped", "withdrawn")  # once the agencies are done with it


def _rating_part(request: web.Request, v: dict, note: str = "") -> str:
    """The rating of the dossier's handling (Decree 118/2025 Art. 33), once its result is out: the form,
    or the thanks when it was rated."""
    from hub.domain import dossier_ratings as rules
    from hub.store import dossier_ratings as rating_store

    if v["status"] not in RATABLE:
        return ""
    if rating_store.get(hub_of(request).db, v["code"]) is not None:
        return f"<h2>Đánh giá việc giải quyết hồ sơ</h2>{note}<p id='rated'>Cảm ơn ông (bà) đã đánh giá.</p>"
    q = rules.questions()
    key = html.escape(request.query.get("k") or request.query.get("key") or "")
    parts = []
    for c in q["criteria"]:
        opts = "".join(f"<label><input type='radio' name='{c['id']}' value='{o['value']}'> {html.escape(o['text'])}"
                       "</label><br>" for o in c["options"])
        parts.append(f"<fieldset><legend>{html.escape(c['text'])}</legend>{opts}</fieldset>")
    overall = "".join(f"<label><input type='radio' name='overall' value='{o['value']}' required> "
                      f"{html.escape(o['text'])}</label><br>" for o in q["overall"]["options"])
    return (f"<h2>Đánh giá việc giải quyết hồ sơ</h2>{note}<form method='post' id='rate' "
            f"action='/d/{html.escape(v['code'])}/rate?k={key}'>{''.join(parts)}"
            f"<fieldset><legend><b>{html.escape(q['overall']['text'])}</b></legend>{overall}</fieldset>"
            "<label>Ý kiến khác:<br><textarea name='comment' maxlength='500' rows='3' cols='30'></textarea></label><br>"
            "<button type='submit'>Gửi đánh giá</button></form>")


async def dossier_rate(request: web.Request) -> web.Response:
    """POST /d/{code}/rate?k=<key>: the phone page's rating form (the lookup key opens it, as the page)."""
    from hub.ops import dossier_ratings
    from hub.store import dossiers as dossier_store

    hub = hub_of(request)
    try:
        v = _lookup(request)
        form = await form_body(request)  # a body that is not a readable form: the page's own refusal
        answers = {k: int(x) for k, x in form.items() if k not in ("overall", "comment") and str(x).isdigit()}
        overall = int(form["overall"]) if str(form.get("overall") or "").isdigit() else None
        site_id = dossier_store.get(hub.db, v["code"])["site_id"]
        if v["status"] not in RATABLE:
            raise DomainError("conflict", "The dossier can be rated once its result is out.",
                              "Hồ sơ được đánh giá khi đã có kết quả giải quyết.")
        hub.runner.run(site_id, lambda ctx: dossier_ratings.rate_on_phone(
            ctx, v["code"], {"answers": answers, "overall": overall, "comment": str(form.get("comment") or "")}))
    except DomainError as exc:
        code = request.match_info["code"]
        msg = f"<p class='err' id='error'>{html.escape(exc.message_vi or exc.message)}</p>"
        return html_page(f"Hồ sơ {normalise(code)}", f"<h1>Hồ sơ {html.escape(normalise(code))}</h1>{msg}",
                         PAGE_STYLE, status=http_status(exc.code))
    raise web.HTTPSeeOther(f"/d/{v['code']}?k={request.query.get('k') or request.query.get('key') or ''}")


async def procedures(request: web.Request) -> web.Response:
    hub = hub_of(request)
    q = request.query.get("q", "")
    try:
        limit = max(1, min(100, int(request.query.get("limit", "20"))))
    except ValueError:
        limit = 20
    if len(q) > 200:
        return bad_request("query too long", "Từ khóa quá dài.")
    found = cat_store.search_json(hub.db, q, limit)  # the procedures' JSON is made once per catalogue version
    return web.Response(body=b'{"q":' + json.dumps(q).encode() + b',"procedures":' + found + b"}",
                        content_type="application/json")


async def procedure(request: web.Request) -> web.Response:
    doc = cat_store.get(hub_of(request).db, request.match_info["pid"])
    if doc is None:
        return error_response(DomainError("not_found", "no such procedure", "Không tìm thấy thủ tục hành chính này."))
    return web.json_response(doc)


async def catalog(request: web.Request) -> web.Response:
    try:
        since = int(request.query.get("since", "0"))
    except ValueError:
        return bad_request("since must be a number", "since phải là số.")
    return web.json_response(cat_store.changes_since(hub_of(request).db, since))


async def board(request: web.Request) -> web.Response:
    hub = hub_of(request)
    try:
        site = site_store.get_site(hub.db, request.match_info["site"])
    except DomainError as exc:
        return error_response(exc)
    return web.json_response(dossiers.board(hub.db, site, hub.clock()))


# --- agency specialists -----------------------------------------------------------------------------

def _specialist(request: web.Request) -> Principal:
    """The agency specialist asking (a specialist's own token, or a specialist API token naming the agency).
    `@requires` has already checked that a dossier the path names is of its site and agency."""
    p = require(request, "specialist")
    if not p.agency or p.site is None:
        raise web.HTTPForbidden(text='{"error":{"code":"forbidden","message":"no agency","message_vi":'
                                     '"Tài khoản không gắn với cơ quan giải quyết nào."}}', content_type="application/json")
    return p


@requires("specialist", on="self")
async def agency_me(request: web.Request) -> web.Response:
    s = _specialist(request)
    return web.json_response({"id": s.id, "name": s.name, "agency": s.agency, "site": s.site})


@requires("specialist", on="own")
async def agency_list(request: web.Request) -> web.Response:
    spec = _specialist(request)
    hub = hub_of(request)
    return web.json_response({"agency": spec.agency,
                              "dossiers": dossiers.agency_queue(hub.db, spec.site, spec.agency, hub.clock())})


@requires("specialist")
async def agency_detail(request: web.Request) -> web.Response:
    spec = _specialist(request)
    hub = hub_of(request)
    try:
        d = dossiers.agency_detail(hub.db, request.match_info["code"], hub.clock(), spec.site, spec.agency)
    except DomainError as exc:
        return error_response(exc)
    return web.json_response(d)


@requires("specialist")
async def agency_action(request: web.Request) -> web.Response:
    spec = _specialist(request)
    hub = hub_of(request)
    code, action = request.match_info["code"], request.match_info["action"]
    who = f"{spec.name} ({spec.agency})"
    refs = [Ref("dossier", code)]
    try:
        body = await json_body(request)
        if action == "apology":
            out = hub.runner.run(spec.site, lambda ctx: {"apology": dossiers.apologise(
                ctx, code, str(body.get("reason") or ""), who, new_due=body.get("new_due"),
                extra_working_days=body.get("extra_days"), agency=spec.agency)}, subject=spec.subject, refs=refs)
        else:
            out = hub.runner.run(spec.site, lambda ctx: dossiers.specialist_action(
                ctx, code, action, who, spec.agency, body), subject=spec.subject, refs=refs)
    except DomainError as exc:
        return error_response(exc)
    return web.json_response(out)


@requires("specialist")
async def agency_pdf(request: web.Request) -> web.Response:
    spec = _specialist(request)
    hub = hub_of(request)
    code, form = request.match_info["code"], request.match_info["form"]
    try:
        if canonical(form) not in ("control_sheet", "apology", "refusal", "stop", "supplement"):
            raise DomainError("not_found", "unknown form", "Không có biểu mẫu này.")
        dossiers.agency_detail(hub.db, code, hub.clock(), spec.site, spec.agency)
        job = forms.signing_job(hub.db, site_store.get_site(hub.db, spec.site), code, form)
    except DomainError as exc:
        return error_response(exc)
    data = await asyncio.to_thread(forms.sign_job, job)  # seconds of signing: never on the event loop
    return web.Response(body=data, content_type="application/pdf")


@requires("specialist")
async def agency_file(request: web.Request) -> web.Response:
    """GET /api/v1/agency/dossiers/{code}/files/{id}: a scanned document or the result, to the specialist of
    an agency the dossier passes through, at its site (the same check as the dossier's detail);
    `?copy=ocr`: the scan's searchable copy (text layer made at the hub, signed by the centre)."""
    spec = _specialist(request)
    hub = hub_of(request)
    which = request.query.get("copy", "")
    if which not in ("", "ocr"):
        return bad_request("copy must be 'ocr' or absent", "Tham số copy chỉ nhận giá trị ocr.")
    try:
        code = request.match_info["code"]
        dossiers.agency_detail(hub.db, code, hub.clock(), spec.site, spec.agency)
        fid = int(request.match_info["file_id"])
        f, data = ocr.copy(hub.db, code, fid) if which else dossier_files.download(hub.db, code, fid)
    except ValueError:
        return bad_request("file id must be a number", "Mã tệp phải là số.")
    except DomainError as exc:
        return error_response(exc)
    return _pdf_response(data, f"{f['code']}-{f['id']}{'-ocr' if which else ''}.pdf")


def _pdf_response(data: bytes, filename: str) -> web.Response:
    return web.Response(body=data, content_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff"})


async def dossier_result(request: web.Request) -> web.Response:
    """GET /d/{code}/ket-qua?k=<key>: the citizen's signed electronic result, with the receipt's key (the
    QR's link); without it or with a wrong one, the same answer as an unknown dossier."""
    hub = hub_of(request)
    try:
        v = _lookup(request)  # the key check and the per-client limit of every public lookup
        f, data = dossier_files.electronic_result(hub.db, v["code"])
    except DomainError as exc:
        return error_response(exc)
    return _pdf_response(data, f"{f['doc_code']}.pdf")


async def dossier_receipt(request: web.Request) -> web.Response:
    """GET /d/{code}/giay-hen?k=<key>: the receipt as the centre issues it electronically (signed), for the
    citizen holding the receipt's key."""
    hub = hub_of(request)
    try:
        v = _lookup(request)
        site = site_store.get_site(hub.db, dossiers.site_of(hub.db, v["code"]))
        job = forms.signing_job(hub.db, site, v["code"], "receipt")
    except DomainError as exc:
        return error_response(exc)
    data = await asyncio.to_thread(forms.sign_job, job)
    return _pdf_response(data, f"giay-tiep-nhan-{v['code']}.pdf")


async def agency_page(request: web.Request) -> web.Response:
    """The specialists' page is now the console's agency tab: a specialist signs in at /login."""
    raise web.HTTPFound("/console/#agency")


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/api/v1/dossiers/{code}", dossier_public)
    r.add_get("/d/{code}", dossier_page)
    r.add_post("/d/{code}/rate", dossier_rate)
    r.add_get("/d/{code}/ket-qua", dossier_result)
    r.add_get("/d/{code}/giay-hen", dossier_receipt)
    r.add_get("/api/v1/procedures", procedures)
    r.add_get("/api/v1/procedures/{pid}", procedure)
    r.add_get("/api/v1/catalog", catalog)
    r.add_get("/api/v1/sites/{site}/board", board)
    r.add_get("/api/v1/agency/me", agency_me)
    r.add_get("/api/v1/agency/dossiers", agency_list)
    r.add_get("/api/v1/agency/dossiers/{code}", agency_detail)
    r.add_get("/api/v1/agency/dossiers/{code}/{form}.pdf", agency_pdf)
    r.add_get("/api/v1/agency/dossiers/{code}/files/{file_id}", agency_file)
    r.add_post("/api/v1/agency/dossiers/{code}/{action}", agency_action)
    r.add_get("/agency", agency_page)
