"""How a catalogue document is marked for people (issue #13): the hub stores each document's `kind`
(`required`, `conditional` with its `condition`, `optional`, or `show`: a paper shown to the officer
and handed back, "xuất trình"); counters and kiosks show this tag."""

from __future__ import annotations

TAGS = {"conditional": ("chỉ khi thuộc trường hợp nêu", "only in the case stated"),
        "optional": ("không bắt buộc, nộp nếu có", "optional, bring it if you have it"),
        "show": ("xuất trình, không nộp", "to show, not to hand in")}


def document_tag(doc: dict, lang: str = "vi") -> str:
    """'' for a required document, else the words that say when it is needed."""
    tag = TAGS.get(str(doc.get("kind") or ""))
    return "" if tag is None else (tag[1] if lang == "en" else tag[0])
