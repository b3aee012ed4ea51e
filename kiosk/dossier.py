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


def status_lines(d: dict, lang: str = "vi") -> tuple[str, str | None]:
    """One consistent answer for the lookup screen: the status, then the one detail that goes with it
    (where to collect a ready result, or the due date of one still in progress; nothing once it is
    returned). Never 'Đã trả kết quả' above 'Hồ sơ đang được giải quyết'."""
    from kiosk.i18n import t

    status = d.get("status_vi", "")
    if d.get("ready"):
        return status, t("dossier_where", lang, where=d.get("where", ""))
    if d.get("status") == "returned":
        return status, None
    due = d.get("due_at")
    if not due:
        return status, None
    from datetime import datetime

    try:
        when = datetime.fromisoformat(due).strftime("%H:%M %d/%m/%Y")
    except ValueError:
        when = due
    return status, t("dossier_due", lang, due=when)
