"""A procedure page as sections of text (pure), shared by the lookup screen and the printed checklist."""

from __future__ import annotations

from PIL import Image

from kiosk.i18n import t
from kiosk.receipt import Receipt
from motcua_core.document_kinds import document_tag


def _days(proc: dict, lang: str) -> str:
    days = proc.get("processing_days")
    base = t("same_day", lang) if not days else t("days", lang, n=f"{days:g}")
    note = proc.get("processing_note")
    return f"{base}. {note}" if note and lang == "vi" else base


def sections(proc: dict, lang: str = "vi") -> list[tuple[str, str]]:
    """(title, text) pairs in the order a citizen needs them."""
    docs = "\n".join(f"{i}. {d['name']} ({t('copies', lang, n=d.get('copies', 1))})"
                     + (f" — {document_tag(d, lang)}" if document_tag(d, lang) else "")
                     for i, d in enumerate(proc.get("documents") or [], 1))
    level = {"full": "online_full", "partial": "online_partial"}.get(proc.get("online_level") or "", "online_none")
    out = [
        (t("documents", lang), docs or "—"),
        (t("processing", lang), _days(proc, lang)),
        (t("fee", lang), proc.get("fee") or "—"),
        (t("forms", lang), "\n".join(proc.get("forms") or []) or "—"),
        (t("result", lang), proc.get("result") or "—"),
        (t("where", lang), proc.get("agency") or "—"),
        (t("online", lang), t(level, lang)),
        (t("post", lang), t("yes" if proc.get("post_return") else "no", lang)),
    ]
    return out


def render_checklist(proc: dict, unit: str, width: int = 576) -> Image.Image:
    """The document checklist a citizen takes home, with tick boxes."""
    r = Receipt(width)
    r.text(unit, 22, bold=True).rule(4)
    r.text("DANH MỤC GIẤY TỜ CẦN CHUẨN BỊ", 24, bold=True)
    r.text(proc["name"], 28, bold=True)
    if proc.get("code"):
        r.text(f"Mã thủ tục: {proc['code']}", 20)
    r.rule(4)
    for d in proc.get("documents") or []:
        tag = document_tag(d)
        r.text(f"[  ] {d['name']} — {d.get('copies', 1)} bản" + (f" ({tag})" if tag else ""), 22, align="left")
    r.rule(4)
    r.text(f"Thời hạn: {_days(proc, 'vi')}", 20, align="left")
    r.text(f"Phí, lệ phí: {proc.get('fee') or 'Không'}", 20, align="left")
    r.text(f"Nơi nộp: {proc.get('agency') or ''}", 20, align="left")
    return r.build()
