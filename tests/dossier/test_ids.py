"""Citizen ID structure, dossier codes and name masking."""

from __future__ import annotations

from datetime import date

import pytest

from motcua_core.cccd import parse_cccd
from motcua_core.dossier_codes import agency_code, is_code, make_code, mask_name, normalise
from motcua_core.errors import DomainError


def test_valid_cccd_is_parsed() -> None:
    c = parse_cccd("001 090 012345", 2026)
    assert (c.number, c.province, c.sex, c.birth_year) == ("001090012345", "Hà Nội", "nam", 1990)
    c = parse_cccd("079305000123", 2026)  # TP. HCM, female born 2005
    assert (c.province, c.sex, c.birth_year) == ("TP. Hồ Chí Minh", "nữ", 2005)


@pytest.mark.parametrize("text, reason", [
    ("00109001234", "đúng 12 chữ số"),
    ("0010900123456", "đúng 12 chữ số"),
    ("00109001234a", "chỉ gồm chữ số"),
    ("003090012345", "mã tỉnh 003"),  # 003 is not a province code
    ("001230012345", "ở tương lai"),  # century digit 2 → 2030
    ("", "chỉ gồm chữ số"),
])
def test_invalid_cccd_gets_a_vietnamese_reason(text: str, reason: str) -> None:
    with pytest.raises(DomainError) as e:
        parse_cccd(text, 2026)
    assert reason in e.value.message_vi and e.value.message_vi.startswith("Số CCCD không hợp lệ")


def test_dossier_code_shape() -> None:
    code = make_code(agency_code("Hòa An"), date(2026, 11, 23), 7)
    assert code == "HOAAN-261123-0007" and is_code(code)
    assert normalise(" hoaan-261123-0007\r\n") == code
    assert not is_code("HOAAN-2611-07") and not is_code("1001")


def test_masked_names_hide_given_names_and_their_length() -> None:
    assert mask_name("Nguyễn Văn An") == "Nguyễn V*** A**"
    assert mask_name("Trần Thị Thu Hương") == "Trần T*** T*** H**"
    assert mask_name("Lê Bá") == "Lê B**"
    assert mask_name("Madonna") == "M***"
