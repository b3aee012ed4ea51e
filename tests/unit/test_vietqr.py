"""The VietQR payload decodes, with a parser written here from the EMVCo layout, to the centre's account,
the amount and the dossier code; its CRC is checked with the standard CRC-16/CCITT-FALSE (binascii)."""

from __future__ import annotations

import binascii

import pytest

from motcua_core import vietqr


def parse(text: str) -> dict[str, str]:
    """EMVCo TLV: two-digit ID, two-digit length, value."""
    out, i = {}, 0
    while i < len(text):
        tag, n = text[i:i + 2], int(text[i + 2:i + 4])
        out[tag] = text[i + 4:i + 4 + n]
        i += 4 + n
    assert i == len(text)
    return out


def test_payload_decodes_to_account_amount_and_message():
    p = vietqr.payload("970436", "0071000123456", 50000, "HOAAN-260320-0007")
    top = parse(p)
    assert top["00"] == "01" and top["01"] == "12" and top["53"] == "704" and top["58"] == "VN"
    assert top["54"] == "50000"
    merchant = parse(top["38"])
    assert merchant["00"] == "A000000727" and merchant["02"] == "QRIBFTTA"
    assert parse(merchant["01"]) == {"00": "970436", "01": "0071000123456"}
    assert parse(top["62"]) == {"08": "HOAAN-260320-0007"}
    # CRC-16/CCITT-FALSE over everything up to and including "6304" (binascii.crc_hqx with 0xFFFF)
    assert p[-8:-4] == "6304"
    assert int(top["63"], 16) == binascii.crc_hqx(p[:-4].encode(), 0xFFFF)


def test_changed_amount_breaks_the_crc():
    p = vietqr.payload("970436", "0071000123456", 50000, "HOAAN-260320-0007")
    forged = p.replace("540550000", "540590000")
    assert forged != p and int(forged[-4:], 16) != binascii.crc_hqx(forged[:-4].encode(), 0xFFFF)


@pytest.mark.parametrize("args", [("97043", "0071000123456", 1, "X"), ("970436", "00-71", 1, "X"),
                                  ("970436", "0071000123456", 0, "X"), ("970436", "0071000123456", 5, "Lệ phí"),
                                  ("970436", "0071000123456", 5, "A" * 26)])
def test_bad_input_is_refused(args):
    with pytest.raises(ValueError):
        vietqr.payload(*args)
