"""The console page (/console/) and the leaders' dashboard: its data, its live stream, its downloads.

Live without polling: the router hands every committed batch's effects to `LiveFeed.after_commit`
(hub.mqtt.router `after_commit`), which computes the moving part of the dashboard once per changed site
— only when someone is watching — and pushes it to every open stream as a server-sent event. A call at a
counter reaches an open dashboard within one commit, like the lobby screens. The week's dossier figures
move slowly and cost the most: they are refreshed in the background at most once a minute."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import time
from datetime import date
from pathlib import Path

from aiohttp import web

from hub.ops import dashboard as dash
from hub.ops import reports
from hub.ops.context import Effects
from hub.store import sites as site_store
from hub.web.auth import requires, still_allowed
from hub.web.common import HUB_KEY, bad_request, hub_of, site_of
from hub.web.schema import F, describe
from hub.web.worker import DbThread
from motcua_core import csv_cells
from motcua_core.protocol import encode_text

log = logging.getLogger("motcua.hub.live")
STATIC = Path(__file__).parent / "static"
HEARTBEAT_S = 15.0
RECHECK_S = 5.0  # a live stream asks again this often whether its credential still holds
QUEUE_MAX = 16  # a stream that falls this far behind is only sent the newest state


class LiveFeed:
    """Open dashboard streams per site, fed after each commit. A site's state is computed at most once per
    MIN_INTERVAL_S, for every stream at once: the first change goes out at once, changes that follow
    within the interval go out together at its end — a storm of kiosk requests with a dashboard open
    costs the hub a bounded share of its time, not one dashboard computation per batch."""

    MIN_INTERVAL_S = 0.05

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.streams: dict[str, set[asyncio.Queue[str]]] = {}
        self.last: dict[str, float] = {}
        self.scheduled: set[str] = set()
        self.pushed = 0

    def after_commit(self, effects: Effects) -> None:
        for site_id in effects.display_sites:
            if not self.streams.get(site_id) or site_id in self.scheduled:
                continue
            wait = self.last.get(site_id, 0.0) + self.MIN_INTERVAL_S - time.monotonic()
            if wait <= 0:
                self._push(site_id)
            else:
                self.scheduled.add(site_id)
                asyncio.get_running_loop().call_later(wait, self._push, site_id)

    def _push(self, site_id: str) -> None:
        self.scheduled.discard(site_id)
        self.last[site_id] = time.monotonic()
        queues = self.streams.get(site_id)
        if not queues:
            return
        hub = self.app[HUB_KEY]
        try:
            state = dash.live(hub.db, site_store.get_site(hub.db, site_id), hub.clock())
        except Exception:
            log.exception("live dashboard state of %s failed", site_id)
            return
        body = encode_text(state)
        for q in queues:
            if q.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    q.get_nowait()
            q.put_nowait(body)
        self.pushed += 1

    def open(self, site_id: str) -> asyncio.Queue[str]:
        q: asyncio.Queue[str] = asyncio.Queue(QUEUE_MAX)
        self.streams.setdefault(site_id, set()).add(q)
        return q

    def close(self, site_id: str, q: asyncio.Queue[str]) -> None:
        self.streams.get(site_id, set()).discard(q)

    async def shutdown(self, app: web.Application) -> None:
        """End every open stream (the hub is stopping: browsers will reconnect to the next one)."""
        for queues in self.streams.values():
            for q in queues:
                with contextlib.suppress(asyncio.QueueEmpty):
                    q.get_nowait()
                q.put_nowait("")


LIVE_KEY = web.AppKey("live", LiveFeed)


class DossierFigures:
    """The dashboard's dossier part (the week per agency over a year of dossiers, the at-risk list: tens of
    milliseconds), computed in a worker thread on a connection of its own and kept for REFRESH_S: a
    request is answered with the last figures while newer ones are computed, never waiting for them
    (but the very first time)."""

    REFRESH_S = 60.0

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.values: dict[str, tuple[float, dict]] = {}
        self.pending: dict[str, asyncio.Future] = {}
        self.thread = DbThread(app, "dashboard")

    async def get(self, site: site_store.Site) -> dict:
        now = self.app[HUB_KEY].clock()
        have = self.values.get(site.id)
        if have is not None and now - have[0] < self.REFRESH_S:
            return have[1]
        fut = self.pending.get(site.id)
        if fut is None:
            fut = self.thread.submit(lambda db: dash.dossiers(db, site, now))
            self.pending[site.id] = fut
            fut.add_done_callback(lambda f, sid=site.id, at=now: self._done(sid, at, f))
        return have[1] if have is not None else await asyncio.shield(fut)

    def _done(self, site_id: str, at: float, fut: asyncio.Future) -> None:
        self.pending.pop(site_id, None)
        if not fut.cancelled() and fut.exception() is None:
            self.values[site_id] = (at, fut.result())
        elif not fut.cancelled():
            log.error("dossier figures of %s failed: %s", site_id, fut.exception())

    async def shutdown(self, app: web.Application) -> None:
        await self.thread.shutdown(app)


FIGURES_KEY = web.AppKey("dossier_figures", DossierFigures)


@describe("The console page (its data comes from the API)", public=True, returns="text/html")
async def console_page(request: web.Request) -> web.FileResponse:
    """The page itself holds no data: everything it shows comes from the authenticated API."""
    return web.FileResponse(STATIC / "console.html")


@describe("Redirect to /console/", public=True)
async def console_redirect(request: web.Request) -> web.Response:
    raise web.HTTPFound("/console/")


@describe("The leaders' dashboard: counters, queues, service level, alerts, charts, officers, dossiers")
@requires("leader")
async def dashboard(request: web.Request) -> web.Response:
    hub = hub_of(request)
    site = site_of(request)
    figures = await request.app[FIGURES_KEY].get(site)
    return web.json_response(dash.snapshot(hub.db, site, hub.clock(), figures))


@describe("Live dashboard stream (server-sent events `state`)", returns="text/event-stream")
@requires("leader")
async def live(request: web.Request) -> web.StreamResponse:
    """Server-sent events: `state` with the dashboard's live part, first now and then after each change."""
    hub = hub_of(request)
    site = site_of(request)
    feed = request.app[LIVE_KEY]
    q = feed.open(site.id)
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                       "X-Accel-Buffering": "no"})
    await resp.prepare(request)
    checked = time.monotonic()
    try:
        first = encode_text(dash.live(hub.db, site, hub.clock()))
        await resp.write(f"event: state\ndata: {first}\n\n".encode())
        while True:
            try:
                body = await asyncio.wait_for(q.get(), HEARTBEAT_S)
            except TimeoutError:
                body = None
            if time.monotonic() - checked >= RECHECK_S:  # the credential may have been revoked since
                if not still_allowed(request, "leader"):
                    break
                checked = time.monotonic()
            if body is None:
                await resp.write(b": keep-alive\n\n")
                continue
            if not body:
                break
            await resp.write(f"event: state\ndata: {body}\n\n".encode())
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        feed.close(site.id, q)
    return resp


def _week(request: web.Request, site: site_store.Site) -> str:
    from datetime import datetime

    week = request.query.get("week")
    if week:
        return week
    y, w, _ = datetime.fromtimestamp(hub_of(request).clock(), site.tz).isocalendar()
    return f"{y}-W{w:02d}"


@describe("Weekly report (the report of a period, for a week), PDF in the official layout or CSV",
          query={"week": F("string", False, "ISO week 2026-W49 (this week)")}, returns="application/pdf")
@requires("leader")
async def weekly_report(request: web.Request) -> web.Response:
    """The week's report (hub.web.reports, the week as its period), this week unless `?week=2026-W49`."""
    from hub.web import reports as report_web

    site = site_of(request)
    try:
        rep = await report_web.build(request, site, _week(request, site))
    except ValueError as exc:
        return bad_request(str(exc), str(exc))
    return report_web.send(rep, request.match_info["fmt"], f"bao-cao-tuan-{rep['period']}")


@describe("Decision 766/QĐ-TTg figures of the centre for a period, PDF, CSV or JSON",
          query={"period": F("string", False, "month 2026-11, quarter 2026-Q4 or year 2026 (this month)")},
          returns="application/pdf")
@requires("leader")
async def index766_report(request: web.Request) -> web.Response:
    """The 766 index figures the hub can compute (progress and results, digitisation, satisfaction) with
    their formulas, for `?period=` (this month by default), as PDF, CSV or JSON."""
    from datetime import datetime

    from hub.web import reports as report_web
    from motcua_core.documents import pdf

    hub = hub_of(request)
    site = site_of(request)
    now = hub.clock()
    period = request.query.get("period") or datetime.fromtimestamp(now, site.tz).strftime("%Y-%m")
    try:  # a year of a busy centre takes seconds: in the reports' worker thread
        rep = await request.app[report_web.WORKER_KEY].submit(lambda db: reports.index766(db, site, period, now))
    except ValueError as exc:
        return bad_request(str(exc), str(exc))
    fmt = request.match_info["fmt"]
    if fmt == "json":
        return web.json_response(rep)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv_cells.writer(buf)
        w.writerow(["chỉ tiêu", "giá trị", "công thức"])
        w.writerows([x["label"], "" if x["value"] is None else x["value"], x["formula"]] for x in rep["formulas"])
        return _csv(buf.getvalue(), f"chi-so-766-{rep['period']}")
    return web.Response(body=pdf.index766_report(rep), content_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="chi-so-766-{rep["period"]}.pdf"'})


@describe("Tracking register (form 02), PDF or CSV", query={"from": F("string", True, "YYYY-MM-DD"),
                                                          "to": F("string", True, "YYYY-MM-DD")},
          returns="application/pdf")
@requires("leader")
async def register(request: web.Request) -> web.Response:
    """The tracking register (form 02) for `?from=YYYY-MM-DD&to=YYYY-MM-DD`, PDF or CSV."""
    hub = hub_of(request)
    site = site_of(request)
    try:
        start = date.fromisoformat(request.query["from"])
        end = date.fromisoformat(request.query["to"])
    except (KeyError, ValueError):
        return bad_request("from and to must be YYYY-MM-DD", "Cần khoảng ngày dạng YYYY-MM-DD (từ ngày, đến ngày).")
    fmt = request.match_info["fmt"]
    body, _n, _books = reports.register_export(hub.db, site, start, end, None, fmt=fmt)
    name = f"so-theo-doi-{start}-{end}.{fmt}"
    return web.Response(body=body, content_type="application/pdf" if fmt == "pdf" else "text/csv",
                        charset=None if fmt == "pdf" else "utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _csv(text: str, name: str) -> web.Response:
    # A BOM, so that Excel opens the Vietnamese right.
    return web.Response(body=("\ufeff" + text).encode(), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


async def _attach(app: web.Application) -> None:
    hub = app[HUB_KEY]
    if hub.router is not None:
        hub.router.after_commit.append(app[LIVE_KEY].after_commit)


def add_routes(app: web.Application) -> None:
    app[LIVE_KEY] = LiveFeed(app)
    app.on_startup.append(_attach)
    app.on_shutdown.append(app[LIVE_KEY].shutdown)
    app[FIGURES_KEY] = DossierFigures(app)
    app.on_cleanup.append(app[FIGURES_KEY].shutdown)
    r = app.router
    r.add_get("/console", console_redirect)
    r.add_get("/console/", console_page)
    r.add_get("/api/v1/sites/{site}/dashboard", dashboard)
    r.add_get("/api/v1/sites/{site}/live", live)
    r.add_get("/api/v1/sites/{site}/reports/weekly.{fmt:(pdf|csv)}", weekly_report)
    r.add_get("/api/v1/sites/{site}/register.{fmt:(pdf|csv)}", register)
    r.add_get("/api/v1/sites/{site}/reports/index766.{fmt:(pdf|csv|json)}", index766_report)
