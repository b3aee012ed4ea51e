"""The public ticket page a citizen's phone opens from the QR on a printed ticket (issue #3).

Shows the number, service, status, people ahead and estimated wait, refreshing itself; nothing personal
(the ticket holds no personal data). JSON stays at /api/v1/sites/<site>/tickets/<id>.
"""

from __future__ import annotations

import html

from aiohttp import web

from hub.ops.queue import ticket_status
from hub.store import sites as site_store
from hub.web.common import html_page, hub_of
from motcua_core.errors import DomainError
from motcua_core.text import short_datetime

REFRESH_S = 20
REFRESH = f"<meta http-equiv='refresh' content='{REFRESH_S}'>"  # while the ticket can still change
STYLE = ("body{font-family:sans-serif;max-width:30em;margin:1em auto;padding:0 1em;text-align:center}"
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


async def ticket_page(request: web.Request) -> web.Response:
    hub = hub_of(request)
    try:
        site = site_store.get_site(hub.db, request.match_info["site"])
        ticket_id = int(request.match_info["ticket_id"])
        t = hub.runner.view(site, lambda ctx: ticket_status(ctx, ticket_id))
    except (DomainError, ValueError):
        body = "<p>Không tìm thấy phiếu này.</p>"
        return html_page("Phiếu số thứ tự", body, STYLE, status=404)
    t = t["ticket"]
    counter = None
    if t.get("counter"):
        try:
            counter = site_store.get_counter(hub.db, site.id, t["counter"]).name
        except DomainError:
            counter = None
    body = (f"<p>{html.escape(site.name)}</p><p>Phiếu số thứ tự · {html.escape(t['service_name'])}</p>"
            f"<p class='n'>{html.escape(t['number'])}</p>"
            f"<p class='st' id='status'>{html.escape(status_text(t, counter))}</p>"
            f"<p id='issued'>Lấy số lúc {html.escape(short_datetime(t.get('issued_at')))}</p>"
            f"<p><small>Cập nhật mỗi {REFRESH_S} giây.</small></p>")
    live = t["status"] in ("waiting", "called", "held")
    return html_page(f"Số {t['number']}", body, STYLE, head=REFRESH if live else "")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/t/{site}/{ticket_id}", ticket_page)
