"""The on-screen Vietnamese keyboard's editing rules (pure): letters, the five tone marks, edits. Shared by
the kiosk and the counter terminal (devicekit.ui.keyboard lays the keys out)."""

from __future__ import annotations

import re
import unicodedata

TONES = {"sắc": "\u0301", "huyền": "\u0300", "hỏi": "\u0309", "ngã": "\u0303", "nặng": "\u0323"}
VN_LETTERS = "ăâđêôơư"


def apply_key(text: str, key: str) -> str:
    """What the on-screen keyboard does to the text for one key (pure): letters, tones, edits."""
    if key == "backspace":
        return text[:-1]
    if key == "clear":
        return ""
    if key == "space":
        return text + " "
    if key in TONES:
        if not text or not text[-1].isalpha():
            return text
        base = unicodedata.normalize("NFD", text[-1])
        base = "".join(ch for ch in base if ch not in TONES.values())  # one tone per vowel: replace it
        return text[:-1] + unicodedata.normalize("NFC", base + TONES[key])
    return text + key


def capitalise_words(text: str) -> str:
    """Names and addresses typed on a touch keyboard without a shift key: each word starts upper case."""
    return re.sub(r"(^|\s)(\w)", lambda m: m.group(1) + m.group(2).upper(), text)
