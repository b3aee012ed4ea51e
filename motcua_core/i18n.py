"""Screen words in two languages, Vietnamese first, English second.

Each device keeps its own table of (vi, en) pairs — the kiosk's citizen words (kiosk/i18n.py), the
counter's officer words (counter_terminal/words.py) — and looks them up here, so the rule "English when
asked, Vietnamese otherwise" lives in one place. Printed documents never go through this: they stay
Vietnamese (they are legal documents)."""

from __future__ import annotations

from collections.abc import Mapping

LANGS = ("vi", "en")
Table = Mapping[str, tuple[str, str]]


def lookup(table: Table, key: str, lang: str = "vi", **values: object) -> str:
    """The words for `key` in `lang` ("en", else Vietnamese), with `values` filled in."""
    vi, en = table[key]
    text = en if lang == "en" else vi
    return text.format(**values) if values else text


COUNTER: tuple[str, str] = ("Quầy {n}", "Counter {n}")  # a counter's default name (hub.store.sites)


def counter_name(name: str | None, number: int, lang: str = "vi") -> str:
    """A counter's name on a screen. A counter the office named keeps its name in both languages; the
    default one ("Quầy 2", or none) reads "Counter 2" in English. One rule for the counter terminal, the
    lobby and the hub's messages, so they never name the same counter differently."""
    if name and name != COUNTER[0].format(n=number):
        return name
    return lookup({"counter": COUNTER}, "counter", lang, n=number)


def other_lang(lang: str) -> str:
    """The language a toggle switches to."""
    return "vi" if lang == "en" else "en"


def sentence(text: str) -> str:
    """The hub's English messages read like log lines ("bad username or PIN"); on a screen they start
    with a capital and end with a full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…" else text + "."
