"""Issue #13: a citizen ID (CCCD) refused at the counter or the kiosk gives its reason in English too.
Before, the English message held the Vietnamese reason ("invalid citizen ID: phải có đúng 12 chữ số…")."""

from __future__ import annotations

from datetime import date

import pytest

from motcua_core.cccd import parse_cccd, parse_cccd_qr
from motcua_core.errors import DomainError, RequestError

TODAY = date(2026, 12, 3)


def _refusal(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == "bad_request"
    return caught.value


def _no_vietnamese(text: str, *kept: str) -> bool:
    for word in kept:
        text = text.replace(word, "")
    return not any(c.isalpha() and not c.isascii() for c in text)


@pytest.mark.parametrize(("number", "en", "vi"), [
    ("00109001234A", "The citizen ID number is not valid: it may hold digits only.", "chỉ gồm chữ số"),
    ("00109001234", "The citizen ID number is not valid: it must have exactly 12 digits (it has 11).",
     "phải có đúng 12 chữ số (đang có 11)"),
    ("003090012345", "The citizen ID number is not valid: there is no province code 003.",
     "mã tỉnh 003 không tồn tại"),
    ("001330012345", "The citizen ID number is not valid: the year of birth 2030 is in the future.",
     "năm sinh 2030 ở tương lai"),
])
def test_a_bad_citizen_id_number_says_why_in_english(number: str, en: str, vi: str) -> None:
    exc = _refusal(lambda: parse_cccd(number, TODAY.year))
    assert exc.text("en") == en
    assert exc.text("vi") == f"Số CCCD không hợp lệ: {vi}"  # the Vietnamese is unchanged
    # The same words reach a device's screen through the hub's reply.
    assert RequestError(exc.code, exc.message, exc.message_vi).text("en") == en


@pytest.mark.parametrize(("scan", "en"), [
    ("", "nothing could be read; please scan it again"),
    ("001090012345|123456789|Nguyễn Văn An|15031990", "it needs 7 fields separated by |, 4 were read"),
    ("001090012345|12345|Nguyễn Văn An|15031990|Nam|Hà Nội|01072021", "the old ID number (CMND) must have 9 or 12"),
    ("001090012345|123456789||15031990|Nam|Hà Nội|01072021", "the full name is missing"),
    ("001090012345|123456789|Nguyễn Văn An|1990-03-15|Nam|Hà Nội|01072021",
     "the date of birth must be a date written ddmmyyyy, not “1990-03-15”"),
    ("001090012345|123456789|Nguyễn Văn An|31021990|Nam|Hà Nội|01072021", "the date of birth 31/02/1990 does not exist"),
    ("001090012345|123456789|Nguyễn Văn An|15031991|Nam|Hà Nội|01072021",
     "the year of birth 1991 does not match the ID number (which encodes 1990)"),
    ("001090012345|123456789|Nguyễn Văn An|15031990|Nữ|Hà Nội|01072021", "the sex does not match the ID number"),
    ("001090012345|123456789|Nguyễn Văn An|15031990|X|Hà Nội|01072021",
     "the sex must be Nam (male) or Nữ (female), not “X”"),
    ("001090012345|123456789|Nguyễn Văn An|15031990|Nam|Hà Nội|01072027", "the date of issue 01/07/2027 is not plausible"),
])
def test_a_bad_card_scan_says_why_in_english(scan: str, en: str) -> None:
    exc = _refusal(lambda: parse_cccd_qr(scan, TODAY))
    text = exc.text("en")
    assert text.startswith("The QR code on the citizen ID card is not valid: ") and en in text, text
    assert text.endswith("."), text
    assert _no_vietnamese(text, "Nữ"), text  # the card's own word for female, quoted
    assert exc.message_vi.startswith("Mã QR trên thẻ CCCD không hợp lệ: ")


def test_a_bad_number_inside_a_card_scan_says_why_in_english() -> None:
    exc = _refusal(lambda: parse_cccd_qr("00109001234|123456789|Nguyễn Văn An|15031990|Nam|Hà Nội|01072021", TODAY))
    assert exc.text("en") == "The citizen ID number is not valid: it must have exactly 12 digits (it has 11)."
