"""Vietnamese alphabetical order: a sort key that knows the alphabet a ă â b c d đ e ê g h i k l m n o ô ơ
p q r s t u ư v x y (f j w z of foreign words in their Latin places) and the tones.

Letters decide first, over the whole text (so "Cấp" < "Chứng" < "Công": â < h < ô); only texts with the
same letters are told apart by their tones, syllable by syllable, in dictionary order: no mark, huyền
(`), hỏi (?), ngã (~), sắc (´), nặng (.). Case comes last. Digraphs (ch, ngh, …) are not letters of
their own, as in the Unicode CLDR Vietnamese collation. Used wherever a list is sorted for a person."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {c: i for i, c in enumerate(ALPHABET)}
# combining marks that make a letter of its own (breve, circumflex, horn) and the five tones
_LETTER_MARKS = frozenset({"\u0306", "\u0302", "\u031b"})
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng
_BASE = {("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê", ("o", "\u0302"): "ô",
         ("o", "\u031b"): "ơ", ("u", "\u031b"): "ư"}


@lru_cache(maxsize=8192)
def vi_key(text: str) -> tuple:
    """The sort key of `text` in Vietnamese order (see the module's docstring)."""
    letters: list[int] = []
    tones: list[int] = []
    cases: list[int] = []
    for ch in unicodedata.normalize("NFC", str(text or "")):
        low = ch.lower()
        cases.append(0 if ch == low else 1)
        if low == "đ":
            letters.append(1000 + _RANK["đ"])
            tones.append(0)
            continue
        parts = unicodedata.normalize("NFD", low)
        base, marks = parts[0], parts[1:]
        tone = 0
        for m in marks:
            if m in _TONES:
                tone = _TONES[m]
            elif m in _LETTER_MARKS:
                base = _BASE.get((base, m), base)
        if base in _RANK:
            letters.append(1000 + _RANK[base])
        elif base.isdigit():
            letters.append(100 + int(base) if base in "0123456789" else 500)
        elif base.isspace():
            letters.append(0)  # a shorter word first: "Cấp" before "Cấp lại"
        else:
            letters.append(10 + min(ord(base), 80))  # punctuation before digits and letters
        tones.append(tone)
    return tuple(letters), tuple(tones), tuple(cases)


def vi_sorted(items, key=lambda x: x):
    """`items` sorted in Vietnamese order of `key(item)`."""
    return sorted(items, key=lambda x: vi_key(key(x)))
