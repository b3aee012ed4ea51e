"""Decree 118/2025/NĐ-CP over a real hub (its Mosquitto, SQLite, HTTP API, the counter's MQTT verbs):
a supplement counted again from zero, asked once and within 3 working days, closed after 15 days;
withdrawal; a financial obligation; a correction; an on-the-spot receipt on request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from counter_terminal.core import CounterCore
from counter_terminal.dossier_core import DossierCore
from motcua_core.errors import RequestError
from tests.dossier.conftest import AGENCY_1, APPLICANT, DossierHub, local_ts

PROC = "cap-phep-xay-dung-lien-thong"  # 5 working days, two agencies


@pytest.fixture
def desk(dhub: DossierHub, tmp_path: Path) -> tuple[CounterCore, DossierCore]:
    counter = CounterCore(dhub.h.device("counter", counter=1))
    counter.login("lan1", "1111")
    counter.open()
    dhub.morning_sign_in.append((counter, "lan1", "1111"))
    return counter, DossierCore(counter.session, tmp_path / "printed")


def act(dhub: DossierHub, code: str, action: str, body: dict | None = None) -> tuple[int, dict]:
    return dhub.http("POST", f"/api/v1/agency/dossiers/{code}/{action}", body or {}, token=dhub.tokens[AGENCY_1])


def test_supplement_once_within_3_days_restarts_the_clock_and_closes_after_15_days(dhub: DossierHub, desk) -> None:
    _, d = desk
    # Wed 25/11/2026 08:00: due Wed 2/12 17:00; supplements may be asked until Mon 30/11 17:00.
    a, b, c = (d.intake(PROC, APPLICANT, [0, 1, 2])["code"] for _ in range(3))
    dhub.set_time("2026-11-25T10:31")
    dhub.tick()
    for code in (a, b, c):
        assert act(dhub, code, "accept")[0] == 200
    dhub.set_time("2026-11-26T09:00")
    status, body = act(dhub, a, "supplement", {"reason": "Bổ sung bản vẽ mặt bằng"})
    assert status == 200 and body["status"] == "supplement"
    assert body["supplement_close_at"] == "2026-12-11T17:00+07:00"  # 15 days after the notice
    assert act(dhub, c, "supplement", {"reason": "Bổ sung giấy tờ đất"})[0] == 200

    # Completed Mon 30/11 10:00: the whole 5 working days again → Mon 7/12 17:00 (not the 4 days left).
    dhub.set_time("2026-11-30T10:00")
    status, body = act(dhub, a, "supplement_received")
    assert status == 200 and body["due_at"] == body["legal_due_at"] == "2026-12-07T17:00+07:00"
    assert dhub.public(a)[1]["due_at"] == "2026-12-07T17:00+07:00"
    # A second request is refused, in Vietnamese.
    status, body = act(dhub, a, "supplement", {"reason": "Bổ sung thêm"})
    assert status == 409 and "chỉ được yêu cầu bổ sung, hoàn thiện một lần" in body["error"]["message_vi"]
    # Asking after the 3 working days is refused.
    dhub.set_time("2026-12-01T08:00")
    status, body = act(dhub, b, "supplement", {"reason": "Bổ sung bản vẽ"})
    assert status == 409 and "03 ngày làm việc" in body["error"]["message_vi"]

    # The third was never completed: still open on 11/12 at 16:59, stopped (closed) at 17:01.
    dhub.set_time("2026-12-11T16:59")
    assert dhub.tick()["closed"] == []
    dhub.set_time("2026-12-11T17:01")
    assert dhub.tick()["closed"] == [c]
    pub = dhub.public(c)[1]
    assert pub["status"] == "stopped" and pub["status_vi"] == "Dừng giải quyết, mời nhận lại hồ sơ"
    assert pub["timeline"][-1]["status_vi"] == "Dừng giải quyết hồ sơ"
    status, body = act(dhub, c, "supplement_received")
    assert status == 409
    # The notices, on the forms of Circular 03/2025: Mẫu 02 (the request) and Mẫu 05 (the stop).
    status, raw = dhub.http("GET", f"/api/v1/agency/dossiers/{c}/stop.pdf", token=dhub.tokens[AGENCY_1])
    text = pdf_words(raw)
    for part in ("Mẫu số 05", "Thông tư 03/2025/TT-VPCP", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "Số: 1/TBDGQ",
                 f"Mã hồ sơ: {c}", "Sau 15 ngày kể từ ngày thông báo yêu cầu bổ sung"):
        assert part in text, part
    status, raw = dhub.http("GET", f"/api/v1/agency/dossiers/{a}/supplement.pdf", token=dhub.tokens[AGENCY_1])
    text = pdf_words(raw)
    for part in ("Mẫu số 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Bổ sung bản vẽ mặt bằng",
                 "Thời hạn giải quyết được tính lại từ đầu"):
        assert part in text, part


def pdf_words(raw: bytes) -> str:
    import io

    from pypdf import PdfReader

    assert raw[:5] == b"%PDF-"
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(raw)).pages).split())


def test_withdrawal_obligation_and_correction(dhub: DossierHub, desk) -> None:
    counter, d = desk
    w, o = (d.intake(PROC, APPLICANT, [0, 1, 2])["code"] for _ in range(2))
    dhub.set_time("2026-11-25T10:31")
    dhub.tick()
    assert act(dhub, w, "accept")[0] == 200 and act(dhub, o, "accept")[0] == 200
    # The citizen withdraws at the counter: the agency can do nothing more with it.
    r = d.withdraw(w, "Người nộp xin rút")
    assert r["status"] == "withdrawn" and r["status_vi"] == "Đã rút hồ sơ"
    status, body = act(dhub, w, "finish")
    assert status == 409

    # A financial obligation stops the clock; paid, the time that was left runs again.
    dhub.set_time("2026-11-26T09:00")
    status, body = act(dhub, o, "obligation", {"content": "Nộp lệ phí trước bạ", "amount_vnd": 500000})
    assert status == 200 and body["status"] == "obligation"
    assert dhub.public(o)[1]["status_vi"] == "Chờ thực hiện nghĩa vụ tài chính"
    dhub.set_time("2026-11-27T09:00")  # one working day later
    status, body = act(dhub, o, "obligation_paid")
    assert status == 200 and body["status"] == "processing" and body["legal_due_at"] == "2026-12-03T17:00+07:00", [e for e in body["events"] if e["kind"].startswith("obl")]

    # Finished, returned, an error found: back to the agency, due within 3 working days, returned again.
    assert act(dhub, o, "finish")[0] == 200
    dhub.tick()
    dhub.set_time("2026-11-27T10:31")
    dhub.tick()
    assert dhub.http("POST", f"/api/v1/agency/dossiers/{o}/accept", {}, token=dhub.tokens["Phòng Tài nguyên và Môi trường"])[0] == 200
    assert dhub.http("POST", f"/api/v1/agency/dossiers/{o}/finish", {}, token=dhub.tokens["Phòng Tài nguyên và Môi trường"])[0] == 200
    dhub.set_time("2026-11-27T16:01")
    dhub.tick()
    counter.login("lan1", "1111")  # a sign-in lasts a working day
    r = counter.session.request("dossier.return", {"token": counter.session.officer_token, "code": o,
                                                   "confirm": {"fees_paid": True, "signed": True}})
    assert r["dossier"]["status"] == "returned"
    with pytest.raises(RequestError) as e:
        counter.session.request("dossier.correction", {"token": counter.session.officer_token, "code": o, "reason": "   "})
    assert "sai sót" in e.value.message_vi
    r = d.request_correction(o, "Sai năm sinh")
    assert r["status"] == "correction" and r["correction_due_at"] == "2026-12-02T17:00+07:00"
    last = "Phòng Tài nguyên và Môi trường"
    status, body = dhub.http("POST", f"/api/v1/agency/dossiers/{o}/corrected", {}, token=dhub.tokens[last])
    assert status == 200 and body["status"] == "ready"


def test_on_the_spot_dossier_gets_a_receipt_only_when_asked(dhub: DossierHub, desk) -> None:
    counter, _ = desk
    req = {"token": counter.session.officer_token, "procedure": "chung-thuc-ban-sao", "applicant": APPLICANT, "documents": [0, 1]}
    r = counter.session.request("dossier.intake", req)
    assert r["on_spot"] and r["receipt"] is None
    r = counter.session.request("dossier.intake", {**req, "options": {"receipt_requested": True}})
    assert r["on_spot"] and r["receipt"]["code"] == r["code"]


def test_dossier_code_from_the_official_agency_identifier(dhub: DossierHub, desk) -> None:
    from hub.store import dossiers as dossier_store
    from motcua_core.dossier_codes import is_code
    from tests.dossier.conftest import SETTINGS

    counter, d = desk
    old = d.intake(PROC, APPLICANT, [0, 1, 2])["code"]  # before identifiers were configured
    assert old.startswith("HOAAN-261125-")
    dhub.on_loop(lambda: dossier_store.set_settings(dhub.db, "demo", {
        **SETTINGS, "unit_id": "H15.50.05", "agency_ids": {"Ủy ban nhân dân cấp xã": "H15.50.05.13"}}))
    req = {"token": counter.session.officer_token, "procedure": "khai-sinh", "applicant": APPLICANT,
           "documents": [0, 1, 2, 3, 4], "options": {"on_spot": False}}
    one = counter.session.request("dossier.intake", req)["code"]
    two = counter.session.request("dossier.intake", req)["code"]
    # The day's sequence is the unit's count of dossiers received that day.
    assert (one, two) == ("H15.50.05.13-261125-0002", "H15.50.05.13-261125-0003")
    # Liên thông: the receiving unit's identifier (Art. 28(2)(a)).
    assert d.intake(PROC, APPLICANT, [0, 1, 2])["code"] == "H15.50.05-261125-0004"
    for code in (one, old):  # new and old codes alike are read by the counter's scanner and looked up
        assert is_code(code) and dhub.public(code)[0] == 200
    with pytest.raises(Exception) as e:
        dhub.on_loop(lambda: dossier_store.set_settings(dhub.db, "demo", {**SETTINGS, "unit_id": "Xã Hòa An"}))
    assert "không đúng dạng" in str(e.value.message_vi)


def test_transfer_after_15h_waits_for_the_next_morning_and_lien_thong_goes_to_all(dhub: DossierHub, desk) -> None:
    from hub.ops import forms
    from hub.store.sites import get_site

    _, d = desk
    dhub.set_time("2026-11-25T15:20")
    code = d.intake(PROC, APPLICANT, [0, 1, 2])["code"]
    assert dhub.public(code)[1]["status"] == "received"
    dhub.set_time("2026-11-25T16:59")
    assert dhub.tick()["moved"] == 0, "sent before the next working day"
    dhub.set_time("2026-11-26T07:31")
    assert dhub.tick()["moved"] == 1 and dhub.public(code)[1]["where"] == AGENCY_1
    # Electronic routing to every agency at once, each with its own task and time limit.
    rows = dhub.on_loop(lambda: dhub.db.execute(
        "SELECT recipient, body FROM notifications WHERE kind = 'routed' AND dossier_code = ? ORDER BY id",
        [code]).fetchall())
    assert [r[0] for r in rows] == [AGENCY_1, "Phòng Tài nguyên và Môi trường"]
    assert "cơ quan chủ trì" in rows[0][1] and "thời hạn 3 ngày làm việc" in rows[0][1]
    assert "Xác nhận hiện trạng sử dụng đất" in rows[1][1] and "thời hạn 2 ngày làm việc" in rows[1][1]
    # The control sheet (Mẫu 06) carries the slip: each agency's task and time limit.
    raw = dhub.on_loop(lambda: forms.pdf(dhub.db, get_site(dhub.db, "demo"), code, "06"))
    text = pdf_words(raw)
    for part in ("Mẫu số 06", "Nội dung công việc và thời hạn giải quyết của từng cơ quan",
                 f"1. {AGENCY_1}: Thẩm định hồ sơ, kiểm tra thực địa — thời hạn 3 ngày làm việc",
                 "2. Phòng Tài nguyên và Môi trường: Xác nhận hiện trạng sử dụng đất — thời hạn 2 ngày làm việc"):
        assert part in text, part


def test_dossier_rated_at_the_tablet_and_on_the_phone(dhub: DossierHub, desk, monkeypatch) -> None:
    """Decree 118/2025 Art. 31, 33: after the result is handed over, the tablet asks about the dossier's
    handling after the queue rating; the receipt's QR page asks too; both count in the 766 report."""
    import queue as q
    import urllib.parse
    import urllib.request

    from hub.ops import reports
    from hub.store.sites import get_site
    from kiosk.core import KioskCore
    from kiosk.voting import DOSSIER, THANKS, VoteFlow

    counter, d = desk
    import types

    import kiosk.core

    # The tablet lives on the hub's simulated day (it drops a vote.open older than its timeout).
    monkeypatch.setattr(kiosk.core, "wallclock", types.SimpleNamespace(time=dhub.h.clock))
    kiosk = KioskCore(dhub.h.device("kiosk"))
    voting = KioskCore(dhub.h.device("voting", counter=1, start=False))
    opened: q.Queue = q.Queue()
    voting.on_vote_open = opened.put
    voting.session.start()
    assert voting.session.wait_connected(10) and voting.wait_config(10)
    ticket = kiosk.issue_ticket("HT")
    assert counter.next()["id"] == ticket["id"]
    code = counter.session.request("dossier.intake", {
        "token": counter.session.officer_token, "procedure": "chung-thuc-ban-sao", "applicant": APPLICANT,
        "documents": [0, 1]})["code"]  # on the spot
    d.give_back(code, fees_paid=True, signed=True)
    counter.complete()
    cmd = opened.get(timeout=10)
    assert cmd["dossier"]["code"] == code and [c["id"] for c in cmd["dossier"]["criteria"]][:2] == ["time", "agencies"]
    flow = VoteFlow()
    assert flow.open(cmd)
    voting.submit_vote(*(lambda v: (v["ticket_id"], v["rating"], v["reasons"]))(flow.choose(4)))
    assert flow.state == DOSSIER and flow.dossier_question["text"] == "Thời gian trả kết quả so với giấy hẹn"
    assert flow.answer_dossier(3) is None and flow.answer_dossier(None) is None  # a skipped question
    for _ in range(len(cmd["dossier"]["criteria"]) - 2):
        flow.answer_dossier(1)
    assert flow.answer_dossier(None) is None, "the overall answer cannot be skipped"
    rating = flow.answer_dossier(1)  # not satisfied
    assert flow.state == THANKS and rating["overall"] == 1 and "agencies" not in rating["answers"]
    voting.submit_dossier_rating(rating)
    assert voting.session.outbox.wait_empty(10)
    row = dhub.on_loop(lambda: dhub.db.execute(
        "SELECT channel, overall, answers, agency FROM dossier_ratings WHERE code = ?", [code]).fetchone())
    assert (row[0], row[1], json.loads(row[2])["time"]) == ("tablet", 1, 3)

    # On the phone: the QR page of a second dossier, once its result is out.
    second = counter.session.request("dossier.intake", {
        "token": counter.session.officer_token, "procedure": "chung-thuc-ban-sao", "applicant": APPLICANT,
        "documents": [0, 1]})["code"]
    d.give_back(second, fees_paid=True, signed=True)
    key = dhub.key(second)
    status, page = dhub.http("GET", f"/d/{second}?k={key}")
    assert status == 200 and b"id='rate'" in page and "Thái độ của cán bộ".encode() in page
    base = f"http://127.0.0.1:{dhub.h.http_port}"
    form = urllib.parse.urlencode({"overall": "4", "attitude": "3", "time": "3", "comment": "Nhanh"}).encode()
    with urllib.request.urlopen(urllib.request.Request(f"{base}/d/{second}/rate?k={key}", data=form), timeout=10) as r:
        after = r.read().decode()
    assert "Cảm ơn ông (bà) đã đánh giá" in after
    bad = urllib.parse.urlencode({"overall": "4"}).encode()
    try:
        urllib.request.urlopen(urllib.request.Request(f"{base}/d/{second}/rate?k=WRONG1", data=bad), timeout=10)
        raise AssertionError("a wrong key rated the dossier")
    except urllib.error.HTTPError as e:
        assert e.code == 404
    rep = dhub.on_loop(lambda: reports.index766(dhub.db, get_site(dhub.db, "demo"), "2026-11",
                                                local_ts("2026-11-25T12:00")))
    s = rep["figures"]["satisfaction"]
    assert s["dossiers_unsatisfied_or_complaint"] == 1 and s["votes"] == 3 and s["votes_satisfied"] == 2
