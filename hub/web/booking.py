"""Appointments over HTTP (issue #12): the citizen's phone-sized booking page, its JSON twin, the
cancel/move page behind the link sent with the confirmation, the leaders' figures and the settings.

Public (a citizen needs nothing else): GET/POST /hen/{site} (plain HTML forms: works on any phone
browser, no app, no script), GET/POST /hen/q/{secret}… (one booking, by the secret of its link),
GET /api/v1/sites/{site}/appointments/slots, POST /api/v1/sites/{site}/appointments. The pages show
free seats, never who booked them. Leaders: GET …/appointments/summary; administrators: PUT
…/appointments/settings.

The state-changing POSTs (book, by form or JSON; move; cancel) are limited per client address, since the
per-phone/CCCD limit is no limit for someone who invents numbers; an over-limit POST gets 429 with
`Retry-After` and changes nothing.
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Callable
from datetime import date
from typing import Any

from aiohttp import web

from hub.domain.ratelimit import RateLimiter
from hub.ops import appointments as ops
from hub.ops import security
from hub.ops.run import http_status
from hub.store import appointments as appt_store
from hub.store import sites as site_store
from hub.web.auth import requires
from hub.web.common import (
    client_key,
    error_response,
    form_body,
    html_page,
    hub_of,
    is_retry,
    json_body,
    site_of,
)
from motcua_core.errors import DomainError

WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
STYLE = ("body{font-family:sans-serif;max-width:28em;margin:0 auto;padding:.5em 1em;font-size:17px}"
         "h1{font-size:1.35em}label{display:block;margin:.7em 0 .2em;font-weight:bold}"
         "select,input,button{font-size:1em;width:100%;box-sizing:border-box;padding:.55em}"
         "button{background:#0b5;color:#fff;border:0;border-radius:.3em;margin-top:1em;font-weight:bold}"
         "button.sec{background:#777}.err{background:#fdd;color:#900;padding:.6em;border-radius:.3em}"
         ".ok{background:#dfd;padding:.6em;border-radius:.3em}.slots label{display:flex;gap:.5em;"
         "font-weight:normal;border:1px solid #ccc;border-radius:.3em;padding:.5em;margin:.3em 0}"
         ".slots input{width:auto}.full{color:#999}.code{font-size:2.2em;font-weight:bold;letter-spacing:.1em;"
         "text-align:center;color:#b00}.qr{text-align:center}.qr svg{width:14em;height:14em}small{color:#555}")


def _e(value: Any) -> str:
    return html.escape(str(value if value is not None else ""), quote=True)


def day_label(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{WEEKDAYS_VI[d.weekday()]}, {d.strftime('%d/%m/%Y')}"


def qr_svg(text: str) -> str:
    """The booking QR as inline SVG (the kiosk's scanner reads it off the phone's screen)."""
    import qrcode
    import qrcode.image.svg

    out = io.BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2).save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg"):]


def _options(items: list[tuple[str, str]], selected: str | None, empty: str | None = None) -> str:
    opts = [f"<option value=''>{_e(empty)}</option>"] if empty is not None else []
    opts += [f"<option value='{_e(v)}'{' selected' if v == selected else ''}>{_e(label)}</option>" for v, label in items]
    return "".join(opts)


def _error(exc: DomainError) -> str:
    return f"<p class='err' role='alert'>{_e(exc.message_vi or exc.message)}</p>"


# --- per-client limits on the POSTs ------------------------------------------------------------------

# Counted per client address, the TCP peer as for the public dossier lookup (no proxy header is trusted):
# everyone behind one NAT, guest Wi-Fi or reverse proxy shares one allowance. A citizen books once, now and
# then for a relative as well, and moves or cancels once or twice; five bookings in ten minutes leaves
# room for a household or a few people on the centre's Wi-Fi, while a script filling the day's seats under
# invented phone numbers gets at most 30 an hour from one address. Only bookings that went through use up
# that allowance (a typo costs nothing); every POST, refused or not, counts against the per-minute cap: a
# citizen fixing a typo sends two or three a minute, ten stops a flood of moves, cancels or bad forms.
BOOKINGS_PER_10_MIN = 5
POSTS_PER_MINUTE = 10


class BookingLimits:
    """The two allowances of one hub's booking routes (the dossier lookup's RateLimiter, twice)."""

    def __init__(self) -> None:
        self.posts = RateLimiter(POSTS_PER_MINUTE, 60.0)
        self.bookings = RateLimiter(BOOKINGS_PER_10_MIN, 600.0)


LIMITS_KEY = web.AppKey("booking_limits", BookingLimits)


def _post_wait(request: web.Request) -> int:
    """Count this POST for its client: the seconds it must wait first (0: go ahead). A run repeated
    because the database was busy was counted (and let through) the first time."""
    if is_retry(request):
        return 0
    posts, client, now = request.app[LIMITS_KEY].posts, client_key(request), hub_of(request).clock()
    return 0 if posts.allow(client, now) else max(1, math.ceil(posts.retry_after(client, now)))


def _booking_wait(request: web.Request) -> int:
    """Seconds before this client may book again (0: now). Checked with no await between it, the booking
    and `_booked`, so concurrent POSTs of one client cannot all slip under the limit."""
    return math.ceil(request.app[LIMITS_KEY].bookings.retry_after(client_key(request), hub_of(request).clock()))


def _booked(request: web.Request) -> None:
    request.app[LIMITS_KEY].bookings.allow(client_key(request), hub_of(request).clock())


def _limited(wait: int) -> DomainError:
    mins = math.ceil(wait / 60)
    if wait < 60:
        en, vi = ("1 second" if wait == 1 else f"{wait} seconds"), f"{wait} giây"
    else:
        en, vi = ("1 minute" if mins == 1 else f"{mins} minutes"), f"{mins} phút"
    return DomainError("rate_limited", f"Too many booking requests from this device or network. Please try "
                       f"again in {en}, or call the office to book.",
                       "Đã có quá nhiều yêu cầu đặt lịch từ thiết bị hoặc mạng này. "
                       f"Xin đợi {vi} rồi thử lại, hoặc gọi điện cho Bộ phận một cửa để được đặt lịch giúp.")


def _limited_page(wait: int, back: str) -> web.Response:
    body = (f"<h1>Xin thử lại sau</h1>{_error(_limited(wait))}"
            f"<p><a href='{_e(back)}' id='back'>Quay lại</a></p>")
    resp = html_page("Xin thử lại sau", body, STYLE, status=429)
    resp.headers["Retry-After"] = str(wait)
    return resp


def _limited_json(wait: int) -> web.Response:
    resp = error_response(_limited(wait))
    resp.headers["Retry-After"] = str(wait)
    return resp


# --- the booking page ---------------------------------------------------------------------------------

def _booking_form(request: web.Request, site: site_store.Site, values: dict, error: str = "") -> str:
    """One page that grows as the citizen chooses: service → day (and procedure) → slot and contact."""
    hub = hub_of(request)
    services = site_store.list_services(hub.db, site.id)
    service = next((s for s in services if s.code == values.get("service")), None)
    parts = [f"<h1>Đặt lịch hẹn</h1><p>{_e(site.name)}</p>", error,
             f"<form method='get' action='/hen/{_e(site.id)}' id='choose'>",
             "<label for='service'>Lĩnh vực / dịch vụ</label><select id='service' name='service'>",
             _options([(s.code, s.name) for s in services], values.get("service"), "— Chọn dịch vụ —"), "</select>"]
    if service is not None:
        days = hub.runner.view(site, ops.bookable_days)
        procs = appt_store.procedures_of_field(hub.db, service.field)
        parts += ["<label for='procedure'>Thủ tục (không bắt buộc)</label><select id='procedure' name='procedure'>",
                  _options([(pid, name) for pid, name in procs], values.get("procedure"), "— Chưa chọn thủ tục —"),
                  "</select><label for='day'>Ngày đến</label><select id='day' name='day'>",
                  _options([(d, day_label(d)) for d in days], values.get("day"), "— Chọn ngày —"), "</select>"]
    parts.append("<button type='submit' class='sec' id='next'>Xem giờ còn trống</button></form>")
    if service is not None and values.get("day"):
        try:
            free = hub.runner.view(site, lambda ctx: ops.slots(ctx, service.code, values["day"]))
        except DomainError as exc:
            return "".join(parts) + _error(exc)
        parts.append(_slot_form(f"/hen/{site.id}", free, values, contact=True))
    parts.append("<p><small>Mang theo CCCD khi đến. Không cần cài ứng dụng. Mã lịch hẹn và đường dẫn hủy/đổi "
                 "lịch được gửi qua tin nhắn.</small></p>")
    return "".join(parts)


def _slot_form(action: str, free: dict, values: dict, *, contact: bool) -> str:
    rows = []
    for s in free["slots"]:
        full = s["free"] <= 0
        chosen = str(s["start"]) == str(values.get("slot_start") or "")
        rows.append(f"<label class='{'full' if full else ''}'><input type='radio' name='slot_start' "
                    f"value='{s['start']}'{' disabled' if full else ''}{' checked' if chosen and not full else ''}>"
                    f"{_e(s['time'])}–{_e(s['end_time'])} · "
                    f"{'hết chỗ' if full else 'còn ' + str(s['free']) + ' chỗ'}</label>")
    if not rows:
        return "<p class='err'>Ngày này không còn khung giờ nào. Xin chọn ngày khác.</p>"
    hidden = "".join(f"<input type='hidden' name='{k}' value='{_e(values.get(k))}'>"
                     for k in ("service", "day", "procedure") if values.get(k))
    fields = ""
    if contact:
        fields = ("<label for='name'>Họ và tên</label>"
                  f"<input id='name' name='name' autocomplete='name' value='{_e(values.get('name'))}' required>"
                  "<label for='phone'>Số điện thoại</label>"
                  f"<input id='phone' name='phone' type='tel' inputmode='tel' value='{_e(values.get('phone'))}' required>"
                  "<label for='email'>Email (không bắt buộc)</label>"
                  f"<input id='email' name='email' type='email' value='{_e(values.get('email'))}'>"
                  "<label for='cccd'>Số CCCD (không bắt buộc; để nhận số bằng thẻ CCCD)</label>"
                  f"<input id='cccd' name='cccd' inputmode='numeric' value='{_e(values.get('cccd'))}'>")
    label = "Đặt lịch" if contact else "Đổi sang giờ này"
    return (f"<form method='post' action='{_e(action)}' id='book'>{hidden}<label>Giờ đến "
            f"({_e(day_label(free['day']))})</label><div class='slots'>{''.join(rows)}</div>{fields}"
            f"<button type='submit' id='submit'>{label}</button></form>")


async def booking_page(request: web.Request) -> web.Response:
    site = site_of(request)
    values = {k: request.query.get(k, "") for k in ("service", "day", "procedure")}
    return html_page("Đặt lịch hẹn", _booking_form(request, site, values), STYLE)


def _book(site_id: str, values: dict, source: str) -> Callable:
    return lambda ctx: ops.book(ctx, service=str(values.get("service") or ""), day=str(values.get("day") or ""),
                                slot_start=values.get("slot_start") or "", name=str(values.get("name") or ""),
                                phone=str(values.get("phone") or ""), email=str(values.get("email") or ""),
                                cccd=str(values.get("cccd") or "") or None,
                                procedure=str(values.get("procedure") or "") or None, source=source)


async def booking_submit(request: web.Request) -> web.Response:
    """The form's POST: book, then show the booking's own page (code, QR, cancel/move) by its link."""
    hub = hub_of(request)
    site = site_of(request)
    if wait := _post_wait(request):
        return _limited_page(wait, f"/hen/{site.id}")
    form = await form_body(request)
    values = {k: str(form.get(k) or "")[:200] for k in
              ("service", "day", "procedure", "slot_start", "name", "phone", "email", "cccd")}
    if wait := _booking_wait(request):
        return _limited_page(wait, f"/hen/{site.id}")
    try:
        out = hub.runner.run(site, _book(site.id, values, "web"))
        _booked(request)
    except DomainError as exc:  # everything typed is kept on the page
        resp = html_page("Đặt lịch hẹn", _booking_form(request, site, values, _error(exc)), STYLE,
                         status=http_status(exc.code))
        if exc.code == "rate_limited":  # the site's ceiling on online bookings (hub.ops.security)
            resp.headers["Retry-After"] = str(int(security.BURST_WINDOW_S))
        return resp
    raise web.HTTPSeeOther(out["appointment"]["manage_path"] + "?moi=1")


# --- one booking, by its link -------------------------------------------------------------------------

def _site_of_secret(request: web.Request) -> tuple[site_store.Site, str]:
    hub = hub_of(request)
    secret = request.match_info["secret"]
    a = appt_store.by_secret(hub.db, secret)
    if a is None:
        raise web.HTTPNotFound(text="Không tìm thấy lịch hẹn (đường dẫn không đúng).")
    return site_store.get_site(hub.db, a.site_id), secret


def _manage_body(request: web.Request, site: site_store.Site, secret: str, note: str = "",
                 move_day: str | None = None) -> str:
    hub = hub_of(request)
    a = hub.runner.view(site, lambda ctx: ops.manage_view(ctx, secret))["appointment"]
    path = f"/hen/q/{secret}"
    parts = [f"<h1>Lịch hẹn</h1><p>{_e(site.name)}</p>", note,
             f"<p>Mã lịch hẹn</p><p class='code' id='code'>{_e(a['code_display'])}</p>",
             f"<div class='qr'>{qr_svg('MCH:' + a['code'])}</div>" if a["status"] == "booked" else "",
             f"<p><b>{_e(a['service_name'])}</b>" + (f" — {_e(a['procedure_name'])}" if a["procedure_name"] else "") +
             f"</p><p id='when'>{_e(day_label(a['day']))}, {_e(a['time'])}–{_e(a['end_time'])}</p>",
             f"<p>Trạng thái: <b id='status'>{_e(a['status_vi'])}</b></p>"]
    if a["status"] == "booked":
        parts.append("<p><small>Đến trước giờ hẹn, quét mã QR này (hoặc mã QR trên thẻ CCCD, nếu đã nhập số CCCD) "
                     "tại ki-ốt để lấy số. Đến muộn quá thời gian cho phép sẽ được xếp như khách không hẹn."
                     "</small></p>")
        days = hub.runner.view(site, ops.bookable_days)
        choices = _options([(d, day_label(d)) for d in days], move_day or a["day"])
        parts += [f"<form method='get' action='{path}'><label for='move_day'>Đổi lịch sang ngày</label>"
                  f"<select id='move_day' name='ngay'>{choices}</select>"
                  "<button type='submit' class='sec' id='move_show'>Xem giờ còn trống</button></form>"]
        if move_day:
            try:
                free = hub.runner.view(site, lambda ctx: ops.slots(ctx, a["service"], move_day))
                parts.append(_slot_form(f"{path}/doi", free, {"day": move_day}, contact=False))
            except DomainError as exc:
                parts.append(_error(exc))
        parts.append(f"<form method='post' action='{path}/huy'><button type='submit' class='sec' id='cancel'>"
                     "Hủy lịch hẹn</button></form>")
    return "".join(parts)


async def manage_page(request: web.Request) -> web.Response:
    site, secret = _site_of_secret(request)
    note = "<p class='ok' id='done'>Đặt lịch thành công. Xin lưu lại mã và trang này.</p>" \
        if request.query.get("moi") else ""
    return html_page("Lịch hẹn", _manage_body(request, site, secret, note, request.query.get("ngay") or None),
                     STYLE)


async def manage_action(request: web.Request) -> web.Response:
    hub = hub_of(request)
    if wait := _post_wait(request):
        return _limited_page(wait, f"/hen/q/{request.match_info['secret']}")
    site, secret = _site_of_secret(request)
    action = request.match_info["action"]
    form = await form_body(request)
    try:
        if action == "huy":
            hub.runner.run(site, lambda ctx: ops.cancel(ctx, secret))
            note = "<p class='ok'>Đã hủy lịch hẹn.</p>"
        elif action == "doi":
            day, slot = str(form.get("day") or ""), str(form.get("slot_start") or "")
            hub.runner.run(site, lambda ctx: ops.move(ctx, secret, day, slot))
            note = "<p class='ok'>Đã đổi lịch hẹn.</p>"
        else:
            raise web.HTTPNotFound()
    except DomainError as exc:
        return html_page("Lịch hẹn", _manage_body(request, site, secret, _error(exc)), STYLE, status=409)
    return html_page("Lịch hẹn", _manage_body(request, site, secret, note), STYLE)


# --- JSON ---------------------------------------------------------------------------------------------

async def slots_json(request: web.Request) -> web.Response:
    hub = hub_of(request)
    site = site_of(request)
    service, day = request.query.get("service", ""), request.query.get("day", "")
    try:
        return web.json_response(hub.runner.view(site, lambda ctx: ops.slots(ctx, service, day)))
    except DomainError as exc:
        return error_response(exc)


async def book_json(request: web.Request) -> web.Response:
    """Book from a script or another front end: the same operation as the form; 201 with the booking."""
    hub = hub_of(request)
    site = site_of(request)
    if wait := _post_wait(request):
        return _limited_json(wait)
    try:
        body = await json_body(request)
        if wait := _booking_wait(request):
            return _limited_json(wait)
        out = hub.runner.run(site, _book(site.id, body, "web"))
        _booked(request)
    except DomainError as exc:
        resp = error_response(exc)
        if exc.code == "rate_limited":
            resp.headers["Retry-After"] = str(int(security.BURST_WINDOW_S))
        return resp
    return web.json_response(out, status=201)


@requires("leader")
async def summary_json(request: web.Request) -> web.Response:
    """Bookings against capacity, punctuality and no-show rate of a day (the leaders' dashboard)."""
    hub = hub_of(request)
    site = site_of(request)
    try:
        day = request.query.get("day") or None
        return web.json_response(hub.runner.view(site, lambda ctx: ops.summary(ctx, day or ctx.day)))
    except DomainError as exc:
        return error_response(exc)


@requires("admin")
async def settings_json(request: web.Request) -> web.Response:
    """Set the booking policy and seats per slot: {"policy": {...}, "capacity": {"HT": 4, "CT": null}}."""
    hub = hub_of(request)
    site = site_of(request)
    try:
        body = await json_body(request)
        policy = hub.runner.run(site, lambda ctx: ops.configure(ctx, body.get("policy"), body.get("capacity")))
    except DomainError as exc:
        return error_response(exc)
    return web.json_response(policy)


def add_routes(app: web.Application) -> None:
    app[LIMITS_KEY] = BookingLimits()
    r = app.router
    r.add_get("/hen/q/{secret}", manage_page)
    r.add_post("/hen/q/{secret}/{action}", manage_action)
    r.add_get("/hen/{site}", booking_page)
    r.add_post("/hen/{site}", booking_submit)
    r.add_get("/api/v1/sites/{site}/appointments/slots", slots_json)
    r.add_post("/api/v1/sites/{site}/appointments", book_json)
    r.add_get("/api/v1/sites/{site}/appointments/summary", summary_json)
    r.add_put("/api/v1/sites/{site}/appointments/settings", settings_json)
