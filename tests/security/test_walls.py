"""Sites are walls: each hole found by probing a two-site hub as an attacker on the office LAN would,
tried again the same way (real hub, real Mosquitto, real HTTP). Every probe also checks that nothing of
demo's changed and that the refusal tells no more than an unknown object would."""

from __future__ import annotations

import asyncio
import http.client
import time

import pytest

from hub.domain.forms import FORM_NAMES
from hub.web.dashboard import RECHECK_S
from motcua_core import clock as wallclock
from motcua_core.errors import RequestError
from tests.dossier.conftest import AGENCY_1
from tests.security.conftest import APPLICANTS, Walls
from tests.support.hubproc import register
from tests.web.conftest import PASSWORD, Client, add_account

UNKNOWN = "DEMO-261125-0999"  # a dossier code that does not exist


def _device(walls: Walls, site: str, role: str, counter: int | None = None):  # noqa: ANN202
    cfg = register(walls.h.data, role, walls.h.mqtt_port, site=site, counter=counter,
                   device_id=f"{site}-{role}-w{counter or ''}")
    asyncio.run_coroutine_threadsafe(walls.h.hub.sync_registry(), walls.h.thread.loop).result(10)
    return walls.h.session(cfg)


def _refusal(session, verb: str, data: dict) -> tuple[str, str]:  # noqa: ANN001
    with pytest.raises(RequestError) as err:
        session.request(verb, data, timeout=10, retries=2)
    return err.value.code, err.value.message_vi


# --- (a) a counter of another site ------------------------------------------------------------------

def test_a_counter_of_xa2_cannot_read_or_change_demos_dossiers(walls: Walls) -> None:
    counter = _device(walls, "xa2", "counter", counter=2)
    token = counter.request("counter.login", {"username": "hung2", "pin": "2222"})["token"]
    demo = walls.codes["demo"]
    before = walls.dossier_status(demo)
    # Its own site's dossier it reads: the walls do not stop the counter's work.
    own = counter.request("dossier.get", {"token": token, "code": walls.codes["xa2"]})["dossier"]
    assert own["applicant"]["cccd"] == APPLICANTS["xa2"]["cccd"]
    # Demo's dossier, and codes walked in sequence, answer exactly as a code that does not exist.
    unknown = _refusal(counter, "dossier.get", {"token": token, "code": UNKNOWN})
    assert unknown[0] == "not_found"
    for code in (demo, demo.replace("0001", "0002")):
        assert _refusal(counter, "dossier.get", {"token": token, "code": code}) == unknown
    for form in FORM_NAMES:
        assert _refusal(counter, "dossier.form", {"token": token, "code": demo, "form": form})[0] == "not_found"
    assert _refusal(counter, "dossier.apology", {"token": token, "code": demo, "reason": "trễ"})[0] == "not_found"
    assert _refusal(counter, "dossier.return", {"token": token, "code": demo,
                                                "confirm": {"fees_paid": True, "signed": True}})[0] == "not_found"
    assert walls.dossier_status(demo) == before


# --- (b) a specialist of another site, or of another agency -------------------------------------------

ACTIONS = ("accept", "reject", "supplement", "supplement_received", "finish", "apology")


def test_a_specialist_of_xa2_with_the_same_agency_name_touches_nothing_of_demo(walls: Walls) -> None:
    demo = walls.codes["demo"]
    before = walls.dossier_status(demo)
    xa2 = walls.token("specialist", "xa2")  # agency "Phòng Kinh tế – Hạ tầng", as demo's holder is named
    def seen(code: str) -> tuple:
        status, body = walls.http("GET", f"/api/v1/agency/dossiers/{code}", token=xa2)
        return status, body["error"]["code"], body["error"]["message_vi"]
    assert seen(demo) == seen(UNKNOWN) == (404, "not_found", "Không tìm thấy hồ sơ có mã này.")
    for form in ("control-sheet", "apology", "refusal"):
        assert walls.http("GET", f"/api/v1/agency/dossiers/{demo}/{form}.pdf", token=xa2)[0] == 404
    for action in ACTIONS:
        status, body = walls.http("POST", f"/api/v1/agency/dossiers/{demo}/{action}", {"reason": "x"}, token=xa2)
        assert status == 404 and body["error"]["code"] == "not_found", action
        assert APPLICANTS["demo"]["cccd"] not in str(body) and APPLICANTS["demo"]["phone"] not in str(body)
    # Its list holds its own site's dossier only.
    listed = walls.http("GET", "/api/v1/agency/dossiers", token=xa2)[1]["dossiers"]
    assert [d["code"] for d in listed] == [walls.codes["xa2"]]
    assert walls.dossier_status(demo) == before


def test_a_specialist_of_another_agency_of_demo_is_told_nothing(walls: Walls) -> None:
    from hub.store import tokens as token_store
    from hub.store.db import transaction

    db = walls.h.hub.db

    def add() -> str:
        with transaction(db):
            return token_store.add(db, role="specialist", site_id="demo", now=wallclock.time(),
                                   agency="Phòng Tư pháp", name="tu phap")[1]
    other = walls.on_loop(add)
    demo = walls.codes["demo"]
    for path in (f"/api/v1/agency/dossiers/{demo}", f"/api/v1/agency/dossiers/{demo}/control-sheet.pdf"):
        assert walls.http("GET", path, token=other)[0] == 404
    assert walls.http("POST", f"/api/v1/agency/dossiers/{demo}/accept", {}, token=other)[0] == 404
    # The holder's own specialist, at demo, still works: the rule stops strangers only.
    status, d = walls.http("POST", f"/api/v1/agency/dossiers/{demo}/accept", {},
                           token=walls.token("specialist", "demo"))
    assert status == 200 and d["status"] == "processing" and AGENCY_1 in d["steps"]


# --- (c) a site administrator ------------------------------------------------------------------------

def test_a_site_administrator_cannot_become_the_province_one(walls: Walls) -> None:
    adm = walls.token("admin", "xa2")
    status, body = walls.http("POST", "/api/v1/console/accounts/quantri/reset", {"password": "tam-thoi-2026!"},
                              token=adm)
    assert status == 403 and body["error"]["code"] == "forbidden"
    assert walls.http("POST", "/api/v1/console/accounts/quantri/active", {"active": False}, token=adm)[0] == 403
    new = {"username": "tieman", "name": "Kẻ Lạ", "password": "mat-khau-dai-2026!"}
    for extra in ({"role": "admin"}, {"role": "admin", "site": "xa2"}, {"role": "leader"},
                  {"role": "leader", "site": "demo"}):
        status, body = walls.http("POST", "/api/v1/console/accounts", {**new, **extra}, token=adm)
        assert status == 403, extra
    # Demo's accounts and devices read as unknown; demo's site pages are refused.
    assert walls.http("POST", "/api/v1/console/accounts/lanhdao-demo/reset", {"password": "tam-thoi-2026!"},
                      token=adm)[0] == 404
    assert walls.http("POST", "/api/v1/sites/demo/devices/demo-victim/revoke", {}, token=adm)[0] == 403
    assert walls.http("POST", "/api/v1/sites/xa2/devices/demo-victim/revoke", {}, token=adm)[0] == 404
    assert walls.http("POST", "/api/v1/sites/demo/officers", {"id": "x", "name": "X", "pin": "123456"},
                      token=adm)[0] == 403
    assert walls.http("POST", "/api/v1/catalog/import", b"id,name\n", token=adm,
                      headers={"Content-Type": "text/csv"})[0] == 403
    assert {a["username"] for a in walls.http("GET", "/api/v1/console/accounts", token=adm)[1]["accounts"]} \
        <= {"tieman"}
    # What a site administrator may do, it does: an account of its own site.
    status, made = walls.http("POST", "/api/v1/console/accounts", {**new, "role": "leader", "site": "xa2"},
                              token=adm)
    assert status == 201 and made["site"] == "xa2"
    assert walls.http("POST", "/api/v1/console/accounts/tieman/reset", {"password": "tam-thoi-2026!"},
                      token=adm)[0] == 200
    # The province administrator manages administrators.
    status, made = walls.http("POST", "/api/v1/console/accounts",
                              {**new, "username": "quantri-xa2", "role": "admin", "site": "xa2"},
                              token=walls.token("admin", None))
    assert status == 201


def test_a_site_administrator_signed_in_at_the_console_is_held_the_same(walls: Walls) -> None:
    add_account(walls.h.data, "quantri-xa2b", "admin", "xa2", None)
    c = Client(f"http://127.0.0.1:{walls.h.http_port}")
    assert c.sign_in("quantri-xa2b", PASSWORD)[0] == 200
    assert c.call("POST", "/api/v1/console/accounts/quantri/reset", {"password": "tam-thoi-2026!"})[0] == 403
    assert c.call("POST", "/api/v1/console/accounts", {"username": "mo-coi", "name": "X", "role": "admin",
                                                       "password": "mat-khau-dai-2026!"})[0] == 403
    assert c.call("GET", "/api/v1/sites/demo/config")[0] == 403
    assert c.call("GET", "/api/v1/sites/xa2/config")[0] == 200


# --- (d) metrics --------------------------------------------------------------------------------------

def test_metrics_of_a_site_technician_show_only_its_site(walls: Walls) -> None:
    status, text = walls.http("GET", "/metrics", token=walls.token("technician", "xa2"))
    text = text.decode() if isinstance(text, bytes) else text
    assert status == 200 and 'site="xa2"' in text
    assert 'site="demo"' not in text and "motcua_requests_total" not in text
    status, everything = walls.http("GET", "/metrics", token=walls.token("technician", None))
    everything = everything.decode() if isinstance(everything, bytes) else everything
    assert status == 200 and 'site="xa2"' in everything and 'site="demo"' in everything
    assert walls.http("GET", "/metrics", token=walls.token("leader", "xa2"))[0] == 403


# --- (e) exports and live streams ------------------------------------------------------------------------

EXPORTS = ("/register.csv?from=2026-11-01&to=2026-11-30", "/register.pdf?from=2026-11-01&to=2026-11-30",
           "/reports/weekly.csv?week=2026-W48", "/reports/weekly.pdf?week=2026-W48", "/audit.csv", "/audit",
           "/dashboard", "/kpis", "/live", "/reports/period.csv?period=2026-Q4",
           "/reports/period.json?from=01/11/2026&to=30/11/2026", "/reports/issued")


def test_exports_and_streams_of_demo_are_refused_to_xa2_and_open_to_the_province(walls: Walls) -> None:
    xa2, province = walls.token("leader", "xa2"), walls.token("leader", None)
    for path in EXPORTS:
        assert walls.http("GET", f"/api/v1/sites/demo{path}", token=xa2)[0] == 403, path
        assert walls.http("GET", f"/api/v1/sites/demo{path}", token=province)[0] == 200, path
        assert walls.http("GET", f"/api/v1/sites/xa2{path}", token=xa2)[0] == 200, path
    own = walls.http("GET", "/api/v1/sites/xa2/register.csv?from=2026-11-01&to=2026-11-30", token=xa2)[1]
    own = own.decode("utf-8-sig") if isinstance(own, bytes) else own
    assert walls.codes["xa2"] in own and walls.codes["demo"] not in own
    status, first = walls.http("GET", "/api/v1/sites/xa2/live", token=xa2, stream=True)
    assert status == 200 and "event: state" in first


def test_numbered_reports_are_a_series_per_site_and_walled(walls: Walls) -> None:
    """Each site numbers its own reports from 01; another site's numbered report is refused, the
    province reads it."""
    xa2, demo, province = (walls.token("leader", s) for s in ("xa2", "demo", None))
    status, a = walls.http("POST", "/api/v1/sites/xa2/reports/issued", {"period": "2026-Q4"}, token=xa2)
    assert status == 201, a
    status, b = walls.http("POST", "/api/v1/sites/demo/reports/issued", {"period": "2026-Q4"}, token=demo)
    assert status == 201 and a["number"] == b["number"] == 1
    assert walls.http("POST", "/api/v1/sites/demo/reports/issued", {"period": "2026-Q4"}, token=xa2)[0] == 403
    assert walls.http("GET", b["pdf"], token=xa2)[0] == 403
    assert walls.http("GET", b["pdf"], token=province)[0] == 200
    listed = walls.http("GET", "/api/v1/sites/xa2/reports/issued", token=xa2)[1]["reports"]
    assert [r["number"] for r in listed] == [1]


def test_a_live_stream_ends_when_its_token_is_revoked(walls: Walls) -> None:
    from hub.store import tokens as token_store
    from hub.store.db import transaction

    db = walls.h.hub.db

    def add() -> tuple[int, str]:
        with transaction(db):
            tok, secret = token_store.add(db, role="leader", site_id="xa2", now=wallclock.time(), name="tam thoi")
        return tok.id, secret
    tok_id, secret = walls.on_loop(add)
    conn = http.client.HTTPConnection("127.0.0.1", walls.h.http_port, timeout=30)
    conn.request("GET", "/api/v1/sites/xa2/live", headers={"Authorization": f"Bearer {secret}"})
    r = conn.getresponse()
    assert r.status == 200 and b"event: state" in r.read1(65536)

    def revoke() -> None:
        with transaction(db):
            token_store.revoke(db, tok_id, wallclock.time())
    walls.on_loop(revoke)
    time.sleep(RECHECK_S + 0.2)
    kiosk = _device(walls, "xa2", "kiosk")
    kiosk.request("ticket.issue", {"service": "HT"})  # a change at xa2: the stream is fed, and asks again
    deadline = time.monotonic() + 20
    ended = False
    while time.monotonic() < deadline:
        chunk = r.read1(65536)
        if not chunk:
            ended = True
            break
    conn.close()
    assert ended, "the stream went on after its token was revoked"


def test_a_site_audit_log_holds_no_province_rows_for_a_site_leader(walls: Walls) -> None:
    # A failed sign-in of the province administrator is a row of no site: the province's business.
    assert walls.http("POST", "/login", {"username": "quantri", "password": "sai-mat-khau"})[0] == 401

    def whos(token: str) -> set[str]:
        status, body = walls.http("GET", "/api/v1/sites/xa2/audit", token=token)
        assert status == 200
        return {e["who"] for e in body["entries"]}
    assert "quantri" not in whos(walls.token("leader", "xa2"))
    assert "quantri" in whos(walls.token("leader", None))


def test_a_technician_registers_devices_for_its_own_site_only(walls: Walls) -> None:
    xa2, province = walls.token("technician", "xa2"), walls.token("technician", None)
    assert walls.http("POST", "/api/v1/fleet/devices", {"role": "kiosk", "site": "demo"}, token=xa2)[0] == 403
    assert walls.http("POST", "/api/v1/sites/demo/devices", {"role": "kiosk"}, token=xa2)[0] == 403
    status, body = walls.http("POST", "/api/v1/fleet/devices", {"role": "kiosk"}, token=province)
    assert status == 400 and body["error"]["message_vi"] == "Chọn đơn vị của thiết bị."
    status, made = walls.http("POST", "/api/v1/fleet/devices", {"role": "kiosk", "site": "xa2"}, token=xa2)
    assert status == 201
    # Its fleet view lists its own site's devices, the province's every site's.
    mine = {d["site"] for d in walls.http("GET", "/api/v1/fleet", token=xa2)[1]["devices"]}
    everyone = {d["site"] for d in walls.http("GET", "/api/v1/fleet", token=province)[1]["devices"]}
    assert mine == {"xa2"} and everyone == {"demo", "xa2"}
