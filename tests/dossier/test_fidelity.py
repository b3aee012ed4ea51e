"""Issue #16 over the real hub: the 15:00 same-day cut-off, the receipt's number as its row in the
register, the agency that was late named in the weekly report, the apology by the agency at fault, the
refusal sheet, and decomposed (NFD) names stored as NFC."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from counter_terminal.core import CounterCore
from counter_terminal.dossier_core import DossierCore
from hub.ops import reports
from hub.store import catalogue
from hub.store import dossiers as dossier_store
from hub.store.sites import get_site
from motcua_core.documents import pdf, thermal
from motcua_core.errors import DomainError, RequestError
from tests.dossier.conftest import AGENCY_1, AGENCY_2, APPLICANT, SETTINGS, DossierHub

PROC = "cap-phep-xay-dung-lien-thong"


def pdf_text(path: Path) -> str:
    return " ".join("\n".join(p.extract_text() for p in PdfReader(str(path)).pages).split())


@pytest.fixture
def desk(dhub: DossierHub, tmp_path: Path) -> tuple[CounterCore, DossierCore]:
    counter = CounterCore(dhub.h.device("counter", counter=1))
    counter.login("lan1", "1111")
    counter.open()
    dhub.morning_sign_in.append((counter, "lan1", "1111"))
    return counter, DossierCore(counter.session, tmp_path / "printed")


def test_same_day_dossier_received_after_cutoff_is_due_next_working_day(dhub: DossierHub, desk) -> None:
    counter, _ = desk
    dhub.set_time("2026-11-25T16:30")
    r = counter.session.request("dossier.intake", {"token": counter.session.officer_token, "procedure": "khai-sinh", "applicant": APPLICANT,
                                                   "documents": [0, 1, 2, 3, 4], "options": {"on_spot": False}})
    assert r["due_at"] == "2026-11-26T17:00+07:00", "a same-day dossier received at 16:30 was due today"
    assert r["receipt"]["due_at"] == "2026-11-26T17:00+07:00"
    dhub.set_time("2026-11-25T16:45")  # with a threshold of half a day, nothing is at risk yet
    dhub.on_loop(lambda: dossier_store.set_settings(dhub.db, "demo", {**SETTINGS, "at_risk_working_days": 0.5}))
    assert dhub.tick()["at_risk"] == 0, "an at-risk alert for a dossier due tomorrow"
    # Before the cut-off it stays a same-day dossier.
    dhub.set_time("2026-11-26T14:00")
    r = counter.session.request("dossier.intake", {"token": counter.session.officer_token, "procedure": "khai-sinh", "applicant": APPLICANT,
                                                   "documents": [0, 1, 2, 3, 4], "options": {"on_spot": False}})
    assert r["due_at"] == "2026-11-26T17:00+07:00"


def test_receipt_number_is_its_row_in_the_register_book_of_year_and_field(dhub: DossierHub, desk,
                                                                          monkeypatch) -> None:
    _, d = desk
    printed: list[str] = []
    original = thermal.Sheet.text
    monkeypatch.setattr(thermal.Sheet, "text", lambda self, text, *a, **k: (printed.append(text),
                                                                           original(self, text, *a, **k))[1])
    codes = []
    for day, proc, docs in (("2026-11-25T09:00", PROC, [0, 1, 2]), ("2026-11-25T09:30", "nhan-cha-me-con", [0, 1, 2]),
                            ("2026-11-26T09:00", PROC, [0, 1, 2])):
        dhub.set_time(day)
        r = d.intake(proc, APPLICANT, docs)
        codes.append((r["code"], r["receipt"]["register_no"], r["printed"].pdf))
    # The daily sequence restarts (…-0001 on both days), the book's number does not.
    assert codes[0][0].endswith("-0001") and codes[2][0].endswith("-0001")
    assert [n for _, n, _ in codes] == [1, 1, 2], "one book per field and year: xây dựng 1, 2; tư pháp 1"
    code, number, pdf = codes[2]
    text = pdf_text(pdf)
    assert f"Số: {number}/TNHS" in text and f"Số thứ tự: {number}" in text and "Quyển số: 2026 –" in text
    assert any(f"Số thứ tự: {number}" in t for t in printed), "the thermal copy prints another number"
    # The signed receipt is the A4 form (both signature blocks); the 80 mm slip says so instead of signing.
    assert "(Ký và ghi rõ họ tên)" in text and "NGƯỜI NỘP HỒ SƠ" in text
    books = dhub.on_loop(lambda: reports.register_books(dhub.db, get_site(dhub.db, "demo"),
                                                        *[__import__("datetime").date(2026, 11, x) for x in (1, 30)]))
    rows = {r[1]: (b["book"], r[0]) for b in books for r in b["rows"]}
    assert rows[code][1] == number and rows[codes[0][0]][1] == 1 and rows[codes[1][0]][1] == 1
    assert rows[code][0] == rows[codes[0][0]][0] != rows[codes[1][0]][0]


def _route(dhub: DossierHub, code: str, finish_1: str, finish_2: str) -> None:
    t1, t2 = dhub.tokens[AGENCY_1], dhub.tokens[AGENCY_2]
    dhub.set_time("2026-11-25T10:31")
    dhub.tick()
    dhub.http("POST", f"/api/v1/agency/dossiers/{code}/accept", {}, token=t1)
    dhub.set_time(finish_1)
    assert dhub.http("POST", f"/api/v1/agency/dossiers/{code}/finish", {}, token=t1)[0] == 200
    dhub.set_time(finish_1[:11] + "16:01")
    dhub.tick()
    dhub.http("POST", f"/api/v1/agency/dossiers/{code}/accept", {}, token=t2)
    dhub.set_time(finish_2)
    assert dhub.http("POST", f"/api/v1/agency/dossiers/{code}/finish", {}, token=t2)[0] == 200


def test_weekly_report_names_the_partner_agency_that_was_late(dhub: DossierHub, desk) -> None:
    _, d = desk
    code = d.intake(PROC, APPLICANT, [0, 1, 2])["code"]  # due Wed 2 Dec; agency 1 by Mon 30 Nov
    # Agency 1 finishes on Thu 26 Nov (on time); agency 2 only on Thu 3 Dec: the partner is late.
    _route(dhub, code, "2026-11-26T09:00", "2026-12-03T09:00")
    rep = dhub.on_loop(lambda: reports.weekly(dhub.db, get_site(dhub.db, "demo"), "2026-W49"))["report"]
    assert rep["total"]["late"] == 1
    assert rep["by_agency"][AGENCY_2]["late"] == 1 and rep["by_agency"][AGENCY_2]["late_without_apology"] == 1
    assert rep["by_agency"].get(AGENCY_1, {}).get("late", 0) == 0, "the lead agency blamed for its partner"
    assert rep["late_dossiers"] == [{"code": code, "lead_agency": AGENCY_1, "late_agency": AGENCY_2,
                                     "apology": False}]


def test_apology_is_issued_numbered_and_signed_by_the_agency_at_fault(dhub: DossierHub, desk) -> None:
    _, d = desk
    dhub.on_loop(lambda: dossier_store.set_settings(dhub.db, "demo", {**SETTINGS, "agency_heads": {
        AGENCY_1: {"name": "Đỗ Văn Hùng", "title": "Trưởng phòng"}}}))
    first = d.intake(PROC, APPLICANT, [0, 1, 2])["code"]
    second = d.intake(PROC, {**APPLICANT, "name": "Trần Thị Bình"}, [0, 1, 2])["code"]
    dhub.set_time("2026-11-25T10:31")
    dhub.tick()
    printed: list[str] = []
    original = thermal.Sheet.text
    thermal.Sheet.text = lambda self, text, *a, **k: (printed.append(text), original(self, text, *a, **k))[1]
    try:
        dhub.set_time("2026-11-30T14:00")
        d.apologise(first, "Cần xác minh thực địa", new_due="2026-12-08")
        a = d.apologise(second, "Cần xác minh thực địa", extra_days=3)
    finally:
        thermal.Sheet.text = original
    text = pdf_text(a["printed"].pdf)
    assert "Mẫu số 04" in text and "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text
    assert "Số: 2/PXL" in text, "the agency's own numbering"
    assert AGENCY_1.upper() in text and "TRƯỞNG PHÒNG" in text and "Đỗ Văn Hùng" in text
    assert "Nguyễn Thị Lan" not in text, "the counter officer printed as the signatory"
    assert f"{AGENCY_1} xin lỗi Ông (bà)" in text
    # The thermal copy has its number, date and signatory too.
    assert "Số: 2/PXL" in printed and "TRƯỞNG PHÒNG" in printed and "Đỗ Văn Hùng" in printed
    assert any(t.endswith("ngày 30 tháng 11 năm 2026") for t in printed)
    # The officer chose the date: the first apology promises Tue 8 Dec at the close of office hours.
    assert dhub.public(first)[1]["due_at"] == "2026-12-08T17:00+07:00"


def test_refusal_sheet_lists_each_reason(dhub: DossierHub, desk, tmp_path: Path) -> None:
    _, d = desk
    code = d.intake(PROC, APPLICANT, [0, 1, 2])["code"]
    dhub.set_time("2026-11-25T10:31")
    dhub.tick()
    t1 = dhub.tokens[AGENCY_1]
    dhub.http("POST", f"/api/v1/agency/dossiers/{code}/accept", {}, token=t1)
    status, _ = dhub.http("POST", f"/api/v1/agency/dossiers/{code}/reject", {
        "reason": "Thửa đất nằm trong quy hoạch giao thông; Bản vẽ không đúng hiện trạng"}, token=t1)
    assert status == 200
    text = pdf_text(d.form(code, "refusal").pdf)
    for part in ("Mẫu số 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "Số: 1/TCHS", f"Mã hồ sơ: {code}",
                 "1. Thửa đất nằm trong quy hoạch giao thông", "2. Bản vẽ không đúng hiện trạng",
                 "Xin thông báo để Ông (bà) được biết và thực hiện"):
        assert part in text, part
    status, body = dhub.http("GET", f"/api/v1/agency/dossiers/{code}/refusal.pdf", token=t1)
    assert status == 200 and body[:5] == b"%PDF-"


def test_office_changes_a_form_wording_without_code(dhub: DossierHub, desk) -> None:
    _, d = desk
    note = "Ghi chú: Ông (bà) có thể nhận kết quả tại nhà qua Bưu điện xã."
    dhub.on_loop(lambda: dossier_store.set_settings(dhub.db, "demo", {**SETTINGS, "form_texts": {
        "receipt": {"note": note}}}))
    r = d.intake(PROC, APPLICANT, [0, 1, 2])
    assert note in pdf_text(r["printed"].pdf)
    with pytest.raises(DomainError) as bad:
        dhub.on_loop(lambda: dossier_store.set_settings(dhub.db, "demo", {**SETTINGS, "form_texts": {
            "receipt": {"nonsense": "x"}}}))
    assert "không có mục 'nonsense'" in bad.value.message_vi


def test_decomposed_names_are_stored_composed(dhub: DossierHub, desk) -> None:
    _, d = desk
    nfd = unicodedata.normalize("NFD", "Nguyễn Văn An")
    r = d.intake(PROC, {**APPLICANT, "name": nfd}, [0, 1, 2])
    name = dhub.on_loop(lambda: dhub.db.execute("SELECT applicant_name FROM dossiers WHERE code = ?",
                                                [r["code"]]).fetchone()[0])
    assert name == "Nguyễn Văn An" and unicodedata.is_normalized("NFC", name)
    assert dhub.public(r["code"])[1]["applicant"] == "Nguyễn V*** A**"
    assert "Tiếp nhận hồ sơ của: Nguyễn Văn An" in pdf_text(r["printed"].pdf)
    # Over HTTP too: a specialist's reason typed in NFD.
    dhub.set_time("2026-11-25T10:31")
    dhub.tick()
    t1 = dhub.tokens[AGENCY_1]
    dhub.http("POST", f"/api/v1/agency/dossiers/{r['code']}/accept", {}, token=t1)
    reason = unicodedata.normalize("NFD", "Bổ sung bản vẽ")
    dhub.http("POST", f"/api/v1/agency/dossiers/{r['code']}/supplement", {"reason": reason}, token=t1)
    ev = dhub.on_loop(lambda: dossier_store.events(dhub.db, r["code"])[-1])
    assert ev.data["reason"] == "Bổ sung bản vẽ"


def test_commune_centre_takes_in_by_level_and_residence(dhub: DossierHub, desk) -> None:
    counter, d = desk
    dhub.on_loop(lambda: dossier_store.set_settings(dhub.db, "demo", {**SETTINGS, "site_type": "commune",
                                                                       "area": "xã Hòa An"}))

    def intake(proc: str, docs: list[int], **options):
        return counter.session.request("dossier.intake", {"token": counter.session.officer_token, "procedure": proc, "applicant": APPLICANT,
                                                          "documents": docs, "options": options})

    # A district-level catalogue entry: there is no district level since 1 July 2025.
    with pytest.raises(RequestError) as e:
        intake(PROC, [0, 1, 2])
    assert "không còn cấp huyện" in e.value.message_vi
    # Decree 118/2025 Art. 14(2): taken in whatever the residence, unless the province's list says
    # otherwise; a procedure so marked is refused for an applicant from elsewhere, with the reason.
    r = intake("khai-sinh", [0, 1, 2, 3, 4], outside_area=True, on_spot=False)
    assert r["complete"]
    dhub.on_loop(lambda: catalogue.load(dhub.db, {"procedures": [{**catalogue.get(dhub.db, "ket-hon"), "anywhere": False}]}))
    with pytest.raises(RequestError) as e:
        intake("ket-hon", [0, 1, 2], outside_area=True)
    assert "nơi cư trú" in e.value.message_vi and "xã Hòa An" in e.value.message_vi
    # Certifying a copy does not depend on residence: taken in, and the receipt says why.
    r = intake("chung-thuc-ban-sao", [0, 1], outside_area=True, on_spot=False)
    assert r["complete"] and r["receipt"]["applicant"]["outside_area"] is True
    path = Path(d.out_dir) / "receipt-outside.pdf"
    path.write_bytes(pdf.receipt(r["receipt"]))
    assert "không phụ thuộc vào địa giới hành chính (Nghị định 118/2025/NĐ-CP, Điều 14 khoản 2)" in pdf_text(path)
    assert dhub.on_loop(lambda: dhub.db.execute("SELECT COUNT(*) FROM dossiers").fetchone()[0]) == 2


def test_receipt_prints_the_lookup_key_and_encodes_the_status_url(dhub: DossierHub, desk, tmp_path: Path) -> None:
    """The contract with the lookup-key work: the receipt's data may carry `lookup_key` and an absolute
    `status_url`; both renderers print the key as "Mã tra cứu" and put the URL in the QR."""
    import numpy as np

    from devicekit.drivers.camera import decode_qr

    _, d = desk
    r = d.intake(PROC, APPLICANT, [0, 1, 2])["receipt"]
    data = {**r, "lookup_key": "K7M-2QX", "status_url": "https://dvc.hoaan.example.vn/d/K7M-2QX"}
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf.receipt(data))
    assert "Mã tra cứu: K7M-2QX" in pdf_text(path)
    im = thermal.receipt(data)
    assert decode_qr(np.array(im.convert("RGB"))) == data["status_url"]
    # Without a key the line is not printed at all.
    path.write_bytes(pdf.receipt({**r, "lookup_key": None}))
    assert "Mã tra cứu" not in pdf_text(path)
