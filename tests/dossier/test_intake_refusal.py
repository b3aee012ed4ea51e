"""Refusing papers at intake over the real hub (issue #16's gap): the counter's `dossier.refuse_intake`
records who refused whose papers, when, for which procedure and why, makes no dossier, no code and no
register row, is audited like other counter actions, needs the officer's sign-in and written reasons, and
answers with the refusal sheet (Mẫu số 03) — numbered in the same series as the agencies' refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from counter_terminal.core import CounterCore
from counter_terminal.dossier_core import DossierCore
from hub.store import audit
from hub.store.db import IntegrityError
from kiosk.core import KioskCore
from motcua_core.documents import thermal
from motcua_core.errors import RequestError
from tests.dossier.conftest import AGENCY_1, APPLICANT, SETTINGS, DossierHub

PROC = "cap-phep-xay-dung-lien-thong"
REASONS = ["Thửa đất không thuộc địa bàn quản lý của Ủy ban nhân dân huyện Hòa An",
           "Công dân không có Giấy chứng nhận quyền sử dụng đất và không thể bổ sung"]


def pdf_text(path: Path) -> str:
    return " ".join("\n".join(p.extract_text() for p in PdfReader(str(path)).pages).split())


def refused(fn, *args, **kw) -> RequestError:
    with pytest.raises(RequestError) as e:
        fn(*args, **kw)
    return e.value


def rows(dhub: DossierHub, sql: str) -> list[tuple]:
    return dhub.on_loop(lambda: [tuple(r) for r in dhub.db.execute(sql).fetchall()])


def test_refusal_at_intake_is_recorded_without_a_dossier(dhub: DossierHub, tmp_path: Path, monkeypatch) -> None:
    h = dhub.h
    ticket = KioskCore(h.device("kiosk")).issue_ticket("HT")
    counter = CounterCore(h.device("counter", counter=1))
    desk = DossierCore(counter.session, tmp_path / "printed")

    # Not signed in: a counter device alone cannot refuse anyone's papers.
    e = refused(counter.session.request, "dossier.refuse_intake",
                {"applicant": {"name": "Trần Thị Bình"}, "request": "Cấp hộ chiếu", "reasons": REASONS})
    assert e.code == "signin_required"
    counter.login("lan1", "1111")
    counter.open()
    assert counter.next()["id"] == ticket["id"]

    # Reasons are required, and each must say something: clear Vietnamese for the officer.
    e = refused(desk.refuse, "Trần Thị Bình", [], request="Cấp hộ chiếu")
    assert (e.code, e.message_vi) == ("bad_request", "Cần ghi lý do từ chối tiếp nhận hồ sơ (ít nhất một lý do).")
    e = refused(counter.session.request, "dossier.refuse_intake", {
        "token": counter.session.officer_token, "applicant": {"name": "Trần Thị Bình"}, "request": "Cấp hộ chiếu"})
    assert e.message_vi == "Cần ghi lý do từ chối tiếp nhận hồ sơ (ít nhất một lý do)."
    e = refused(desk.refuse, "Trần Thị Bình", ["  ", ";"], request="Cấp hộ chiếu")
    assert e.message_vi == "Cần ghi lý do từ chối tiếp nhận hồ sơ (ít nhất một lý do)."
    assert refused(desk.refuse, "Trần Thị Bình", ["x"], request="Cấp hộ chiếu").message_vi == \
        "Lý do 1 (“x”) quá ngắn: cần ghi rõ lý do (ít nhất 5 ký tự)."
    assert refused(desk.refuse, " ", REASONS, request="Cấp hộ chiếu").message_vi == \
        "Cần nhập họ và tên người nộp hồ sơ."
    assert refused(desk.refuse, "Trần Thị Bình", REASONS).message_vi == \
        "Cần chọn thủ tục hoặc ghi nội dung yêu cầu của công dân."
    assert refused(desk.refuse, "Trần Thị Bình", REASONS, procedure="khong-co").code == "not_found"
    assert rows(dhub, "SELECT COUNT(*) FROM intake_refusals") == [(0,)], "a refused refusal left a record"

    printed: list[str] = []
    original = thermal.Sheet.text
    monkeypatch.setattr(thermal.Sheet, "text", lambda self, text, *a, **k: (printed.append(text),
                                                                           original(self, text, *a, **k))[1])
    dhub.set_time("2026-11-25T09:12")
    r = desk.refuse("Trần Thị Bình", REASONS, procedure=PROC)
    sheet = r["refusal"]
    assert sheet["code"] is None and sheet["number"] == 1 and sheet["date"] == "2026-11-25"
    assert sheet["applicant"] == {"name": "Trần Thị Bình"} and sheet["reasons"] == REASONS
    assert sheet["agency"] == SETTINGS["unit_name"] and sheet["by"] == "Nguyễn Thị Lan"
    assert sheet["procedure"] == "Cấp giấy phép xây dựng nhà ở riêng lẻ (liên thông)"

    # The record: who, when, where, which procedure, whose papers, why — and no dossier, no register row.
    (rec,) = rows(dhub, "SELECT site_id, officer_id, officer, counter, ticket_id, procedure_id, procedure_name, "
                        "applicant_name, reasons, at FROM intake_refusals")
    assert rec[:8] == ("demo", "nguyen-thi-lan", "Nguyễn Thị Lan", 1, ticket["id"], PROC,
                       "Cấp giấy phép xây dựng nhà ở riêng lẻ (liên thông)", "Trần Thị Bình")
    assert rec[8] == '["' + '", "'.join(REASONS) + '"]'
    assert rows(dhub, "SELECT COUNT(*) FROM dossiers") == [(0,)]
    assert rows(dhub, "SELECT COUNT(*) FROM dossier_events") == [(0,)]
    from datetime import date

    from hub.ops.reports import register_books
    from hub.store.sites import get_site

    books = dhub.on_loop(lambda: register_books(dhub.db, get_site(dhub.db, "demo"), date(2026, 1, 1),
                                                date(2026, 12, 31)))
    assert books == [], "a refusal at intake made a register entry"
    # Audited like the counter's other actions: the officer, the verb, the sheet's number.
    logged = dhub.on_loop(lambda: audit.query(dhub.db, "demo", action="refuse_intake"))
    assert [(a["who"].split("@")[0], a["role"], a["action"], a["target"]) for a in logged] == [
        ("nguyen-thi-lan", "officer", "dossier.refuse_intake", "1/TCHS")]

    # The sheet printed for the citizen: Mẫu số 03, its number, whose papers, each reason; no dossier code.
    text = pdf_text(r["printed"].pdf)
    for part in ("Mẫu số 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "Số: 1/TCHS",
                 f"{SETTINGS['unit_name']} tiếp nhận hồ sơ của: Trần Thị Bình",
                 "Nội dung yêu cầu giải quyết: Cấp giấy phép xây dựng nhà ở riêng lẻ (liên thông)",
                 f"1. {REASONS[0]}", f"2. {REASONS[1]}", "Xin thông báo để Ông (bà) được biết và thực hiện",
                 "NGƯỜI TIẾP NHẬN HỒ SƠ", "Nguyễn Thị Lan", "Hòa An, ngày 25 tháng 11 năm 2026"):
        assert part in text, part
    assert "Mã hồ sơ" not in text
    for part in ("Số: 1/TCHS", f"1. {REASONS[0]}", f"2. {REASONS[1]}", "Nguyễn Thị Lan"):
        assert part in printed, part
    assert any("Trần Thị Bình" in p for p in printed)
    assert [p.name for p in r["printed"].images] == [f"intake-refusal-{r['refusal_id']}-1.png"]

    # A request no catalogue has (not handled here): the officer's words are the request; number 2.
    r2 = desk.refuse("Lê Văn Cường", ["Yêu cầu cấp hộ chiếu không thuộc phạm vi của Bộ phận một cửa xã"],
                     request="Cấp hộ chiếu phổ thông")
    assert r2["refusal"]["number"] == 2 and r2["refusal"]["procedure"] == "Cấp hộ chiếu phổ thông"
    assert rows(dhub, "SELECT procedure_id, procedure_name FROM intake_refusals WHERE id = "
                      f"{r2['refusal_id']}") == [(None, "Cấp hộ chiếu phổ thông")]

    # The record cannot be rewritten.
    def rewrite() -> None:
        dhub.db.execute("UPDATE intake_refusals SET reasons = '[]'")
    with pytest.raises(IntegrityError, match="append-only"):
        dhub.on_loop(rewrite)

    # Refusal sheets are one series per site and year: an agency's refusal of a dossier is the next number.
    code = desk.intake(PROC, APPLICANT, [0, 1, 2])["code"]
    dhub.set_time("2026-11-25T10:31")
    dhub.tick()
    t1 = dhub.tokens[AGENCY_1]
    dhub.http("POST", f"/api/v1/agency/dossiers/{code}/accept", {}, token=t1)
    status, _ = dhub.http("POST", f"/api/v1/agency/dossiers/{code}/reject",
                          {"reason": "Thửa đất nằm trong quy hoạch giao thông"}, token=t1)
    assert status == 200
    text = pdf_text(desk.form(code, "refusal").pdf)
    assert "Số: 3/TCHS" in text and f"Mã hồ sơ: {code}" in text
    r3 = desk.refuse("Phạm Thị Dung", ["Không mang theo bản chính giấy tờ tùy thân"], request="Chứng thực bản sao")
    assert r3["refusal"]["number"] == 4
