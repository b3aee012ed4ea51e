"""Who is asking, and may they: the one authentication and authorisation check of the HTTP API.

A request carries `Authorization: Bearer <secret>`: an API token (hub.store.tokens, scoped to a role and
a site) or an agency specialist's token (hub.store.specialists); or the console's session cookie (a
password sign-in at /login, hub.store.accounts). Handlers declare what they need with `@requires(role, …)`;
a missing or unknown credential is 401, a known one without the role or for another site is 403 — both in
the one error shape, with a Vietnamese message. A session's unsafe requests (POST …) must echo its CSRF
token in the `X-CSRF-Token` header (the cookie alone, which a browser sends for any page, is not enough);
a session whose password must be changed may do nothing else first.

The site and agency half of every check is hub.domain.authz, applied here once for every route:
`@requires` resolves each object the route's path names (`{site}`, a dossier `{code}`, a `{device}`, an
account `{username}`) and refuses what lies outside the principal's scope; a route that names none
declares what it reads (`on="own"`: only the principal's own site, all sites for the province scope;
`"self"`: the principal's own account; `"hub"`: what spans every site; a route that names nothing and
declares nothing is held as `"hub"`, closed to a site's principals). tests/security walks the route
table and fails on a private route without a declaration or with a path parameter it does not know."""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps

from aiohttp import web

from hub.domain import authz
from hub.ops.authz import Ref, enforce, resolve
from hub.ops.run import error_body
from hub.store import accounts as acc_store
from hub.store import specialists as spec_store
from hub.store import tokens as token_store
from hub.web.common import error_response, hub_of
from motcua_core.errors import DomainError

PRINCIPAL_KEY: web.RequestKey[object] = web.RequestKey("principal", object)
CSRF_FAILED: web.RequestKey[bool] = web.RequestKey("csrf_failed", bool)
SESSION_COOKIE = "motcua_session"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Principal:
    kind: str  # "token" | "specialist" | "session" (the console)
    id: str
    role: str
    site: str | None  # None: every site (administrators only)
    agency: str | None = None
    name: str = ""
    csrf: str = ""  # a session's CSRF token (the console page reads it from /api/v1/console/me)
    must_change: bool = False  # a session whose password was reset: it must choose a new one first

    def may_see(self, site: str) -> bool:
        return authz.in_scope(self.subject, site)

    @property
    def subject(self) -> authz.Subject:
        """This principal as the authorisation rule sees it (its agency identified by site and name)."""
        return authz.Subject(self.kind, self.id, self.role, self.site, authz.agency_of(self.site, self.agency))


def _refuse(status: int, code: str, message: str, message_vi: str) -> web.HTTPException:
    cls = web.HTTPUnauthorized if status == 401 else web.HTTPForbidden
    body = json.dumps({"error": error_body(DomainError(code, message, message_vi))}, ensure_ascii=False)
    return cls(text=body, content_type="application/json")


def bearer(request: web.Request) -> str:
    auth = request.headers.get("Authorization", "")
    return auth[7:].strip() if auth.startswith("Bearer ") else ""


def authenticate(request: web.Request) -> Principal | None:
    """The principal behind the request's credential, or None (cached on the request)."""
    if PRINCIPAL_KEY in request:
        return request[PRINCIPAL_KEY]
    db = hub_of(request).db
    secret = bearer(request)
    found: Principal | None = None
    if secret:
        token = token_store.by_secret(db, secret)
        if token is not None:
            found = Principal("token", str(token.id), token.role, token.site_id, token.agency, token.name)
        else:
            spec = spec_store.by_token(db, secret)
            if spec is not None:
                found = Principal("specialist", spec.id, "specialist", spec.site_id, spec.agency, spec.name)
    elif cookie := request.cookies.get(SESSION_COOKIE, ""):
        found = _session(request, cookie)
    request[PRINCIPAL_KEY] = found
    return found


def _session(request: web.Request, cookie: str) -> Principal | None:
    hub = hub_of(request)
    got = acc_store.session(hub.db, cookie, hub.clock())
    if got is None:
        return None
    acc, csrf = got
    if request.method in UNSAFE and not hmac.compare_digest(request.headers.get("X-CSRF-Token", "").encode(), csrf.encode()):
        request[CSRF_FAILED] = True
        return None
    return Principal("session", acc.username, acc.role, acc.site_id, acc.agency, acc.name, csrf, acc.must_change)


def require(request: web.Request, *roles: str, site: str | None = None, self_only: bool = False) -> Principal:
    """The principal, if it holds one of `roles` (administrators hold every role; no roles: any principal)
    and may see `site`; otherwise raise the 401/403 answer. `self_only`: a request about the principal's
    own account, allowed to a session that must change its password."""
    p = authenticate(request)
    if p is None and request.get(CSRF_FAILED):
        raise _refuse(403, "forbidden", "missing or wrong CSRF token",
                      "Biểu mẫu đã hết hạn; hãy tải lại trang rồi thử lại.")
    if p is None:
        raise _refuse(401, "unauthorized", "sign-in required", "Cần đăng nhập.")
    if p.must_change and not self_only:
        raise _refuse(403, "forbidden", "password change required", "Hãy đổi mật khẩu trước khi tiếp tục.")
    if roles and p.role != "admin" and p.role not in roles:
        raise _refuse(403, "forbidden", f"role {p.role} may not do this",
                      "Tài khoản của bạn không có quyền thực hiện thao tác này.")
    if site is not None and not p.may_see(site):
        raise _refuse(403, "forbidden", f"not allowed for site {site}", "Tài khoản của bạn không thuộc đơn vị này.")
    return p


# Path parameters that name an object, and its kind for hub.domain.authz; every other parameter of a
# private route must be listed in NOT_OBJECTS (a format, a form's name, an action's name).
OBJECT_PARAMS = {"site": "site", "code": "dossier", "device": "device", "device_id": "device", "username": "account"}
# `file_id` is a file of the dossier `{code}` beside it: the handler takes it from that dossier only;
# `alert_id` is a security alert of the site `{site}` beside it (hub.ops.security.release refuses another's).
# `year` and `number` name a numbered report of the site `{site}` beside it (read from that site only).
# `release` is a release file's name, served to a centre with its own sync account (hub.web.province_down).
# `image_id` is a lobby image of the site `{site}` beside it (read from that site only); `sha256` names a
# lobby image for a display, read from the calling display's own site only (hub.web.lobby_media).
NOT_OBJECTS = frozenset({"fmt", "form", "action", "job", "file_id", "alert_id", "year", "number", "release",
                         "image_id", "sha256"})
SCOPES = ("objects", "own", "self", "hub")


def path_refs(request: web.Request) -> list[Ref]:
    return [Ref(OBJECT_PARAMS[k], v) for k, v in request.match_info.items() if k in OBJECT_PARAMS]


def requires(*roles: str, on: str = "objects",
             open_when: Callable[[web.Request], bool] | None = None) -> Callable[[Handler], Handler]:
    """Decorator: the handler runs only for one of `roles`, and only when every object its path names is
    in the principal's scope (hub.domain.authz; another site's dossier, device or account is 404, another
    site 403). `on` declares what else it touches (SCOPES, see the module's docstring); `open_when(request)`
    true lets anyone in (an operator's choice, such as public metrics). The principal is in
    `request[PRINCIPAL_KEY]`."""
    assert on in SCOPES, on

    def wrap(handler: Handler) -> Handler:
        @wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            if open_when is not None and open_when(request):
                return await handler(request)
            p = require(request, *roles, self_only=on == "self")
            refs = path_refs(request)
            if on == "hub" or (on == "objects" and not refs):  # undeclared and naming nothing: fail closed
                refs.append(Ref("hub", "hub"))
            try:
                enforce(hub_of(request).db, p.subject, refs)
            except DomainError as exc:
                return error_response(exc)
            return await handler(request)

        guarded.roles = roles  # type: ignore[attr-defined]  # read by the route-table test and OpenAPI
        guarded.authz = on  # type: ignore[attr-defined]  # read by the authorisation matrix
        return guarded

    return wrap


def sees_hub(request: web.Request, p: Principal) -> bool:
    """Whether `p` may see what spans every site (hub.domain.authz: the province scope, or the one site
    the hub serves): the hub-wide metrics, the audit rows of no site."""
    return authz.refusal(p.subject, resolve(hub_of(request).db, Ref("hub", "hub"))) is None


def still_allowed(request: web.Request, *roles: str) -> bool:
    """Whether the request's credential still passes (a long stream asks again: a revoked token, a
    deactivated account or a closed session ends it)."""
    request.pop(PRINCIPAL_KEY, None)
    try:
        p = require(request, *roles)
        enforce(hub_of(request).db, p.subject, path_refs(request))
    except (web.HTTPException, DomainError):
        return False
    return True


def declares(on: str) -> Callable[[Handler], Handler]:
    """Mark a handler that authenticates by other means (a device's own credential) for the matrix."""

    def mark(handler: Handler) -> Handler:
        handler.authz = on  # type: ignore[attr-defined]
        return handler

    return mark
