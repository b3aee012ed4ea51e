"""The authorisation matrix of the HTTP API, generated from the running hub's route table: every private
route × every console role × a principal of the object's own site, of the other site, and of the
province (global) scope, each asking about demo's objects (its site, its dossier, a device and an account
of it). The expected answer comes from the route's own declaration (`@requires` roles and `on`) and the
rule of hub.domain.authz; a new route joins the matrix by existing, and one without a declaration, or
with a path parameter the guard does not know, fails here.

Refused means 401/403, or 404 `not_found` where the path names an object by id (its existence is not
told). Allowed means anything else: a 400 for the empty body still proves the request got past the rule."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from hub.domain.authz import HIDDEN, may_hold_global
from hub.store.accounts import CONSOLE_ROLES
from hub.web.auth import NOT_OBJECTS, OBJECT_PARAMS, SCOPES
from hub.web.common import HUB_KEY
from tests.security.conftest import SCOPES as SITE_SCOPES
from tests.security.conftest import Walls, scope_name
from tests.web.test_route_table import PUBLIC


def routes(w: Walls) -> list[tuple[str, str, object]]:
    app = w.h.hub._web.app
    assert app[HUB_KEY] is w.h.hub
    out = []
    for route in app.router.routes():
        if route.method == "HEAD" or route.resource is None:
            continue
        path = route.resource.canonical or route.resource.get_info().get("path", "")
        if (route.method, path) in PUBLIC:
            continue
        out.append((route.method, path, route.handler))
    return out


def params(path: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"\{(\w+)(:[^}]*)?\}", path)]


def url(w: Walls, path: str) -> str:
    sample = {"site": "demo", "code": w.codes["demo"], "device": w.victims["device"],
              "device_id": w.victims["device"], "username": w.victims["account"], "fmt": "csv",
              "form": "control-sheet", "action": "accept", "job": "1", "file_id": "1", "alert_id": "1",
              "year": "2026", "number": "1", "image_id": "1", "sha256": "0" * 64}
    return re.sub(r"\{(\w+)(:[^}]*)?\}", lambda m: sample[m.group(1)], path)


def expected(method: str, path: str, handler: object, role: str, site: str | None) -> bool:
    """Whether a `role` principal of `site` (None: global) may pass the rule for demo's objects."""
    roles = getattr(handler, "roles", ())
    on = getattr(handler, "authz", None)
    if roles and role != "admin" and role not in roles:
        return False
    if "specialist" in roles and role != "specialist":
        return False  # an administrator holds the role but no agency: the agency pages are refused
    if on == "hub":
        return site is None
    names_objects = any(p in OBJECT_PARAMS for p in params(path))
    return not names_objects or site in (None, "demo")  # demo's objects: demo's principals or the province's


def refused(status: int, body: object, path: str) -> bool:
    if status in (401, 403):
        return True
    kinds = {OBJECT_PARAMS.get(p) for p in params(path)} & HIDDEN
    err = body.get("error", {}) if isinstance(body, dict) else {}
    # The rule's answer for an object out of scope, the same as for one that does not exist.
    return status == 404 and err.get("code") == "not_found" and any(
        err.get("message", "").startswith(f"no {k} ") for k in kinds)


def principals() -> list[tuple[str, str | None]]:
    # The other site first, then the own site, then the province: allowed requests that change something
    # (a device revoked, a dossier accepted) come after every refusal.
    order = ("xa2", "demo", None)
    return [(role, site) for site in order for role in CONSOLE_ROLES
            if (site is not None or may_hold_global(role)) and not (site and role == "province_leader")]


def test_every_private_route_declares_what_it_touches(walls: Walls) -> None:
    """A route cannot forget the rule: it is guarded by @requires (or marked as authenticating a device
    itself), says on what it acts, and names no object the guard would not check."""
    undeclared, unknown = [], []
    for method, path, handler in routes(walls):
        on = getattr(handler, "authz", None)
        if on not in (*SCOPES, "device"):
            undeclared.append((method, path))
        for p in params(path):
            if p not in OBJECT_PARAMS and p not in NOT_OBJECTS:
                unknown.append((method, path, p))
        if on == "objects" and not any(p in OBJECT_PARAMS for p in params(path)):
            undeclared.append((method, path, "names no object: declare on='own', 'self' or 'hub'"))
    assert not undeclared, f"private routes without an authorisation declaration: {undeclared}"
    assert not unknown, f"path parameters the guard does not know (add to OBJECT_PARAMS or NOT_OBJECTS): {unknown}"


def test_the_matrix(walls: Walls, artifacts_dir: Path) -> None:
    table = routes(walls)
    assert len(table) > 40
    wrong, cells = [], []
    for role, site in principals():
        token = walls.token(role, site)
        for method, path, handler in table:
            on = getattr(handler, "authz", None)
            if on in ("self", "device"):
                continue  # the caller's own credential: walked in test_self_routes
            body = {} if method in ("POST", "PUT") else None
            status, answer = walls.http(method, url(walls, path), body, token=token)
            want = expected(method, path, handler, role, site)
            got = not refused(status, answer, path)
            cells.append({"principal": f"{role}@{scope_name(site)}", "route": f"{method} {path}", "status": status,
                          "expected": "allowed" if want else "refused"})
            if want != got or status >= 500:
                wrong.append(f"{role}@{scope_name(site)} {method} {path}: {status} "
                             f"{'allowed' if got else 'refused'}, expected {'allowed' if want else 'refused'}")
    out = artifacts_dir / "security"
    out.mkdir(exist_ok=True)
    (out / "http-matrix.json").write_text(json.dumps(cells, ensure_ascii=False, indent=0), encoding="utf-8")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("site", SITE_SCOPES, ids=scope_name)
def test_self_routes_show_each_principal_only_itself(walls: Walls, site: str | None) -> None:
    for role in CONSOLE_ROLES:
        if (walls.tokens.get((role, site))) is None:
            continue  # a role that cannot hold this scope
        status, me = walls.http("GET", "/api/v1/console/me", token=walls.token(role, site))
        assert status == 200 and me["role"] == role and me["site"] == site
        if role == "specialist":
            status, mine = walls.http("GET", "/api/v1/agency/me", token=walls.token(role, site))
            assert status == 200 and mine["site"] == site
