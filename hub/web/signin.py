"""Console sign-in: /login, sign-out, the signed-in user, password change, and accounts administration.

The password hash is checked in a worker thread (scrypt takes tens of milliseconds: never on the event
loop, never inside the write transaction). The session cookie is HttpOnly and SameSite=Strict, and
Secure whenever the hub is reached over HTTPS (or `secure_cookies` is set); the sign-in form refuses a
cross-site Origin, so nobody can sign a visitor in as someone else."""

from __future__ import annotations

import asyncio
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

from aiohttp import web

from hub.domain import authz
from hub.domain.passwords import hash_password, verify_password, weakness
from hub.domain.roles import ROLE_EN, ROLE_VI
from hub.ops import accounts as acc_ops
from hub.ops.context import Actor
from hub.store import accounts as acc_store
from hub.web.auth import PRINCIPAL_KEY, SESSION_COOKIE, Principal, authenticate, requires
from hub.web.common import bad_request, error_response, form_body, hub_of, json_body
from hub.web.schema import F, Schema, describe, validate
from motcua_core.errors import DomainError

STATIC = Path(__file__).parent / "static"


@cache
def _dummy_hash() -> str:
    return hash_password("not a password, only for timing")


LOGIN: Schema = {"username": F("string", True, "user name", 40), "password": F("string", True, "password", 200)}
PASSWORD: Schema = {"old": F("string", True, "current password", 200),
                    "new": F("string", True, "new password, at least 10 characters", 200)}
ACCOUNT: Schema = {"username": F("string", True, "3–40 lower-case letters, digits, . _ -", 40),
                   "name": F("string", True, "full name", 80), "role": F("string", True, "leader, specialist, "
                                                                          "technician, post or admin"),
                   "site": F("string", False, "site id (all but admin)"),
                   "agency": F("string", False, "a specialist's agency"),
                   "password": F("string", True, "temporary password (changed at first sign-in)", 200)}
RESET: Schema = {"password": F("string", True, "temporary password", 200)}
ACTIVE: Schema = {"active": F("boolean", True, "false: the account can no longer sign in")}


def actor_of(p: Principal) -> Actor:
    return Actor(p.id, p.role, "console" if p.kind == "session" else "api")


async def _check(password: str, stored: str | None) -> bool:
    """Verify in a worker thread; an unknown user costs the same time as a known one."""
    return await asyncio.get_running_loop().run_in_executor(None, verify_password, password, stored or _dummy_hash())


async def _new_hash(password: str, username: str) -> str:
    """The hash of an acceptable new password (computed in a worker thread); a weak one is refused."""
    why = weakness(password, username)
    if why is not None:
        raise DomainError("bad_request", *why)
    return await asyncio.get_running_loop().run_in_executor(None, hash_password, password)


def _same_origin(request: web.Request) -> bool:
    """No Origin (an old browser, a script) or this hub's own. `Origin: null` (a sandboxed frame, a
    data: page, a redirect chain) is refused: a page elsewhere could use it to sign a visitor in."""
    origin = request.headers.get("Origin")
    return origin is None or (origin != "null" and urlparse(origin).netloc == request.host)


@describe("The sign-in page", public=True, returns="text/html")
async def login_page(request: web.Request) -> web.Response:
    return web.FileResponse(STATIC / "login.html")  # type: ignore[return-value]


@describe("Sign in: opens a session (cookie) and returns its CSRF token", body=LOGIN, public=True)
async def login(request: web.Request) -> web.StreamResponse:
    """POST /login: a JSON body {username, password} (the page's fetch) or a plain form."""
    hub = hub_of(request)
    if not _same_origin(request):
        return error_response(DomainError("forbidden", "cross-site sign-in", "Yêu cầu đăng nhập không hợp lệ."))
    if request.content_type == "application/json":
        try:
            body = validate(LOGIN, await json_body(request))
        except DomainError as exc:
            return error_response(exc)
    else:
        body = await form_body(request)
    username = str(body.get("username") or "").strip().lower()
    password = str(body.get("password") or "")
    if not username or not password or len(password) > 200:
        return bad_request("user name and password required", "Hãy nhập tên đăng nhập và mật khẩu.")
    acc = acc_store.get(hub.db, username)
    addr = request.remote or "?"
    try:
        acc_ops.check_lock(hub.db, username, addr, hub.clock())  # before hashing: a lock costs no CPU
        ok = await _check(password, acc.pw_hash if acc else None)
        site = acc.site_id if acc else None
        out = hub.runner.run(site, lambda ctx: acc_ops.sign_in(ctx, username, ok, addr),
                             actor=Actor(username, acc.role if acc else "-", "console"))
    except DomainError as exc:
        return error_response(exc)
    if request.content_type == "application/json":
        resp: web.StreamResponse = web.json_response({"account": out["account"], "csrf": out["csrf"]})
    else:
        resp = web.HTTPSeeOther("/console/")
    secure = request.secure or bool(hub.config.extra.get("secure_cookies"))
    resp.set_cookie(SESSION_COOKIE, out["session"], httponly=True, samesite="Strict", secure=secure, path="/",
                    max_age=acc_store.SESSION_S)
    return resp


@describe("Sign out: ends this session")
@requires(on="self")
async def logout(request: web.Request) -> web.Response:
    p = authenticate(request)
    if p is None or p.kind != "session":
        return error_response(DomainError("unauthorized", "not signed in", "Chưa đăng nhập."))
    hub = hub_of(request)
    secret = request.cookies[SESSION_COOKIE]
    hub.runner.run(p.site, lambda ctx: acc_ops.sign_out(ctx, p.id, secret), actor=actor_of(p))
    resp = web.json_response({"ok": True})
    resp.del_cookie(SESSION_COOKIE, path="/")
    return resp


@describe("Who is signed in, and the session's CSRF token")
@requires(on="self")
async def me(request: web.Request) -> web.Response:
    """Who is signed in (any credential), with the CSRF token the console's forms send back."""
    p = authenticate(request)
    if p is None:
        return error_response(DomainError("unauthorized", "sign-in required", "Cần đăng nhập."))
    return web.json_response({"id": p.id, "name": p.name, "role": p.role, "site": p.site, "agency": p.agency,
                              "kind": p.kind, "csrf": p.csrf, "must_change": p.must_change})


@describe("Change one's own password (other sessions end)", body=PASSWORD)
@requires(on="self")
async def change_password(request: web.Request) -> web.Response:
    p = authenticate(request)
    if p is None or p.kind != "session":
        return error_response(DomainError("unauthorized", "sign in first", "Cần đăng nhập."))
    hub = hub_of(request)
    try:
        body = validate(PASSWORD, await json_body(request))
        old, new = str(body.get("old") or ""), str(body.get("new") or "")
        if new == old:
            raise DomainError("bad_request", "new password equals the old one", "Mật khẩu mới phải khác mật khẩu cũ.")
        new_hash = await _new_hash(new, p.id)
        ok = await _check(old, acc_store.require(hub.db, p.id).pw_hash)
        secret = request.cookies[SESSION_COOKIE]
        hub.runner.run(p.site, lambda ctx: acc_ops.change_password(ctx, p.id, ok, new_hash, secret),
                       actor=actor_of(p))
    except DomainError as exc:
        return error_response(exc)
    return web.json_response({"ok": True})


# --- accounts administration (administrators) -------------------------------------------------------

@describe("Console accounts", roles=("admin",))
@requires("admin", on="own")
async def accounts_list(request: web.Request) -> web.Response:
    p: Principal = request[PRINCIPAL_KEY]  # type: ignore[assignment]
    db = hub_of(request).db
    roles = [{"role": r, "vi": ROLE_VI[r], "en": ROLE_EN[r]} for r in acc_store.CONSOLE_ROLES
             if p.site is None or (r != "admin" and authz.scope_problem(r, p.site) is None)]  # what it may create
    return web.json_response({"accounts": [{**a.public(), "role_vi": ROLE_VI.get(a.role, a.role),
                                            "role_en": ROLE_EN.get(a.role, a.role)}
                                           for a in acc_store.list_all(db, p.site)], "roles": roles})


@describe("Create a console account", body=ACCOUNT, roles=("admin",))
@requires("admin", on="own")
async def accounts_add(request: web.Request) -> web.Response:
    """A site administrator creates accounts of its own site only, never an administrator nor an account
    without a site (hub.domain.authz)."""
    p: Principal = request[PRINCIPAL_KEY]  # type: ignore[assignment]
    hub = hub_of(request)
    try:
        body = validate(ACCOUNT, await json_body(request))
        username = str(body.get("username") or "").strip().lower()
        authz.check(p.subject, authz.Target("account", username, body.get("site") or None,
                                            role=str(body.get("role") or ""), hidden=False))
        pw_hash = await _new_hash(str(body.get("password") or ""), username)
        site = body.get("site") or None
        out = hub.runner.run(site, lambda ctx: acc_ops.create(
            ctx, username=username, role=str(body.get("role") or ""), site_id=site, agency=body.get("agency"),
            name=str(body.get("name") or ""), pw_hash=pw_hash), actor=actor_of(p))
    except DomainError as exc:
        return error_response(exc)
    return web.json_response(out, status=201)


@describe("Reset a password to a temporary one", body=RESET, roles=("admin",))
@requires("admin")
async def accounts_reset(request: web.Request) -> web.Response:
    """An administrator sets a temporary password; the user must change it at next sign-in."""
    p: Principal = request[PRINCIPAL_KEY]  # type: ignore[assignment]
    hub = hub_of(request)
    username = request.match_info["username"]
    try:
        body = validate(RESET, await json_body(request))
        acc = acc_store.require(hub.db, username)
        pw_hash = await _new_hash(str(body.get("password") or ""), username)
        out = hub.runner.run(acc.site_id, lambda ctx: acc_ops.reset_password(ctx, username, pw_hash),
                             actor=actor_of(p))
    except DomainError as exc:
        return error_response(exc)
    return web.json_response(out)


@describe("Deactivate or reactivate an account", body=ACTIVE, roles=("admin",))
@requires("admin")
async def accounts_active(request: web.Request) -> web.Response:
    p: Principal = request[PRINCIPAL_KEY]  # type: ignore[assignment]
    hub = hub_of(request)
    username = request.match_info["username"]
    try:
        body = validate(ACTIVE, await json_body(request))
        acc = acc_store.require(hub.db, username)
        out = hub.runner.run(acc.site_id, lambda ctx: acc_ops.set_active(ctx, username, bool(body.get("active"))),
                             actor=actor_of(p))
    except DomainError as exc:
        return error_response(exc)
    return web.json_response(out)


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/login", login_page)
    r.add_post("/login", login)
    r.add_post("/logout", logout)
    r.add_get("/api/v1/console/me", me)
    r.add_post("/api/v1/console/password", change_password)
    r.add_get("/api/v1/console/accounts", accounts_list)
    r.add_post("/api/v1/console/accounts", accounts_add)
    r.add_post("/api/v1/console/accounts/{username}/reset", accounts_reset)
    r.add_post("/api/v1/console/accounts/{username}/active", accounts_active)
