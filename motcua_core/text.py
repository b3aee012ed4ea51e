"""Vietnamese text: folding, so that "dang ky khai sinh" finds "Đăng ký khai sinh", and NFC at the edges."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d included, which NFD does not split), squeeze spaces."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", bare.lower()).strip()


def nfc(value: Any) -> Any:
    """Every string inside `value` (dicts, lists, keys too) in Unicode NFC.

    Some Vietnamese keyboard settings type decomposed text (NFD: "ệ" as e + two marks); stored as is it
    prints with colliding marks, is masked wrongly and misses in search. The hub calls this once at each
    edge: MQTT data (Verb.validate), HTTP bodies (json_body) and the files the CLI reads."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(nfc(v) for v in value)
    return value


def read_text_nfc(path: Path, encoding: str = "utf-8") -> str:
    """A text file as NFC (catalogue, settings and site files typed on any keyboard)."""
    return unicodedata.normalize("NFC", path.read_text(encoding=encoding))
def short_datetime(iso: str | None) -> str:
    """'2026-03-16T08:22:05+07:00' → '08:22 16/03/2026', as receipts and phone pages show a time."""
    if not iso:
        return "—"
    from datetime import datetime

    try:
        return datetime.fromisoformat(iso).strftime("%H:%M %d/%m/%Y")
    except ValueError:
        return iso
