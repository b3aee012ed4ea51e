"""The leaders' reports over any period (hub.ops.reports.period_report): a draft as PDF, CSV or JSON for
any week, month, quarter, half-year, year or range of days; issuing it under the next number of the
site's series (Số: …/BC-…), and the numbered reports as issued, signed with the centre's certificate.
Leaders only, of the site named in the path (or the province)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from aiohttp import web

from hub.domain import periods
from hub.ops import reports
from hub.web.auth import authenticate, requires
from hub.web.common import bad_request, error_response, hub_of, json_body, site_of
from hub.web.schema import F, Schema, describe, validate
from hub.web.signin import actor_of
from hub.web.worker import DbThread
from motcua_core.errors import DomainError

PERIOD_HELP = ("week 2026-W49, month 2026-11, quarter 2026-Q4, half-year 2026-H2, year 2026, or days "
               "2026-11-03..2026-12-02 (dd/mm/yyyy also); this month by default")
ISSUE: Schema = {"period": F("string", True, PERIOD_HELP, 40),
                 "recipients": F("array", False, "lines of 'Nơi nhận' (the site's list by default)"),
                 "signer_title": F("string", False, "the signer's position (GIÁM ĐỐC)", 80),
                 "signer_name": F("string", False, "the signer's full name", 80)}


WORKER_KEY = web.AppKey("reports_worker", DbThread)


async def build(request: web.Request, site, period: str) -> dict:  # noqa: ANN001
    """The report of `period` for `site`, computed in the reports' worker thread."""
    now = hub_of(request).clock()
    return await request.app[WORKER_KEY].submit(lambda db: reports.period_report(db, site, period, now))


def period_of(request: web.Request, site) -> str:  # noqa: ANN001
    """`?period=`, or `?from=&to=` (a range of days), or this month."""
    q = request.query
    if q.get("period"):
        return q["period"]
    if q.get("from") or q.get("to"):
        return f"{q.get('from', '')}..{q.get('to', '')}"
    return datetime.fromtimestamp(hub_of(request).clock(), site.tz).strftime("%Y-%m")


def send(rep: dict, fmt: str, name: str) -> web.Response:
    """The report as JSON, CSV (UTF-8 with a BOM) or PDF (the official layout)."""
    from motcua_core.documents import report_csv, report_pdf

    if fmt == "json":
        return web.json_response(rep)
    if fmt == "csv":
        return web.Response(body=report_csv.period_report(rep), content_type="text/csv", charset="utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return web.Response(body=report_pdf.period_report(rep), content_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'})


@describe("Report over any period (queue, dossiers, satisfaction; 766 figures for a quarter or year), a draft "
          "without number: PDF in the official layout, CSV or JSON",
          query={"period": F("string", False, PERIOD_HELP), "from": F("string", False, "first day (a range)"),
                 "to": F("string", False, "last day (a range)")}, returns="application/pdf")
@requires("leader")
async def period_report(request: web.Request) -> web.Response:
    site = site_of(request)
    try:
        rep = await build(request, site, period_of(request, site))
    except ValueError as exc:
        return bad_request(str(exc), str(exc)[:1].upper() + str(exc)[1:] + ".")
    return send(rep, request.match_info["fmt"], f"bao-cao-{rep['file_part']}")


@describe("Issue the report of a period under the next number of the site's series for the year",
          body=ISSUE, status=201)
@requires("leader")
async def issue(request: web.Request) -> web.Response:
    hub = hub_of(request)
    site = site_of(request)
    p = authenticate(request)
    assert p is not None  # @requires ran first
    try:
        body = validate(ISSUE, await json_body(request))
        periods.parse(body["period"])
        rep = await build(request, site, body["period"])
    except DomainError as exc:
        return error_response(exc)
    except ValueError as exc:
        return bad_request(str(exc), str(exc)[:1].upper() + str(exc)[1:] + ".")
    recipients = [str(x)[:200] for x in body.get("recipients") or []][:20]
    try:
        out = hub.runner.run(site, lambda ctx: reports.issue(
            ctx, body["period"], recipients=recipients, signer_title=body.get("signer_title"),
            signer_name=body.get("signer_name"), issued_by=p.id, report=rep), actor=actor_of(p), subject=p.subject)
    except DomainError as exc:
        return error_response(exc)
    out["pdf"] = f"/api/v1/sites/{site.id}/reports/issued/{out['year']}/{out['number']}.pdf"
    return web.json_response(out, status=201)


@describe("The numbered reports the site issued, newest first")
@requires("leader")
async def issued_list(request: web.Request) -> web.Response:
    hub = hub_of(request)
    return web.json_response({"reports": reports.issued_list(hub.db, site_of(request))})


@describe("A numbered report as issued: the PDF signed with the centre's certificate (PAdES)",
          returns="application/pdf", errors=(404,))
@requires("leader")
async def issued_pdf(request: web.Request) -> web.Response:
    from hub import signing_keys

    hub = hub_of(request)
    site = site_of(request)
    try:
        year, number = int(request.match_info["year"]), int(request.match_info["number"])
        rep, pdf = reports.issued_data(hub.db, site, year, number)
    except ValueError:
        return bad_request("year and number must be integers", "Năm và số báo cáo phải là số.")
    except DomainError as exc:
        return error_response(exc)
    if pdf is None:
        made = await asyncio.get_running_loop().run_in_executor(
            None, reports.sign_job, rep, signing_keys.data_dir_of(hub.db), rep.get("unit_name") or site.name)
        pdf = hub.runner.run(site, lambda ctx: reports.keep_pdf(ctx, year, number, made))
    name = f"bao-cao-{number:02d}-{year}-{rep['file_part']}"
    return web.Response(body=bytes(pdf), content_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'})


def add_routes(app: web.Application) -> None:
    app[WORKER_KEY] = DbThread(app, "reports")
    app.on_cleanup.append(app[WORKER_KEY].shutdown)
    r = app.router
    r.add_get("/api/v1/sites/{site}/reports/period.{fmt:(pdf|csv|json)}", period_report)
    r.add_post("/api/v1/sites/{site}/reports/issued", issue)
    r.add_get("/api/v1/sites/{site}/reports/issued", issued_list)
    r.add_get(r"/api/v1/sites/{site}/reports/issued/{year:\d{4}}/{number:\d{1,6}}.pdf", issued_pdf)
