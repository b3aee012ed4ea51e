"""Dossier codes as a citizen types them or a reader scans them (pure)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{3,39}$")


def extract_code(raw: str) -> str | None:
    """The dossier code in typed or scanned text, or None when it cannot be one.

    A reader may send a trailing CR/LF, a QR may hold a tracking URL (…/dossiers/<code> or ?code=<code>),
    a citizen may type lower case or spaces."""
    text = (raw or "").strip()
    if "://" in text:
        url = urlparse(text)
        q = parse_qs(url.query).get("code")
        text = q[0] if q else url.path.rstrip("/").rsplit("/", 1)[-1]
    code = re.sub(r"\s+", "", text).upper()
    return code if CODE_RE.match(code) else None
