"""Dossier codes as a citizen types them or a reader scans them (pure)."""

from __future__ import annotations

import re

from motcua_core.dossier_codes import from_scan

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{3,39}$")
KEY_RE = re.compile(r"^[A-Z0-9]{4,12}$")


def extract(raw: str) -> tuple[str | None, str | None]:
    """(dossier code or None when it cannot be one, lookup key or None) in typed or scanned text.

    A reader may send a trailing CR/LF, a receipt's QR holds the status page's absolute link with its
    lookup key (…/d/<code>?k=<key>, or ?code=<code>), a citizen may type lower case or spaces."""
    code, key = from_scan(raw)
    return (code if CODE_RE.match(code) else None), (key if key and KEY_RE.match(key) else None)


def extract_code(raw: str) -> str | None:
    return extract(raw)[0]


def clean_key(raw: str) -> str | None:
    """A typed lookup key (printed on the receipt) or the applicant's CCCD last digits, or None."""
    key = re.sub(r"\s+", "", raw or "").upper()
    return key if KEY_RE.match(key) else None
