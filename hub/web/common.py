"""What every HTTP module shares: the hub behind the app, the one error shape, reading a JSON body, and the
HTML page around the citizen's phone pages (booking, ticket, dossier status).

Each module under hub/web exposes `add_routes(app)`; hub.web.app registers them all, behind two
middlewares: `one_error_shape` (every refusal, aiohttp's own included, is a 4xx with
{"error": {code, message, message_vi}}; nothing a client sends makes a 500) and `retry_when_busy`."""

from __future__ import annotations

import asyncio
import html
import json
import logging
import sqlite3
from typing import TYPE_CHECKING

from aiohttp import web
from aiohttp.typedefs import Handler

from hub.ops.run import error_body, http_status
from hub.store import sites as site_store
from hub.store.db import is_busy
from motcua_core.errors import DomainError
from motcua_core.protocol import ProtocolError, check_value
from motcua_core.text import nfc

if TYPE_CHECKING:
    from hub.app import Hub

HUB_KEY = web.AppKey("hub", object)
log = logging.getLogger("motcua.web")
# aiohttp's own refusals (no such route, wrong method, body too large…) in the one error shape.
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type",
              429: "rate_limited", 503: "busy"}
HTTP_VI = {404: "Không tìm thấy.", 405: "Phương thức không được hỗ trợ.",
           413: "Dữ liệu gửi lên quá lớn.", 400: "Yêu cầu không hợp lệ."}


@web.middleware
async def one_error_shape(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Whatever a request carries, the answer is a handler's or a 4xx in the one error shape: a refusal
    raised past a handler (a DomainError, aiohttp's 404/405/413 with a text body) is turned into it, and
    an unexpected exception is logged and answered 500 `internal` in the same shape."""
    try:
        return await handler(request)
    except DomainError as exc:
        return error_response(exc)
    except web.HTTPException as exc:
        if exc.status < 400 or (exc.content_type == "application/json" and exc.text and exc.text.startswith("{")):
            raise
        code = HTTP_CODES.get(exc.status, f"http_{exc.status}")
        text = exc.text or exc.reason
        if text.startswith(f"{exc.status}:"):
            text = exc.reason
        body = {"error": {"code": code, "message": text, "message_vi": HTTP_VI.get(exc.status, text)}}
        headers = {k: v for k, v in exc.headers.items() if k.lower() in ("allow", "retry-after")}
        if request.method == "GET" and not request.path.startswith("/api/"):  # a citizen's page: words
            resp = html_page(body["error"]["message_vi"], f"<p>{html.escape(text)}</p>", "", status=exc.status)
            resp.headers.update(headers)
            return resp
        return web.json_response(body, status=exc.status, headers=headers)
    except (asyncio.CancelledError, ConnectionResetError):
        raise
    except Exception:
        log.exception("%s %s failed", request.method, request.path)
        return error_response(DomainError("internal", "internal error", "Lỗi hệ thống; xin thử lại sau."))


def hub_of(request: web.Request) -> Hub:
    return request.app[HUB_KEY]  # type: ignore[return-value]


def site_of(request: web.Request) -> site_store.Site:
    """The site named in the path; an unknown one is a 404 with the one error shape."""
    try:
        return site_store.get_site(hub_of(request).db, request.match_info["site"])
    except DomainError as exc:
        raise web.HTTPNotFound(text=json.dumps({"error": error_body(exc)}, ensure_ascii=False),
                               content_type="application/json") from None


# A connection must send a whole request's headers within this many seconds of opening (or of the
# previous answer on a kept-alive connection), else it is closed: slow headers cannot hold sockets.
HEADER_TIMEOUT_S = 10.0
BUSY_WAIT_S = 3.0  # how long an HTTP request waits for another process's write lock before a 503
BUSY_RETRY_S = 0.05
_RETRY = web.RequestKey("busy_retry", int)  # in the request: how many times the handler has run before


def is_retry(request: web.Request) -> bool:
    """True when this run of a handler repeats one the database's lock refused: what the first run
    counted (a rate limit) must not be counted again."""
    return bool(request.get(_RETRY))


@web.middleware
async def retry_when_busy(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Another process holding SQLite's write lock (a CLI command, a backup) makes the hub's short busy
    timeout fail a request at its BEGIN, before anything is written: the handler is run again a little
    later instead of answering 500, as the router retries a batch; after BUSY_WAIT_S the answer is 503
    `busy` with Retry-After. (The body of a request is kept by aiohttp, so a second run reads it again.)"""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + BUSY_WAIT_S
    request[_RETRY] = 0
    while True:
        try:
            return await handler(request)
        except sqlite3.OperationalError as exc:
            if not is_busy(exc):
                raise
            request[_RETRY] += 1
            if loop.time() >= deadline:
                resp = error_response(DomainError("busy", "the database is busy: try again in a few seconds"))
                resp.headers["Retry-After"] = "5"
                return resp
            await asyncio.sleep(BUSY_RETRY_S)


def client_key(request: web.Request) -> str:
    """The address a public page's rate limits count against: the TCP peer (no proxy header is trusted,
    so behind a reverse proxy every citizen shares one allowance)."""
    return f"http:{request.remote or '?'}"


def error_response(exc: DomainError | ProtocolError) -> web.Response:
    return web.json_response({"error": error_body(exc)}, status=http_status(exc.code))


def bad_request(message: str, message_vi: str) -> web.Response:
    return error_response(DomainError("bad_request", message, message_vi))


async def json_body(request: web.Request) -> dict:
    """The request's JSON object body ({} when there is none); anything else is a DomainError. (aiohttp
    keeps the body once read, so a handler run again by retry_when_busy reads it again.)"""
    if not request.body_exists:
        return {}
    try:
        body = await request.json()
        check_value(body)  # the MQTT gate's rule: what we store must encode again (no lone surrogates)
    except (ValueError, RecursionError, LookupError):  # bad JSON, bad UTF-8, an unknown charset
        body = None
    if not isinstance(body, dict):
        raise DomainError("bad_request", "body must be a JSON object", "Dữ liệu gửi lên không hợp lệ.")
    return nfc(body)  # the one normalisation point for HTTP bodies (motcua_core.text.nfc)


async def form_body(request: web.Request) -> dict[str, str]:
    """A form's fields (url-encoded or multipart; no body: none). A body that cannot be read
    as one (another content type, multipart without a boundary, broken parts, bad encoding) is a
    `bad_request`, not a 500."""
    if request.body_exists and request.content_type not in ("application/x-www-form-urlencoded",
                                                             "multipart/form-data"):
        raise DomainError("bad_request", "a form must be sent as application/x-www-form-urlencoded or "
                          "multipart/form-data", "Dữ liệu biểu mẫu không đúng định dạng.")
    try:
        form = await request.post()
    except web.HTTPException:
        raise  # 413: too large, answered in the one error shape by the middleware
    except (ValueError, AssertionError, LookupError, UnicodeError) as exc:
        raise DomainError("bad_request", f"the form could not be read: {exc}"[:200],
                          "Dữ liệu biểu mẫu không đọc được.") from None
    return {k: v for k, v in form.items() if isinstance(v, str)}


def html_page(title: str, body: str, style: str, *, head: str = "", status: int = 200) -> web.Response:
    """A citizen's phone page: Vietnamese, UTF-8, phone-width viewport, the escaped `title`, the page's own
    `style` and `body` (already HTML). `head` (HTML) goes before the title: the ticket page's refresh."""
    text = ("<!doctype html><html lang='vi'><meta charset='utf-8'><meta name='viewport' "
            "content='width=device-width,initial-scale=1'>" + head + "<title>" + html.escape(title) +
            "</title><style>" + style + "</style><body>" + body + "</body></html>")
    return web.Response(text=text, content_type="text/html", status=status)
