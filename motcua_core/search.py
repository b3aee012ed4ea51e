"""Ranking procedures for a search box: diacritic- and case-insensitive, in memory, per keystroke.

Pure functions over folded text (motcua_core.text.fold), so "dang ky khai sinh" finds "Đăng ký khai sinh".
A province's catalogue is a few thousand rows. Entries are kept in ranking order of their own (shorter
names first), so ties need no comparison; the first one or two keystrokes, which match almost every
row, are answered from a prefix index built at load time (word starts only: name, then code and
keywords); longer queries first look at the rows where every typed word begins a word, scan pre-folded
strings, and stop scoring as soon as no further row can enter the list (see _scan).

Shared by the kiosk (its local replica, kiosk.catalog) and the hub (/api/v1/procedures, through
hub.store.catalogue.search), so a citizen gets the same answers, in the same order, at both.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from motcua_core.collation import vi_key
from motcua_core.text import fold

SHORT = 3  # queries of one word up to this length are answered from the prefix index


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    field: str
    agency: str
    name_f: str  # folded name, padded with spaces so " word" tests a word start
    text_f: str  # folded name + code + keywords
    rank: int  # the length penalty: shorter names rank first among equals


def make_entry(proc: dict) -> Entry:
    text = " ".join([proc["name"], proc.get("code") or "", *(proc.get("keywords") or [])])
    name_f = f" {fold(proc['name'])} "
    return Entry(proc["id"], proc["name"], proc.get("field", ""), proc.get("agency") or "",
                 name_f, f" {fold(text)} ", min(len(name_f), 199) // 4)


BEST = 1000  # the score of a name that begins with the whole query, before the length penalty
PHRASE = 800  # the query as a phrase later in the name: the best any other name can do


def score(e: Entry, q: str, words: list[str]) -> int:
    """Higher is better; 0 means no match. Whole phrase beats all words; name beats keywords; word
    starts beat inner substrings; shorter names win ties (the general procedure before its variants)."""
    sq = f" {q}"
    nf = e.name_f
    if sq in nf:
        s = BEST if nf.startswith(sq) else PHRASE
    elif all(w in nf for w in words):
        s = 500 + 50 * sum(f" {w}" in nf for w in words)
    elif all(w in e.text_f for w in words):
        s = 200 + 20 * sum(f" {w}" in e.text_f for w in words)
    else:
        return 0
    return s - e.rank


@dataclass
class Index:
    """Entries in tie order, plus the answers for short one-word prefixes (name start, word start)."""

    entries: list[Entry]
    starts: dict[str, list[int]] = field(default_factory=dict)  # the name begins with the prefix
    words: dict[str, list[int]] = field(default_factory=dict)  # a later word of the name begins with it
    others: dict[str, list[int]] = field(default_factory=dict)  # only a code or keyword word begins with it

    @classmethod
    def build(cls, entries: list[Entry]) -> Index:
        ordered = sorted(entries, key=lambda e: (e.rank, vi_key(e.name)))
        idx = cls(ordered)
        for i, e in enumerate(ordered):
            seen: set[str] = set()
            for pos, word in enumerate(e.name_f.split()):
                for n in range(1, SHORT + 1):
                    p = word[:n]
                    if len(p) < n or p in seen:
                        continue
                    seen.add(p)
                    (idx.starts if pos == 0 else idx.words).setdefault(p, []).append(i)
            for word in e.text_f.split():
                for n in range(1, SHORT + 1):
                    p = word[:n]
                    if len(p) == n and p not in seen:
                        seen.add(p)
                        idx.others.setdefault(p, []).append(i)
        return idx


def search(index: Index | list[Entry], query: str, limit: int = 30) -> list[Entry]:
    if not isinstance(index, Index):
        index = Index.build(index)
    words = fold(query).split()
    if not words:
        return []
    q = " ".join(words)
    entries = index.entries
    if len(words) == 1 and len(q) <= SHORT:
        first = index.starts.get(q, [])[:limit]
        taken = set(first)
        rest = [i for i in index.words.get(q, [])[: 2 * limit] if i not in taken]
        # Name-start and word-start matches outrank any other kind, so they are the answer when enough;
        # then words of codes and keywords (for one to three letters, a letter inside a word is noise).
        picked = first + rest[: limit - len(first)]
        if len(picked) < limit:
            picked += index.others.get(q, [])[: limit - len(picked)]
        if len(picked) == limit:
            return [entries[i] for i in picked]
    if len(words) > 1 or len(q) > SHORT:
        # People type word starts ("ho k" for "hộ kinh doanh", "giay" for "cấp giấy phép"): rows where every
        # typed word begins a word are scored first; only when they are too few is every row scanned for
        # inner substrings.
        found = _scan(entries, _word_start_rows(index, words), q, words, limit)
        if len(found) == limit:
            return found
    return _scan(entries, range(len(entries)), q, words, limit)


def _word_start_rows(index: Index, words: list[str]) -> list[int]:
    rows: set[int] | None = None
    for w in sorted(words, key=len, reverse=True):
        p = w[:SHORT]
        these = {*index.starts.get(p, ()), *index.words.get(p, ()), *index.others.get(p, ())}
        rows = these if rows is None else rows & these
        if not rows:
            return []
    return sorted(rows or ())


def _scan(entries: list[Entry], rows, q: str, words: list[str], limit: int) -> list[Entry]:
    """The `limit` best rows, best first (ties: earlier row). `rows` must ascend: entries are in tie order,
    shorter names first, so once the list is full a row can only enter with a score above the weakest
    kept plus its own length penalty. Past BEST nothing further can (the scan stops); past PHRASE only a
    name that begins with the query can (one startswith, not a full score, per row). "dang" and "ho k"
    no longer score every "Đăng ký …" and "… hộ kinh doanh" of a province's catalogue."""
    best: list[tuple[int, int]] = []  # min-heap of (score, -row): the weakest of the best on top
    longest = max(words, key=len)
    sq = f" {q}"
    for i in rows:
        e = entries[i]
        if len(best) == limit:
            needed = best[0][0] + e.rank  # the score a row needs before its length penalty
            if needed >= BEST:
                break
            if needed >= PHRASE and not e.name_f.startswith(sq):
                continue
        tf = e.text_f
        if longest not in tf or not all(w in tf for w in words):
            continue
        item = (score(e, q, words), -i)
        if len(best) < limit:
            heapq.heappush(best, item)
        elif item > best[0]:
            heapq.heapreplace(best, item)
    return [entries[-i] for _, i in sorted(best, reverse=True)]
