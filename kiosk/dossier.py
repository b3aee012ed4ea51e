"""Dossier codes as a citizen types them or a reader scans them (pure)."""

from __future__ import annotations

import re

from motcua_core.dossier_codes import from_scan
from motcua_core.dossier_status import status_text

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


def status_lines(d: dict, lang: str = "vi") -> tuple[str, str | None]:
    """One consistent answer for the lookup screen: the status, then the one detail that goes with it
    (where to collect a ready result, or the due date of one still in progress; nothing once it is
    returned). Never 'Đã trả kết quả' above 'Hồ sơ đang được giải quyết'. The status in English is
    the counter's and the hub's (motcua_core.dossier_status)."""
    from kiosk.i18n import t

    status = status_text(d, lang)
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
