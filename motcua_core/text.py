"""Vietnamese text folding, so that "dang ky khai sinh" finds "Đăng ký khai sinh"."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d included, which NFD does not split), squeeze spaces."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", bare.lower()).strip()


def short_datetime(iso: str | None) -> str:
    """'2026-03-16T08:22:05+07:00' → '08:22 16/03/2026', as receipts and phone pages show a time."""
    if not iso:
        return "—"
    from datetime import datetime

    try:
        return datetime.fromisoformat(iso).strftime("%H:%M %d/%m/%Y")
    except ValueError:
        return iso
