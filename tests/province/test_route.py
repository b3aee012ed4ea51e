"""Dossiers routed between the hubs of a province (Decree 118/2025 Art. 14, 18, 20): commune A receives one
dossier for commune B's People's Committee and one for a provincial department. The province takes both;
it relays the first down to B's own hub, whose specialist finds it in the agency list of B's console API
and works on it there; the department's specialist works on the second at the province — both while A's
link is cut. B's events reach the province (checked by its state machine) and then A; A returns both
results; every copy (A, the province, B) ends with the same events, none lost or doubled, none flagged;
the citizen looks both up at the province's public page throughout. Separate processes, each hub with its
own Mosquitto and SQLite file; the link is cut with the sync.pause hook."""

from __future__ import annotations

import json
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from counter_terminal.core import CounterCore
from counter_terminal.dossier_core import DossierCore
from devicekit.session import DeviceSession
from motcua_core.errors import RequestError
from tests.province.test_handover import _post, _status, _wait
from tests.province.test_lookup import APPLICANT, _lookup
from tests.province.test_sync import overview
from tests.support.hubproc import register
from tests.support.province import cli, province, read

DEPARTMENT = "Sở Tư pháp"
COMMUNE_B = "Ủy ban nhân dân xã Số 2"


def _proc(pid: str, agency: str, documents: int = 1) -> dict:
    return {"id": pid, "code": f"2.{len(pid):06d}", "name": f"Thủ tục do {agency} giải quyết",
            "field": "tu-phap", "level": "commune", "agency": agency, "processing_days": 5,
            "documents": [{"name": f"Giấy tờ số {i + 1}", "copies": 1} for i in range(documents)]}


GENERIC = "Ủy ban nhân dân cấp xã"  # as the catalogue names a commune procedure's agency
PROCS = [_proc("thu-tuc-cua-so", DEPARTMENT), _proc("thu-tuc-cua-xa-b", COMMUNE_B)]
COMMUNE_PROC = _proc("thu-tuc-cap-xa", GENERIC)  # the officer names commune B as competent (Art. 14(2))
WITHDRAWN = _proc("thu-tuc-rut-lai", COMMUNE_B)  # the citizen withdraws it at A while B decides it


def _get(port: int, path: str, token: str) -> tuple[int, dict | bytes]:
    import urllib.error
    import urllib.request

    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
            return r.status, json.loads(body) if r.headers.get_content_type() == "application/json" else body
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def specialist(data: Path, site: str, ident: str, agency: str) -> str:
    return json.loads(cli("hub", "specialist", "add", "--data", str(data), "--site", site, "--id", ident,
                          "--agency", agency, "--name", f"Chuyên viên {agency}").stdout)["token"]


def events(data: Path, code: str) -> list[tuple]:
    return read(data, "SELECT kind, at, by_who FROM dossier_events WHERE code = ? ORDER BY id", (code,))


def counter_at(commune, procs: list[dict], tmp_path: Path) -> tuple[DeviceSession, DossierCore]:
    (tmp_path / "procs.json").write_text(json.dumps({"procedures": procs}, ensure_ascii=False), encoding="utf-8")
    cli("hub", "catalog", "import", "--data", str(commune.data), str(tmp_path / "procs.json"))
    cfg = register(commune.data, "counter", commune.proc.mqtt_port, counter=1, site=commune.site, request_timeout_s=10.0)
    time.sleep(1.5)
    session = DeviceSession(cfg)
    session.start()
    assert session.wait_connected(30)
    counter = CounterCore(session)
    counter.login("lan1", "1111")
    counter.open()
    return session, DossierCore(session, tmp_path / "printed")


def test_a_dossier_for_commune_b_is_routed_to_b_and_one_for_a_department_to_the_province(tmp_path: Path) -> None:
    p = province(tmp_path, 2, with_catalogue=True)
    session = None
    try:
        a, b = p.communes
        dept = specialist(p.data, "tinh", "so-tp-1", DEPARTMENT)
        session, counter = counter_at(a, [*PROCS, WITHDRAWN, COMMUNE_PROC], tmp_path)
        codes = {}

        def intake(proc: dict, **options) -> None:
            r = session.request("dossier.intake", {"token": session.officer_token, "procedure": proc["id"],
                                                   "applicant": APPLICANT, "documents": [0], "options": options})
            assert r.get("complete"), r
            codes[proc["id"]] = (r["code"], r["lookup_key"])

        intake(PROCS[0])
        intake(WITHDRAWN)
        d_dept, k_dept = codes[PROCS[0]["id"]]
        d_w = codes[WITHDRAWN["id"]][0]
        cli("hub", "dossier", "transfer", "--data", str(a.data), "--site", a.site)  # the handover (control sheet)
        _wait(lambda: bool(read(p.data, "SELECT 1 FROM sync_held WHERE code = ?", (d_dept,))))
        # Nobody in the province serves B's agency yet: its dossier waits at A, handed over, not taken.
        time.sleep(2)
        assert not read(p.data, "SELECT 1 FROM sync_held WHERE code = ?", (d_w,))
        # B's specialist is set up; B's next hello tells the province, which takes it and relays it.
        spec_b = specialist(b.data, b.site, "ubnd-xa-2", COMMUNE_B)
        _wait(lambda: bool(read(p.data, "SELECT 1 FROM sync_held WHERE code = ?", (d_w,))), timeout=40)
        assert read(p.data, "SELECT centre_id FROM sync_agencies WHERE agency = ?", (COMMUNE_B,)) == [(b.site,)]
        # A's counter has the province's directory of agencies: the officer names commune B as competent
        # for a commune procedure the catalogue gives to "Ủy ban nhân dân cấp xã" (one of the province's
        # own, the other B's) and one nobody serves is refused in Vietnamese.
        _wait(lambda: {(x["agency"], x["centre"]) for x in counter.agencies()} >= {(COMMUNE_B, b.site),
                                                                                 (DEPARTMENT, "")}, timeout=40)
        assert [x["name"] for x in counter.agencies() if x["agency"] == COMMUNE_B] == ["Xã xa-2"]
        with pytest.raises(RequestError) as refused:
            session.request("dossier.intake", {"token": session.officer_token, "procedure": COMMUNE_PROC["id"],
                                               "applicant": APPLICANT, "documents": [0],
                                               "options": {"competent": "Ủy ban nhân dân xã Không Có"}})
        assert "Không có cơ quan “Ủy ban nhân dân xã Không Có”" in str(refused.value.message_vi)
        intake(COMMUNE_PROC, competent=COMMUNE_B)
        d_b, k_b = codes[COMMUNE_PROC["id"]]
        cli("hub", "dossier", "transfer", "--data", str(a.data), "--site", a.site)
        _wait(lambda: len(read(p.data, "SELECT 1 FROM sync_held WHERE code IN (?, ?, ?)", (d_dept, d_b, d_w))) == 3,
              timeout=40)
        assert read(a.data, "SELECT agency, holder FROM dossiers WHERE code = ?", (d_b,)) == [(COMMUNE_B, COMMUNE_B)]
        # The province relays B's dossiers to B's own hub: B's specialist has them in the agency list.
        _wait(lambda: _status(b.data, d_b) == _status(b.data, d_w) == "transferred", timeout=40)
        assert _status(b.data, d_dept) is None  # the department's dossier does not go to B
        st, mine = _get(b.proc.http_port, "/api/v1/agency/dossiers", spec_b)
        assert st == 200 and sorted(x["code"] for x in mine["dossiers"]) == sorted([d_b, d_w]), mine
        assert _lookup(p.proc.http_port, d_b, k_b)[1]["status"] == "transferred"
        # A's link is cut: B's specialist and the department's work on while A cannot know.
        a.cut()
        for port, token, code in ((b.proc.http_port, spec_b, d_b), (p.proc.http_port, dept, d_dept),
                                  (b.proc.http_port, spec_b, d_w)):
            st, out = _post(port, f"/api/v1/agency/dossiers/{code}/accept", token, {})
            assert st == 200, out
        _wait(lambda: _lookup(p.proc.http_port, d_b, k_b)[1]["status"] == "processing")  # B → province at once
        assert _lookup(p.proc.http_port, d_dept, k_dept)[1]["status"] == "processing"
        for port, token, code in ((b.proc.http_port, spec_b, d_b), (p.proc.http_port, dept, d_dept),
                                  (b.proc.http_port, spec_b, d_w)):
            st, out = _post(port, f"/api/v1/agency/dossiers/{code}/finish", token, {"note": "Đã giải quyết"})
            assert st == 200, out
        _wait(lambda: _lookup(p.proc.http_port, d_b, k_b)[1]["status"] == "ready")
        # Meanwhile at cut-off A the citizen withdraws the third: A cannot know B has decided it.
        out = session.request("dossier.withdraw", {"token": session.officer_token, "code": d_w,
                                                   "reason": "Công dân xin rút hồ sơ"})
        assert out["dossier"]["status"] == "withdrawn"
        time.sleep(1)
        assert _status(a.data, d_b) == _status(a.data, d_dept) == "transferred"  # cut off
        # The link returns: both results come back to A's desk through A's state machine.
        a.mend()
        _wait(lambda: _status(a.data, d_b) == "ready" and _status(a.data, d_dept) == "ready", timeout=60)
        for code in (d_b, d_dept):
            out = session.request("dossier.return", {"token": session.officer_token, "code": code,
                                                     "confirm": {"fees_paid": True, "signed": True}})
            assert out["dossier"]["status"] == "returned"
        _wait(lambda: _status(p.data, d_b) == _status(p.data, d_dept) == "returned")
        _wait(lambda: _status(b.data, d_b) == "returned", timeout=40)  # the return goes down to B's copy too
        for code, key in ((d_b, k_b), (d_dept, k_dept)):
            assert _lookup(p.proc.http_port, code, key)[1]["status"] == "returned"
        want = ["received", "transferred", "accepted", "step_done", "transferred", "returned"]
        for code, copies in ((d_b, (a.data, p.data, b.data)), (d_dept, (a.data, p.data))):
            lists = [events(data, code) for data in copies]
            assert [k for k, _at, _by in lists[0]] == want, lists[0]
            assert all(x == lists[0] for x in lists), f"{code}: the copies differ: {lists}"
            assert len(set(lists[0])) == len(lists[0])  # 0 duplicated
        # The conflict is kept and flagged for a person on both sides, never dropped: the province refused A's
        # withdrawal of a decided dossier (shown on the province's console), A refused B's decision.
        _wait(lambda: len(read(a.data, "SELECT 1 FROM sync_flags WHERE code = ?", (d_w,))) == 3)
        assert [k for (k,) in read(a.data, "SELECT json_extract(body, '$.kind') FROM sync_flags ORDER BY id")] == \
            ["accepted", "step_done", "transferred"]
        flagged = overview(p)["flagged"]
        assert [(f["code"], f["kind"], f["from"]) for f in flagged] == [(d_w, "withdrawn", a.site)], flagged
        assert "Không thể thực hiện" in flagged[0]["reason"]
        assert _status(a.data, d_w) == "withdrawn" and _status(p.data, d_w) == _status(b.data, d_w) == "ready"
        assert read(b.data, "SELECT COUNT(*) FROM sync_flags")[0][0] == 0
        copied = read(p.data, "SELECT body FROM sync_rows WHERE kind = 'dossier_event' AND parent = ?", (d_w,))
        assert [json.loads(body)["kind"] for (body,) in copied].count("withdrawn") == 1  # either engine's copy
        # Who appended what: B's specialist's events came from B, the department's from the province.
        origins = dict(read(p.data, "SELECT kind, origin FROM dossier_events WHERE code = ? AND kind IN "
                                    "('accepted', 'returned')", (d_b,)))
        assert origins == {"accepted": b.site, "returned": a.site}
        assert read(a.data, "SELECT origin FROM dossier_events WHERE code = ? AND kind = 'accepted'",
                    (d_b,))[0][0] == b.site
        # The provincial centre receives a commune procedure of commune B too (Art. 14(2)): relayed alike.
        p_session, _ = counter_at(SimpleNamespace(data=p.data, proc=p.proc, site="tinh"), [PROCS[1]], tmp_path)
        try:
            r = p_session.request("dossier.intake", {"token": p_session.officer_token, "procedure": PROCS[1]["id"],
                                                     "applicant": APPLICANT, "documents": [0]})
            d_p = r["code"]
            cli("hub", "dossier", "transfer", "--data", str(p.data), "--site", "tinh")
            _wait(lambda: _status(b.data, d_p) == "transferred", timeout=40)
            for action in ("accept", "finish"):
                assert _post(b.proc.http_port, f"/api/v1/agency/dossiers/{d_p}/{action}", spec_b, {})[0] == 200
            _wait(lambda: _status(p.data, d_p) == "ready")
            out = p_session.request("dossier.return", {"token": p_session.officer_token, "code": d_p,
                                                       "confirm": {"fees_paid": True, "signed": True}})
            assert out["dossier"]["status"] == "returned"
            _wait(lambda: _status(b.data, d_p) == "returned", timeout=40)
            assert events(p.data, d_p) == events(b.data, d_p) and [k for k, _at, _by in events(b.data, d_p)] == want
        finally:
            p_session.stop()
    finally:
        if session is not None:
            session.stop()
        p.stop()
