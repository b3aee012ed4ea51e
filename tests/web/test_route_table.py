"""Every route of the real hub's HTTP app, walked from its route table: without a credential, each one
not on the public list answers 401 or 403. A new route is private unless it is added here on purpose."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

from hub.web.common import HUB_KEY
from tests.support.hubproc import InProcessHub

# What a citizen, a lobby screen or a kiosk reads without signing in (and the sign-in page itself).
PUBLIC = {
    ("GET", "/"), ("GET", "/login"), ("POST", "/login"), ("GET", "/static"),
    ("GET", "/api/v1/health"), ("GET", "/api/v1/sites"), ("GET", "/api/v1/sites/{site}/state"),
    ("GET", "/api/v1/sites/{site}/kpis/public"), ("GET", "/api/v1/sites/{site}/tickets/{ticket_id}"),
    ("GET", "/t/{site}/{ticket_id}"), ("GET", "/t/{site}/{ticket_id}/events"),
    ("POST", "/t/{site}/{ticket_id}/nhan-tin"),  # "text me when N are ahead": one SMS per ticket, once
    ("GET", "/api/v1/sites/{site}/board"),
    ("GET", "/api/v1/dossiers/{code}"), ("GET", "/d/{code}"), ("POST", "/d/{code}/rate"),
    ("GET", "/d/{code}/ket-qua"), ("GET", "/d/{code}/giay-hen"), ("GET", "/api/v1/procedures"),
    ("GET", "/api/v1/procedures/{pid}"), ("GET", "/api/v1/catalog"),
    ("GET", "/agency"), ("GET", "/console"),  # redirects to the console page
    ("GET", "/console/"),  # the page holds no data: everything it shows comes from the private API
    ("GET", "/api/v1/openapi.json"), ("GET", "/api/docs"),
    # Citizens book without an account (issue #12); a booking is changed only through its secret link.
    ("GET", "/hen/{site}"), ("POST", "/hen/{site}"), ("GET", "/hen/q/{secret}"), ("POST", "/hen/q/{secret}/{action}"),
    ("GET", "/api/v1/sites/{site}/appointments/slots"), ("POST", "/api/v1/sites/{site}/appointments"),
    # A new board enrols with its single-use code (throttled) and fetches the release it is told to run
    # (issue #14); the fleet page is a shell whose data comes from the technician-only API.
    ("POST", "/api/v1/enrol"), ("GET", "/api/v1/release"), ("GET", "/api/v1/release/{file}"),
    ("GET", "/console/fleet"),
    # A centre hub joins its province with a single-use code (throttled); the province page is a shell.
    ("POST", "/api/v1/province/join"), ("GET", "/console/province"),
    # A citizen looks a dossier up at the province by code and key, wherever it was received (rate-limited).
    ("GET", "/api/v1/province/dossiers/{code}"), ("GET", "/tra-cuu"),
    # A centre fetches a release the province announced with its own sync account (HTTP Basic), not a console one.
    ("GET", "/api/v1/province/releases/{release}"),
    # A centre whose disk died rebuilds itself: a single-use code (throttled), then its own rows with its new
    # sync account (HTTP Basic), and its own dossier files the same way.
    ("POST", "/api/v1/province/rebuild"), ("GET", "/api/v1/province/rebuild/rows"),
    ("GET", "/api/v1/province/rebuild/files"),
}
SAMPLE = {"site": "demo", "ticket_id": "1", "code": "HS-X", "form": "control-sheet", "action": "accept",
          "username": "quantri", "pid": "x", "name": "x", "fmt": "csv", "device_id": "demo-kiosk-01",
          "year": "2026", "number": "1"}


def _routes(hub: InProcessHub) -> list[tuple[str, str]]:
    app = next(a for a in _apps(hub) if a[HUB_KEY] is hub.hub)
    out = []
    for route in app.router.routes():
        if route.method == "HEAD":
            continue
        info = route.resource.get_info() if route.resource else {}
        canonical = route.resource.canonical if route.resource else ""
        out.append((route.method, canonical or info.get("path", "")))
    return out


def _apps(hub: InProcessHub) -> list:
    return [hub.hub._web.app]  # the aiohttp application the running hub serves


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)(:[^}]*)?\}", lambda m: SAMPLE.get(m.group(1), "x"), path)


def test_every_private_route_refuses_an_anonymous_request(console: InProcessHub) -> None:
    routes = _routes(console)
    assert len(routes) > 30
    private = [(m, p) for m, p in routes if (m, p) not in PUBLIC]
    assert set(PUBLIC) <= set(routes), f"public list names routes that do not exist: {set(PUBLIC) - set(routes)}"
    answers = {}
    for method, path in private:
        req = urllib.request.Request(f"http://127.0.0.1:{console.http_port}{_url(path)}", method=method,
                                     data=b"{}" if method == "POST" else None,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                answers[(method, path)] = r.status
        except urllib.error.HTTPError as e:
            answers[(method, path)] = e.code
    leaks = {k: v for k, v in answers.items() if v not in (401, 403)}
    assert not leaks, f"private routes answered an anonymous request: {leaks}"
    # And a forged bearer is no better than none.
    req = urllib.request.Request(f"http://127.0.0.1:{console.http_port}/api/v1/sites/demo/kpis",
                                 headers={"Authorization": "Bearer mct_forged"})
    try:
        urllib.request.urlopen(req, timeout=10)
        raise AssertionError("forged token accepted")
    except urllib.error.HTTPError as e:
        assert e.code == 401


def test_public_health_and_kpis_hold_nothing_private(console: InProcessHub) -> None:
    import json

    base = f"http://127.0.0.1:{console.http_port}"
    with urllib.request.urlopen(f"{base}/api/v1/health", timeout=10) as r:
        health = json.loads(r.read())
    assert health == {"status": "ok"}
    with urllib.request.urlopen(f"{base}/api/v1/sites/demo/kpis/public", timeout=10) as r:
        kpis = json.loads(r.read())
    assert set(kpis["overall"]) == {"issued", "served", "waiting_now", "wait_avg_s", "wait_within_target"}
    assert "by_officer" not in kpis and "votes" not in kpis
