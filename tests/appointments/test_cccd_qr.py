"""The front QR of a chip CCCD (issue #12): what a good scan yields, and a clear Vietnamese reason for
every way a scan goes wrong."""

from __future__ import annotations

from datetime import date

import pytest

from motcua_core.cccd import looks_like_cccd_qr, parse_cccd_qr
from motcua_core.errors import DomainError

TODAY = date(2026, 12, 3)
# Hà Nội (001), male born in the 20th century (digit 0), 1990, serial 012345.
GOOD = "001090012345|123456789|Nguyễn Văn An|15031990|Nam|Số 12 ngõ 34, phường Hoàn Kiếm, Hà Nội|01072021"


def test_a_good_scan_gives_the_applicant_fields() -> None:
    card = parse_cccd_qr(GOOD, TODAY)
    assert card.number == "001090012345" and card.old_number == "123456789"
    assert card.full_name == "Nguyễn Văn An" and card.sex == "nam"
    assert card.birth_date == date(1990, 3, 15) and card.issue_date == date(2021, 7, 1)
    assert card.applicant() == {"name": "Nguyễn Văn An", "cccd": "001090012345", "birth_date": "1990-03-15",
                                "address": "Số 12 ngõ 34, phường Hoàn Kiếm, Hà Nội"}


def test_a_card_without_an_old_number_and_with_trailing_fields_is_read() -> None:
    # TP. HCM (079), female born in the 21st century (digit 3), 2005; newer cards may add fields.
    card = parse_cccd_qr("079305000123||Trần Thị Bích Ngọc|02092005|Nữ|Quận 1, TP. Hồ Chí Minh|10102023||",
                         TODAY)
    assert card.sex == "nữ" and card.old_number == "" and card.birth_date.year == 2005
    assert looks_like_cccd_qr(GOOD) and not looks_like_cccd_qr("HK7-M2Q") and not looks_like_cccd_qr("MCH:HK7M2Q")


@pytest.mark.parametrize(("scan", "reason"), [
    ("", "không đọc được nội dung"),
    ("001090012345|123456789|Nguyễn Văn An|15031990", "cần 7 trường"),
    ("00109001234|123456789|Nguyễn Văn An|15031990|Nam|Hà Nội|01072021", "phải có đúng 12 chữ số"),
    ("003090012345|123456789|Nguyễn Văn An|15031990|Nam|Hà Nội|01072021", "mã tỉnh 003 không tồn tại"),
    ("001090012345|12345|Nguyễn Văn An|15031990|Nam|Hà Nội|01072021", "CMND cũ phải gồm 9 hoặc 12"),
    ("001090012345|123456789||15031990|Nam|Hà Nội|01072021", "thiếu họ và tên"),
    ("001090012345|123456789|Nguyễn Văn An|1990-03-15|Nam|Hà Nội|01072021", "ngày sinh phải có dạng"),
    ("001090012345|123456789|Nguyễn Văn An|31021990|Nam|Hà Nội|01072021", "không có thật"),
    ("001090012345|123456789|Nguyễn Văn An|15031991|Nam|Hà Nội|01072021", "không khớp với số CCCD"),
    ("001090012345|123456789|Nguyễn Văn An|15031990|Nữ|Hà Nội|01072021", "giới tính không khớp"),
    ("001090012345|123456789|Nguyễn Văn An|15031990|X|Hà Nội|01072021", "giới tính phải là Nam hoặc Nữ"),
    ("001090012345|123456789|Nguyễn Văn An|15031990|Nam|Hà Nội|01072027", "ngày cấp"),
])
def test_a_bad_scan_is_refused_with_a_vietnamese_reason(scan: str, reason: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_cccd_qr(scan, TODAY)
    assert caught.value.code == "bad_request"
    assert reason in caught.value.message_vi, caught.value.message_vi
    assert caught.value.message_vi.startswith(("Mã QR trên thẻ CCCD không hợp lệ", "Số CCCD không hợp lệ"))


def test_the_intake_keeps_the_birth_date_read_from_the_card() -> None:
    from hub.domain.intake import applicant

    kept = applicant(parse_cccd_qr(GOOD, TODAY).applicant(), TODAY.year)
    assert (kept["name"], kept["cccd"], kept["birth_date"]) == ("Nguyễn Văn An", "001090012345", "1990-03-15")
    with pytest.raises(DomainError, match="date of birth is not valid"):
        applicant({"name": "Nguyễn Văn An", "birth_date": "15/03/1990"}, TODAY.year)
