"""The call announcement as words: what is said, and which voice-pack clips say it.

Pure functions: the announcer, `motcua display say --text` and the tests all build the sentence here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from display_controller.numbers import Dialect, read_number_words, read_ticket_words

# Fixed parts of the sentence, recorded as whole phrases so they sound natural.
PHRASES = {
    "intro": "Mời công dân có số thứ tự",
    "to_counter": "đến quầy số",
}
CHIME = "chime"


@dataclass(frozen=True)
class Announcement:
    text: str  # the exact sentence, as a person would write it down
    clips: tuple[str, ...]  # voice-pack clip ids in order: "chime", "phrase:intro", "word:muowif", …


def build(ticket: str, counter: int, d: Dialect) -> Announcement:
    """"Mời công dân có số thứ tự một nghìn không trăm linh năm đến quầy số ba." plus its clips."""
    number_words = read_ticket_words(ticket, d)
    counter_words = read_number_words(counter, d)
    text = f"{PHRASES['intro']} {' '.join(number_words)} {PHRASES['to_counter']} {' '.join(counter_words)}."
    clips = (CHIME, "phrase:intro", *(f"word:{telex(w)}" for w in number_words), "phrase:to_counter",
             *(f"word:{telex(w)}" for w in counter_words))
    return Announcement(text, clips)


# --- clip file names -----------------------------------------------------------------------------
# Clip files are named in Telex, the ASCII spelling every Vietnamese typist knows ("mươi" → "muowi",
# "mười" → "muwowif"), so a recorded pack can be made on any machine and no name depends on Unicode
# normalisation.

_BASE = {"ă": "aw", "â": "aa", "đ": "dd", "ê": "ee", "ô": "oo", "ơ": "ow", "ư": "uw"}
_TONES = {"\u0301": "s", "\u0300": "f", "\u0309": "r", "\u0303": "x", "\u0323": "j"}


def telex(word: str) -> str:
    """"mười" → "muwowif" (Telex, tone letter at the end); "e-lờ" → "e-lowf"; lower case."""
    out: list[str] = []
    tone = ""
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONES:
            tone = _TONES[ch]
            continue
        if ch in ("\u0306", "\u0302", "\u031b"):  # breve, circumflex, horn: fold into the previous letter
            base = out.pop() if out else ""
            composed = unicodedata.normalize("NFC", base + ch)
            out.append(_BASE.get(composed, composed))
            continue
        if ch == " ":
            out.append(tone)
            tone = ""
            out.append("_")
            continue
        out.append(_BASE.get(ch, ch))
    out.append(tone)
    return "".join(out)
