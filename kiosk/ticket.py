"""The printed queue ticket: what it says (pure) and how it looks on 80 mm or 58 mm paper."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PIL import Image

from kiosk.i18n import ahead_text, t
from kiosk.receipt import Receipt

PRIORITY_VI = {"elderly": "ƯU TIÊN – Người cao tuổi", "disability": "ƯU TIÊN – Người khuyết tật",
               "pregnant": "ƯU TIÊN – Phụ nữ mang thai", "merit": "ƯU TIÊN – Người có công"}
PRIORITY_EN = {"elderly": "PRIORITY – Elderly", "disability": "PRIORITY – Disability",
               "pregnant": "PRIORITY – Pregnant", "merit": "PRIORITY – Merit"}


@dataclass(frozen=True)
class TicketContent:
    unit: str
    title: str
    service: str
    number: str
    priority: str | None
    ahead: str
    wait: str
    issued: str
    qr_url: str | None
    footer: str


def tracking_url(base: str | None, site: str, ticket_id: int) -> str | None:
    """The public page a citizen's phone opens from the QR: the ticket's status, no personal data."""
    if not base:
        return None
    return f"{base.rstrip('/')}/t/{site}/{ticket_id}"


def ticket_content(ticket: dict, *, unit: str, lang: str = "vi", qr_url: str | None = None) -> TicketContent:
    """Everything printed on a ticket, from the hub's `ticket.issue` answer."""
    issued = datetime.fromisoformat(ticket["issued_at"])
    service = ticket["service_name"]
    if lang == "en" and ticket.get("service_name_en"):
        service = ticket["service_name_en"]
    wait = ticket.get("est_wait_min")
    prio = ticket.get("priority") or "none"
    return TicketContent(
        unit=ticket.get("site_name") or unit,
        title="PHIẾU SỐ THỨ TỰ" if lang == "vi" else "QUEUE TICKET",
        service=service,
        number=ticket["number"],
        priority=(PRIORITY_EN if lang == "en" else PRIORITY_VI).get(prio),
        ahead=ahead_text(ticket.get("people_ahead", 0), lang),
        wait=t("wait", lang, m=max(1, wait)) if wait is not None else t("wait_unknown", lang),
        issued=issued.strftime("%H:%M  %d/%m/%Y"),
        qr_url=qr_url,
        footer=("Quét mã để theo dõi lượt gọi. Xin giữ phiếu đến khi được phục vụ." if lang == "vi" else
                "Scan to follow your turn. Keep this ticket until you are served."),
    )


def render_ticket(c: TicketContent, width: int = 576) -> Image.Image:
    """The ticket as a greyscale image `width` dots wide; the number is the largest thing on it."""
    r = Receipt(width)
    r.text(c.unit, 26, bold=True).rule(4)
    r.text(c.title, 24, bold=True).text(c.service, 30, gap=0)
    r.text(c.number, 150, bold=True, gap=0)
    if c.priority:
        r.text(c.priority, 26, bold=True)
    r.text(c.ahead, 26).text(c.wait, 24).text(c.issued, 24).rule(4)
    if c.qr_url:
        r.qr(c.qr_url, 200)
    r.text(c.footer, 20)
    return r.build()


SAMPLE_TICKET = {
    "id": 42, "number": "1024", "service": "HT", "service_name": "Hộ tịch", "service_name_en": "Civil status",
    "priority": "elderly", "status": "waiting", "issued_at": "2026-03-16T08:22:05+07:00", "counter": None,
    "recalls": 0, "people_ahead": 7, "est_wait_min": 18,
    "site_name": "Trung tâm Phục vụ hành chính công xã Hòa An",
}


def render_sample(width: int = 576, lang: str = "vi") -> Image.Image:
    """A sample ticket for technicians (no hub needed): checks the font, the width and the QR."""
    content = ticket_content(SAMPLE_TICKET, unit=SAMPLE_TICKET["site_name"], lang=lang,
                             qr_url=tracking_url("http://192.168.1.10:8080", "demo", SAMPLE_TICKET["id"]))
    return render_ticket(content, width)
