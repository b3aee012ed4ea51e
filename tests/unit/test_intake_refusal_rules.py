"""Refusing papers at intake (hub.domain.refusals): the reasons the citizen takes home must each say
something, within limits, and the sheet says who refuses whose papers for what — without a dossier code
when no dossier exists, the same sheet as a rejected dossier's otherwise."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from hub.domain import forms, refusals
from motcua_core.documents import content, pdf, thermal
from motcua_core.errors import DomainError

HEAD = {"unit_name": "Bộ phận Tiếp nhận và Trả kết quả xã Hòa An", "parent_agency": "Ủy ban nhân dân xã Hòa An",
        "place": "Hòa An", "text": forms.default("refusal")}


def refused(raw: object) -> DomainError:
    with pytest.raises(DomainError) as e:
        refusals.reasons(raw)
    assert e.value.code == "bad_request"
    return e.value


def test_reasons_are_split_tidied_and_kept_once() -> None:
    got = refusals.reasons(["Thủ tục không thuộc thẩm quyền  của xã;\nThiếu bản chính Giấy chứng nhận",
                            "  Thiếu bản chính Giấy chứng nhận "])
    assert got == ["Thủ tục không thuộc thẩm quyền của xã", "Thiếu bản chính Giấy chứng nhận"]
    assert refusals.reasons("không thuộc phạm vi giải quyết") == ["Không thuộc phạm vi giải quyết"]
    # Typed without a shift key, the sheet still prints sentences; the same reason twice is printed once.
    assert refusals.reasons(["thiếu đơn đề nghị", "Thiếu đơn đề nghị"]) == ["Thiếu đơn đề nghị"]


@pytest.mark.parametrize("raw", [None, [], [""], ["  ", ";", "\n"]])
def test_no_reason_is_refused_in_vietnamese(raw: object) -> None:
    e = refused(raw)
    assert e.message_vi == "Cần ghi lý do từ chối tiếp nhận hồ sơ (ít nhất một lý do)."
    assert e.message == "Write why the dossier cannot be taken in: at least one reason."


def test_reason_limits() -> None:
    assert refused(["x"]).message_vi == "Lý do 1 (“x”) quá ngắn: cần ghi rõ lý do (ít nhất 5 ký tự)."
    assert "Lý do 2 (“.....”) quá ngắn" in refused(["Thiếu đơn đề nghị", "....."]).message_vi
    long = "Thiếu " + "giấy tờ " * 50
    assert refused([long]).message_vi == f"Lý do 1 quá dài ({len(long.strip())} ký tự, tối đa 300)."
    assert refused([f"Lý do số {i}" for i in range(11)]).message_vi == "Ghi tối đa 10 lý do (đang có 11)."
    assert refused([3]).message_vi == "Lý do từ chối phải là danh sách các câu chữ."
    assert refused({"a": 1}).code == "bad_request"
    assert len(refusals.reasons(["x" * 4 + "y" * 296])[0]) == refusals.MAX_REASON  # the limit itself is kept


def test_request_is_the_procedure_or_the_officers_words() -> None:
    assert refusals.request_text("Đăng ký khai sinh", "bỏ qua") == "Đăng ký khai sinh"
    assert refusals.request_text(None, "  Cấp  hộ chiếu ") == "Cấp hộ chiếu"
    with pytest.raises(DomainError) as e:
        refusals.request_text(None, "  ")
    assert e.value.message_vi == "Cần chọn thủ tục hoặc ghi nội dung yêu cầu của công dân."
    with pytest.raises(DomainError):
        refusals.request_text(None, "x" * 201)


def test_the_sheet_without_a_dossier_code() -> None:
    d = refusals.sheet(HEAD, number=4, date="2026-11-25", applicant={"name": "Trần Thị Bình"},
                       procedure="Cấp hộ chiếu phổ thông", agency=HEAD["unit_name"],
                       reasons=["Thủ tục không thuộc thẩm quyền của xã", "Công dân không có bản chính"],
                       by="Nguyễn Thị Lan")
    assert d["code"] is None and d["form"] == "refusal" and d["number"] == 4
    lines = content.refusal_lines(d)
    assert lines == [
        "Bộ phận Tiếp nhận và Trả kết quả xã Hòa An tiếp nhận hồ sơ của: Trần Thị Bình",
        "Nội dung yêu cầu giải quyết: Cấp hộ chiếu phổ thông",
        "Qua xem xét, Bộ phận Tiếp nhận và Trả kết quả xã Hòa An thông báo không tiếp nhận, giải quyết hồ sơ "
        "này với lý do cụ thể như sau:",
        "1. Thủ tục không thuộc thẩm quyền của xã", "2. Công dân không có bản chính"]
    with_code = {**d, "code": "HOAAN-261125-0001"}
    assert content.refusal_lines(with_code)[0] == "Mã hồ sơ: HOAAN-261125-0001"
    import io

    text = " ".join(PdfReader(io.BytesIO(pdf.refusal(d))).pages[0].extract_text().split())
    for part in ("Mẫu số 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "Số: 4/TCHS", "Trần Thị Bình",
                 "1. Thủ tục không thuộc thẩm quyền của xã", "NGƯỜI TIẾP NHẬN HỒ SƠ", "Nguyễn Thị Lan"):
        assert part in text, part
    assert "Mã hồ sơ" not in text
    # The 80 mm copy: no barcode band when there is no code, so it is shorter than the dossier's.
    assert thermal.refusal(d).height < thermal.refusal(with_code).height
    assert thermal.refusal(d).width == thermal.WIDTH
