"""What every HTTP module shares: the hub behind the app, the one error shape, reading a JSON body, and the
HTML page around the citizen's phone pages (booking, ticket, dossier status).

Each module under hub/web exposes `add_routes(app)`; hub.web.app registers them all, behind one
middleware (`retry_when_busy`)."""

from __future__ import annotations

import asyncio
import html
import json
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


def hub_of(request: web.Request) -> Hub:
    return request.app[HUB_KEY]  # type: ignore[return-value]


def site_of(request: web.Request) -> site_store.Site:
    """The site named in the path; an unknown one is a 404 with the one error shape."""
    try:
        return site_store.get_site(hub_of(request).db, request.match_info["site"])
    except DomainError as exc:
        raise web.HTTPNotFound(text=json.dumps({"error": error_body(exc)}, ensure_ascii=False),
                               content_type="application/json") from None


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
    except (ValueError, RecursionError):
        body = None
    if not isinstance(body, dict):
        raise DomainError("bad_request", "body must be a JSON object", "Dữ liệu gửi lên không hợp lệ.")
    return nfc(body)  # the one normalisation point for HTTP bodies (motcua_core.text.nfc)


def html_page(title: str, body: str, style: str, *, head: str = "", status: int = 200) -> web.Response:
    """A citizen's phone page: Vietnamese, UTF-8, phone-width viewport, the escaped `title`, the page's own
    `style` and `body` (already HTML). `head` (HTML) goes before the title: the ticket page's refresh."""
    text = ("<!doctype html><html lang='vi'><meta charset='utf-8'><meta name='viewport' "
            "content='width=device-width,initial-scale=1'>" + head + "<title>" + html.escape(title) +
            "</title><style>" + style + "</style><body>" + body + "</body></html>")
    return web.Response(text=text, content_type="text/html", status=status)
