"""What makes a report an official document (Decree 30/2020/NĐ-CP on document work, Appendix I: the
format of administrative documents): the number and symbol "Số: 05/BC-TTPVHCC" from the issuing body's
series of the year, the recipients block "Nơi nhận:" and the signature block (authority, position, name).
Pure: the shell allocates the number (hub.store.reports) and renders the page
(motcua_core.documents.report_pdf)."""

from __future__ import annotations

import unicodedata

KIND_SYMBOL = "BC"  # Báo cáo: the document type's abbreviation (Decree 30/2020, Appendix III)
# Words that start the place in a unit's name: the abbreviation stops there ("… huyện Hòa An").
PLACE_WORDS = {"tỉnh", "thành", "huyện", "quận", "thị", "xã", "phường", "thị trấn", "đặc"}
SMALL_WORDS = {"và", "của", "cho", "về"}


def _initial(word: str) -> str:
    """The first letter of a word, capital and without tone marks (Đ stays Đ, as symbols write it)."""
    ch = word[0].upper()
    if ch == "Đ":
        return ch
    return unicodedata.normalize("NFD", ch)[0]


def abbreviation(unit_name: str) -> str:
    """'Trung tâm Phục vụ hành chính công tỉnh Hòa An' → 'TTPVHCC': initials of the name up to its place."""
    out = []
    for w in unit_name.replace("–", " ").replace("-", " ").split():
        if w.lower() in PLACE_WORDS:
            break
        if w.lower() in SMALL_WORDS or not w[0].isalpha():
            continue
        out.append(_initial(w))
    return "".join(out) or "BPMC"


def symbol(settings: dict) -> str:
    """The symbol after the number: BC-<the issuing body's abbreviation> (an office sets its own)."""
    own = (settings.get("reports") or {}).get("symbol")
    return f"{KIND_SYMBOL}-{own or abbreviation(settings.get('unit_name') or '')}"


def number_line(number: int | None, sym: str) -> str:
    """'Số: 05/BC-TTPVHCC'; a draft leaves the number blank for the clerk: 'Số:      /BC-TTPVHCC'.
    Numbers below 10 are written with a leading zero (Decree 30/2020, Appendix I)."""
    return f"Số: {number:02d}/{sym}" if number is not None else f"Số:       /{sym}"


def recipients(settings: dict, given: list[str] | None = None) -> list[str]:
    """The lines of "Nơi nhận:", each '- …;' and the last '- Lưu: VT.' as the decree's template ends it."""
    names = [x.strip() for x in (given if given else (settings.get("reports") or {}).get("recipients") or [])
             if x and x.strip()]
    if not names:  # the parent body, written as a sentence writes it where the settings allow it
        parent = settings.get("parent_agency") or "Cơ quan chủ quản"
        if parent.upper().startswith("ỦY BAN NHÂN DÂN") and settings.get("area"):
            parent = f"Ủy ban nhân dân {settings['area']}"
        elif parent.isupper() and len(parent.split()) <= 4:  # no place in it: "ỦY BAN NHÂN DÂN"
            parent = parent[:1] + parent[1:].lower()
        names = [f"{parent} (để báo cáo)"]
    lines = [f"- {n.rstrip(';.')};" for n in names if not n.lower().startswith("lưu")]
    return [*lines, "- Lưu: VT."]


def signer(settings: dict, title: str | None = None, name: str | None = None) -> dict:
    """The signature block: the position in capitals (GIÁM ĐỐC, TRƯỞNG BỘ PHẬN) and the signer's name."""
    own = settings.get("reports") or {}
    return {"title": (title or own.get("signer_title") or "THỦ TRƯỞNG ĐƠN VỊ").upper(),
            "name": name or own.get("signer_name") or ""}
