"""Dossier codes (Decree 118/2025/NĐ-CP, Art. 28): the official electronic identifier of the competent
agency (for a liên thông dossier, the receiving centre's) + the date of receipt (yymmdd) + the day's
sequence number, e.g. H15.50.05.13-261008-0975 — the code the citizen uses on the national portal.
Codes made before identifiers were configured (a free-text agency code, HOAAN-261123-0007) stay valid.

Printed as a Code 128 barcode on every paper (000 L92), so only A–Z, 0–9, '.' and '-' are used."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs, urlparse

from motcua_core.text import fold

CODE_RE = re.compile(r"^(?:[A-Z0-9]{1,12}|[A-Z0-9]{2,3}(?:\.[A-Z0-9]{2,3}){1,4})-\d{6}-\d{4,6}$")
# An agency's electronic identifier (mã định danh điện tử, Decision 20/2020/QĐ-TTg): 2–5 groups of 2–3
# letters or digits joined by dots, e.g. H15.50.05.13 or 000.00.21.H56.
OFFICIAL_ID_RE = re.compile(r"^[A-Z0-9]{2,3}(?:\.[A-Z0-9]{2,3}){1,4}$")


def is_official_id(text: str) -> bool:
    return bool(OFFICIAL_ID_RE.match(str(text or "")))


def agency_code(text: str) -> str:
    """An agency code from free text (diacritics folded, upper case, at most 12 characters)."""
    code = re.sub(r"[^A-Z0-9]", "", fold(text).upper())
    if not code:
        raise ValueError(f"cannot make an agency code from {text!r}")
    return code[:12]


def make_code(agency: str, day: date, seq: int) -> str:
    return f"{agency}-{day:%y%m%d}-{seq:04d}"


def normalise(text: str) -> str:
    """What a scanner or a keyboard may send (lower case, spaces, a trailing CR) → the canonical code."""
    return re.sub(r"\s+", "", str(text or "")).upper()


def is_code(text: str) -> bool:
    return bool(CODE_RE.match(text))


def mask_name(name: str) -> str:
    """Public views show a name masked: "Nguyễn Văn An" → "Nguyễn V*** A**": the family name and each
    other name's first letter with a fixed number of stars, so the citizen recognises it and a stranger
    learns neither the names nor their length."""
    words = str(name or "").split()
    if not words:
        return ""
    if len(words) == 1:
        return words[0][0] + "***"
    middle = [w[0] + "***" for w in words[1:-1]]
    return " ".join([words[0], *middle, words[-1][0] + "**"])


def from_scan(raw: str) -> tuple[str, str | None]:
    """What a reader or camera sent → (code, lookup key or None). A receipt's QR holds the status page's
    absolute link (`http://<hub>/d/<code>?k=<key>`), its barcode the bare code; the caller checks the code."""
    text = str(raw or "").strip()
    if "://" not in text and not text.startswith("/"):
        return normalise(text), None
    url = urlparse(text)
    query = parse_qs(url.query)
    code = (query.get("code") or [url.path.rstrip("/").rsplit("/", 1)[-1]])[0]
    key = (query.get("k") or query.get("key") or [None])[0]
    return normalise(code), normalise(key) if key else None
