"""The public ticket page a citizen's phone opens from the QR on a printed ticket (issue #3).

Shows the number, service, status, people ahead and estimated wait, live: the page follows
`/t/<site>/<id>/events` (server-sent events), which sends the status again after each committed change
of the site's queue when its words changed — no reload every 20 s (a page that reloads itself is also
what screen readers and axe object to). Nothing personal (the ticket holds no personal data). JSON stays
at /api/v1/sites/<site>/tickets/<id>.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json

from aiohttp import web

from hub.ops.queue import ticket_status
from hub.store import sites as site_store
from hub.web.common import HUB_KEY, form_body, html_page, hub_of
from motcua_core.errors import DomainError
from motcua_core.text import short_datetime

HEARTBEAT_S = 15.0
LIVE = {"waiting", "called", "held"}  # a ticket in these states can still change
# The page's only script: follow the events, show the new words, stop when the ticket is final.
SCRIPT = ("<script>(function(){var es=new EventSource(location.pathname.replace(/\\/$/,'')+'/events');"
          "es.addEventListener('ticket',function(e){var d=JSON.parse(e.data);"
          "document.getElementById('status').textContent=d.status;"
          "document.getElementById('live').textContent=d.live?'Tự cập nhật khi đến lượt.':'';"
          "if(!d.live)es.close();});})();</script>")
STYLE = ("body{font-family:sans-serif;max-width:30em;margin:1em auto;padding:0 1em;text-align:center}"
         "h1{font-size:1.05em;font-weight:normal}form{text-align:left;margin-top:1.5em}"
         "label{display:block;margin:.6em 0 .2em}input,select,button{font-size:1em;width:100%;padding:.5em;"
         "box-sizing:border-box}button{margin-top:.8em;background:#0a6b35;color:#fff;border:0;border-radius:.3em}"
         ".ok{background:#dfd;padding:.6em}.err{background:#fdd;color:#900;padding:.6em}"
         ".n{font-size:5em;font-weight:bold;color:#b00;margin:.2em 0}.st{font-size:1.3em;font-weight:bold}")


def status_text(t: dict, counter_name: str | None) -> str:
    """The ticket's state in the words a citizen understands (pure)."""
    where = counter_name or (f"Quầy {t['counter']}" if t.get("counter") else "")
    if t["status"] == "waiting":
        wait = t.get("est_wait_min")
        n = t.get("people_ahead", 0)
        ahead = f"Trước ông/bà còn {n} người." if n else "Không có ai chờ trước ông/bà."
        return ahead + (f" Thời gian chờ dự kiến khoảng {max(1, wait)} phút." if wait is not None else "")
    return {
        "called": f"Đã đến lượt: xin mời đến {where}.",
        "held": f"Đang tạm giữ tại {where}.",
        "done": "Đã phục vụ xong. Cảm ơn ông/bà.",
        "no_show": "Đã qua lượt (vắng mặt khi được gọi). Xin hỏi cán bộ hướng dẫn.",
        "expired": "Phiếu đã hết hiệu lực.",
    }.get(t["status"], t["status"])


def _ticket(hub, site_id: str, ticket_id_text: str) -> tuple[object, dict, str | None]:  # noqa: ANN001
    """The site, the ticket's view and its counter's name; raises DomainError or ValueError."""
    site = site_store.get_site(hub.db, site_id)
    ticket_id = int(ticket_id_text)
    t = hub.runner.view(site, lambda ctx: ticket_status(ctx, ticket_id))["ticket"]
    counter = None
    if t.get("counter"):
        with contextlib.suppress(DomainError):
            counter = site_store.get_counter(hub.db, site.id, t["counter"]).name
    return site, t, counter


async def ticket_page(request: web.Request) -> web.Response:
    hub = hub_of(request)
    try:
        site, t, counter = _ticket(hub, request.match_info["site"], request.match_info["ticket_id"])
    except (DomainError, ValueError):
        body = "<main><p>Không tìm thấy phiếu này.</p></main>"
        return html_page("Phiếu số thứ tự", body, STYLE, status=404)
    live = t["status"] in LIVE
    body = ("<main>"
            f"<h1>{html.escape(site.name)}</h1><p>Phiếu số thứ tự · {html.escape(t['service_name'])}</p>"
            f"<p class='n'>{html.escape(t['number'])}</p>"
            f"<p class='st' id='status' role='status' aria-live='polite'>{html.escape(status_text(t, counter))}</p>"
            f"<p id='issued'>Lấy số lúc {html.escape(short_datetime(t.get('issued_at')))}</p>"
            f"<p><small id='live'>{'Tự cập nhật khi đến lượt.' if live else ''}</small></p></main>")
    if t["status"] == "waiting" and _sms_ready(hub):
        body += _alert_form(request.path, request.query.get("da_dang_ky"))
    return html_page(f"Số {t['number']}", body + (SCRIPT if live else ""), STYLE)


def _sms_ready(hub) -> bool:  # noqa: ANN001
    """Only where the office has an SMS gateway configured (notify.json "sms")."""
    from hub.notify.senders import load

    try:
        return "sms" in load(hub.config.data_dir)
    except (OSError, ValueError, KeyError):
        return False


def _alert_form(path: str, done: str | None) -> str:
    if done:
        return f"<p class='ok' id='alert_ok' role='status'>Sẽ nhắn tin đến {html.escape(done)} khi sắp đến lượt.</p>"
    options = "".join(f"<option value='{n}'{' selected' if n == 3 else ''}>{n}</option>" for n in range(1, 6))
    return (f"<form method='post' action='{html.escape(path)}/nhan-tin' id='alert'>"
            "<p><b>Nhắn tin cho tôi khi sắp đến lượt</b></p>"
            "<label for='phone'>Số điện thoại di động</label>"
            "<input id='phone' name='phone' type='tel' inputmode='tel' autocomplete='tel' required>"
            f"<label for='ahead'>Khi còn bao nhiêu người phía trước</label><select id='ahead' name='ahead'>{options}"
            "</select><button type='submit' id='alert_send'>Nhận tin nhắn</button></form>")


async def ask_alert(request: web.Request) -> web.Response:
    """The form's POST: one SMS when that many are ahead (hub.ops.queue.ask_alert), then back to the page."""
    from hub.ops.queue import ask_alert as op

    hub = hub_of(request)
    try:
        form = await form_body(request)
        site, t, _counter = _ticket(hub, request.match_info["site"], request.match_info["ticket_id"])
        if not _sms_ready(hub):
            raise web.HTTPNotFound()
        ahead = int(str(form.get("ahead") or "3"))
        got = hub.runner.run(site, lambda ctx: op(ctx, int(t["id"]), str(form.get("phone") or ""), ahead))
    except (DomainError, ValueError) as exc:
        said = exc.text("vi") if isinstance(exc, DomainError) else "Số người phía trước không hợp lệ."
        return html_page("Nhắn tin khi sắp đến lượt", f"<main><p class='err' role='alert'>{html.escape(said)}</p>"
                         f"<p><a href='{html.escape(request.path.rsplit('/', 1)[0])}'>Quay lại phiếu</a></p></main>",
                         STYLE, status=400)
    back = request.path.rsplit("/", 1)[0]
    raise web.HTTPSeeOther(f"{back}?da_dang_ky={got['phone']}")


class TicketFeed:
    """Wakes the open ticket pages of a site after each committed change of its queue."""

    def __init__(self) -> None:
        self.waiting: dict[str, set[asyncio.Event]] = {}
        self.closing = False

    def after_commit(self, effects) -> None:  # noqa: ANN001
        for site_id in effects.display_sites:
            for ev in self.waiting.get(site_id, ()):
                ev.set()


FEED_KEY = web.AppKey("ticket_feed", TicketFeed)


async def ticket_events(request: web.Request) -> web.StreamResponse:
    """Server-sent events `ticket` {status, live}: now, then whenever the words change, until final."""
    hub = hub_of(request)
    site_id, tid = request.match_info["site"], request.match_info["ticket_id"]
    try:
        _ticket(hub, site_id, tid)
    except (DomainError, ValueError):
        raise web.HTTPNotFound() from None
    feed = request.app[FEED_KEY]
    wake = asyncio.Event()
    feed.waiting.setdefault(site_id, set()).add(wake)
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                       "X-Accel-Buffering": "no"})
    await resp.prepare(request)
    sent = None
    try:
        while True:
            _site, t, counter = _ticket(hub, site_id, tid)
            said = {"status": status_text(t, counter), "live": t["status"] in LIVE}
            if said != sent:
                await resp.write(f"event: ticket\ndata: {json.dumps(said, ensure_ascii=False)}\n\n".encode())
                sent = said
            if not said["live"] or feed.closing:
                break
            wake.clear()
            try:
                await asyncio.wait_for(wake.wait(), HEARTBEAT_S)
            except TimeoutError:
                await resp.write(b": keep-alive\n\n")
    except (ConnectionResetError, asyncio.CancelledError, DomainError):
        pass
    finally:
        feed.waiting.get(site_id, set()).discard(wake)
    return resp


def add_routes(app: web.Application) -> None:
    app.router.add_get("/t/{site}/{ticket_id}", ticket_page)
    app.router.add_get("/t/{site}/{ticket_id}/events", ticket_events)
    app.router.add_post("/t/{site}/{ticket_id}/nhan-tin", ask_alert)
    app[FEED_KEY] = TicketFeed()

    async def attach(app: web.Application) -> None:
        hub = app[HUB_KEY]
        if hub.router is not None:
            hub.router.after_commit.append(app[FEED_KEY].after_commit)

    async def shutdown(app: web.Application) -> None:  # end the open pages' streams: phones reconnect
        feed = app[FEED_KEY]
        feed.closing = True
        for events in feed.waiting.values():
            for ev in events:
                ev.set()
    app.on_startup.append(attach)
    app.on_shutdown.append(shutdown)
