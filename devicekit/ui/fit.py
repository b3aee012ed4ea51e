"""Fitting text into a box (pure; the text measure is passed in): the lobby, the kiosk's buttons.

A lobby is read from the seats, so text never shrinks below a floor (3 % of the screen height). A name
that does not fit at the floor, wrapped at words onto the lines the box allows, is shortened by the
Vietnamese administrative rule instead ("Lao động – Thương binh và Xã hội" → "Lao động – TB&XH", then
"LĐ-TB&XH"); only what is still too long after that loses its end to "…". Notices are paged by sentence,
so a page never ends mid-phrase.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

Measure = Callable[[str, int], tuple[float, float]]  # (one line of text, font px) -> (width, height)
SEGMENT = re.compile(r"\s+[–—-]\s+|,\s+")
SENTENCE = re.compile(r"(?<=[.!?…])\s+")
CLAUSE = re.compile(r"(?<=[,;:])\s+")
JOINERS = {"và": "&", "và,": "&"}


@dataclass(frozen=True)
class Fitted:
    lines: tuple[str, ...]
    font_px: int
    size: tuple[float, float]  # the drawn text's width and height

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def wrap(text: str, width: float, px: int, measure: Measure) -> list[str]:
    """Greedy wrap at spaces (never inside a word); a single word wider than `width` stays on its line."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and measure(candidate, px)[0] > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


def _size(lines: list[str], px: int, measure: Measure) -> tuple[float, float]:
    dims = [measure(line, px) for line in lines] or [(0.0, 0.0)]
    return max(w for w, _ in dims), sum(h for _, h in dims)


def wrap_at_segments(text: str, width: float, px: int, measure: Measure) -> list[str]:
    """Like `wrap`, but a line breaks after a segment's dash ("Đất đai –" / "Môi trường") rather than
    inside a segment, when that takes no more lines."""
    plain = wrap(text, width, px, measure)
    pieces = re.split(r"(?<=\s[–—])\s+", text)
    if len(pieces) < 2:
        return plain
    by_segment = [line for piece in pieces for line in wrap(piece, width, px, measure)]
    return by_segment if len(by_segment) <= len(plain) else plain


def _try(text: str, box: tuple[float, float], px: int, max_lines: int, measure: Measure) -> Fitted | None:
    lines = wrap_at_segments(text, box[0], px, measure)
    if len(lines) > max_lines:
        return None
    w, h = _size(lines, px, measure)
    return Fitted(tuple(lines), px, (w, h)) if w <= box[0] and h <= box[1] else None


def fits(text: str, box: tuple[float, float], px: int, max_lines: int, measure: Measure) -> bool:
    """Whether `text` fits whole at `px` (wrapped at words onto at most `max_lines` lines)."""
    return _try(" ".join(text.split()), box, px, max_lines, measure) is not None


def _largest(text: str, box: tuple[float, float], sizes: tuple[int, int], max_lines: int,
             measure: Measure) -> Fitted | None:
    """The largest font in [min, max] at which `text` fits (binary search: a larger font never fits better)."""
    hi, lo = sizes
    best = _try(text, box, lo, max_lines, measure)
    if best is None:
        return None
    while lo < hi:
        mid = (lo + hi + 1) // 2
        got = _try(text, box, mid, max_lines, measure)
        if got is None:
            hi = mid - 1
        else:
            best, lo = got, mid
    return best


def initials(words: str) -> str:
    """"Thương binh và Xã hội" → "TB&XH"; "Lao động" → "LĐ" (the first letter of each syllable, capitalised)."""
    out = []
    for w in words.split():
        if w.lower() in JOINERS:
            out.append(JOINERS[w.lower()])
        elif w[:1].isalpha():
            out.append(unicodedata.normalize("NFC", w[0]).upper())
    return "".join(out)


def shortened(text: str) -> list[str]:
    """Ever shorter forms of a name, by rule: the longest segment (between "–" or ",") put as initials
    first, one segment after another, then everything as initials joined by "-"."""
    parts = SEGMENT.split(text)
    seps = SEGMENT.findall(text)
    if any(ch.isdigit() for ch in text) or all(len(p.split()) < 2 for p in parts):
        return []  # figures, dates and codes are never abbreviated
    forms, current = [], list(parts)
    for i in sorted(range(len(parts)), key=lambda k: -len(parts[k])):
        if len(current[i].split()) < 2:
            continue
        current[i] = initials(current[i])
        joined = current[0] + "".join(s + p for s, p in zip(seps, current[1:], strict=False))
        forms.append(joined)
    compact = "-".join(initials(p) if len(p.split()) > 1 else p for p in parts)
    if compact not in forms:
        forms.append(compact)
    return forms


def _ellipsis(text: str, box: tuple[float, float], px: int, max_lines: int, measure: Measure) -> Fitted:
    words = text.split()
    while words:
        words = words[:-1]
        got = _try(" ".join(words) + "…", box, px, max_lines, measure)
        if got is not None:
            return got
    chars = text
    while chars:  # one word wider than the box: cut inside it, the only case that does
        chars = chars[:-1]
        lines = [chars + "…"]
        size = _size(lines, px, measure)
        if size[0] <= box[0] and size[1] <= box[1]:
            return Fitted(tuple(lines), px, size)
    lines = [text.split()[0] + "…"]  # the box is too small for a line at all: show it (a test sees it)
    return Fitted(tuple(lines), px, _size(lines, px, measure))


def fit(text: str, box: tuple[float, float], sizes: tuple[int, int], measure: Measure, max_lines: int = 1,
        shorten: bool = True) -> Fitted:
    """`text` in a box of `box` (width, height) px with a font between sizes = (max, min) px: the full text
    at the largest size that fits, else its shortened forms, else cut with "…" at the smallest size."""
    text = " ".join(text.split())
    if not text:
        return Fitted(("",), sizes[0], (0.0, 0.0))
    for candidate in [text, *(shortened(text) if shorten else [])]:
        got = _largest(candidate, box, sizes, max_lines, measure)
        if got is not None:
            return got
    return _ellipsis(text, box, sizes[1], max_lines, measure)


def pages(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Notice pages of whole sentences: as many sentences as fit a page; a sentence too long for one page
    is split at its clauses (",", ";", ":"), and only a clause too long at its words."""
    out: list[str] = []
    page = ""
    for piece in _pieces(text, fits):
        candidate = f"{page} {piece}" if page else piece
        if page and not fits(candidate):
            out.append(page)
            page = piece
        else:
            page = candidate
    return [*out, page] if page else out


def _pieces(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Sentences, each of which fits a page alone (split at clauses, then words, only when needed)."""
    out: list[str] = []
    for sentence in SENTENCE.split(" ".join(text.split())):
        if not sentence or fits(sentence):
            out += [sentence] if sentence else []
            continue
        for clause in _joined(CLAUSE.split(sentence), fits):
            out += [clause] if fits(clause) else _joined(clause.split(), fits)
    return out


def _joined(parts: list[str], fits: Callable[[str], bool]) -> list[str]:
    out: list[str] = []
    cur = ""
    for p in parts:
        candidate = f"{cur} {p}" if cur else p
        if cur and not fits(candidate):
            out.append(cur)
            cur = p
        else:
            cur = candidate
    return [*out, cur] if cur else out
