"""VietQR payloads (EMVCo merchant-presented QR as NAPAS 247 specifies it for transfers to an account):
what a citizen's bank app scans to pay a procedure's fees to the centre's account, with the amount and
the dossier code filled in. Pure: the hub builds the text, the printers draw it as a QR code.

Layout (ID, length, value): 00 payload format "01"; 01 "12" (dynamic: one payment); 38 the beneficiary
(00 NAPAS GUID A000000727, 01 [00 bank BIN, 01 account], 02 service QRIBFTTA = transfer to an account);
53 currency 704 (VND); 54 amount; 58 country VN; 62/08 purpose = the message; 63 CRC16-CCITT (poly
0x1021, initial 0xFFFF) over everything before it, "6304" included.
"""

from __future__ import annotations

import re

NAPAS_GUID = "A000000727"
TO_ACCOUNT = "QRIBFTTA"
MAX_MESSAGE = 25


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"field {tag} is too long")
    return f"{tag}{len(value):02d}{value}"


def crc16_ccitt(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def payload(bank_bin: str, account: str, amount_vnd: int, message: str) -> str:
    """The VietQR text for `amount_vnd` đồng to `account` at the bank `bank_bin` (its 6-digit NAPAS BIN),
    with `message` (letters, digits, space, . and -, at most 25) as the transfer's content."""
    if not re.fullmatch(r"\d{6}", bank_bin or ""):
        raise ValueError("the bank BIN is 6 digits")
    if not re.fullmatch(r"[0-9A-Za-z]{4,19}", account or ""):
        raise ValueError("the account number is 4–19 letters or digits")
    if not isinstance(amount_vnd, int) or isinstance(amount_vnd, bool) or not 0 < amount_vnd < 10**13:
        raise ValueError("the amount is a positive number of đồng")
    if not re.fullmatch(rf"[0-9A-Za-z .\-]{{1,{MAX_MESSAGE}}}", message or ""):
        raise ValueError("the message is 1–25 letters, digits, spaces, dots or hyphens (no diacritics)")
    beneficiary = _tlv("00", bank_bin) + _tlv("01", account)
    merchant = _tlv("00", NAPAS_GUID) + _tlv("01", beneficiary) + _tlv("02", TO_ACCOUNT)
    body = (_tlv("00", "01") + _tlv("01", "12") + _tlv("38", merchant) + _tlv("53", "704")
            + _tlv("54", str(amount_vnd)) + _tlv("58", "VN") + _tlv("62", _tlv("08", message)) + "6304")
    return body + f"{crc16_ccitt(body.encode('ascii')):04X}"
