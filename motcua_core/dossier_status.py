"""A dossier's status in words, Vietnamese first, English second (issue #13).

One table for the hub (its replies' `status_vi`, its refusals' English), the counter terminal and the
kiosk's dossier lookup, so an officer and a citizen never read the same status in different words. It
lives here because devices may import motcua_core, never the hub."""

from __future__ import annotations

from collections.abc import Mapping

from motcua_core.i18n import lookup

READY_REJECTED = "ready_rejected"  # status "ready" with the refusal notice instead of a result

WORDS: dict[str, tuple[str, str]] = {  # hub.domain.dossier's statuses, and READY_REJECTED
    "received": ("Đã tiếp nhận, chờ chuyển xử lý", "Received, waiting to be sent on"),
    "transferred": ("Đã chuyển đến cơ quan giải quyết", "Sent to the agency in charge"),
    "processing": ("Đang giải quyết", "Being processed"),
    "supplement": ("Chờ bổ sung hồ sơ", "Waiting for missing documents"),
    "awaiting_transfer": ("Đang luân chuyển giữa các cơ quan", "Moving between agencies"),
    "ready": ("Đã có kết quả, mời nhận", "Result ready to collect"),
    READY_REJECTED: ("Có thông báo từ chối giải quyết, mời nhận lại hồ sơ",
                     "Refused: the notice and the documents are ready to collect"),
    "returned": ("Đã trả kết quả", "Result returned"),
    "obligation": ("Chờ thực hiện nghĩa vụ tài chính", "Waiting for the financial obligation to be paid"),
    "withdrawn": ("Đã rút hồ sơ", "Withdrawn by the applicant"),
    "stopped": ("Dừng giải quyết, mời nhận lại hồ sơ", "Processing stopped: the documents are ready to collect"),
    "correction": ("Đang đính chính kết quả", "The result is being corrected"),
}


def status_key(d: Mapping) -> str | None:
    """The WORDS key of a hub reply's dossier, None for a status this device does not know (a newer hub).
    The public view has no `outcome`: a refused one is known there by its Vietnamese words."""
    status = d.get("status")
    if status == "ready" and (d.get("outcome") == "rejected" or d.get("status_vi") == WORDS[READY_REJECTED][0]):
        return READY_REJECTED
    return status if status in WORDS else None


def status_text(d: Mapping, lang: str = "vi") -> str:
    """A hub reply's dossier status in `lang`: Vietnamese as the hub words it, English from WORDS (the
    hub's Vietnamese when the status is unknown here)."""
    key = status_key(d)
    if key is None or (lang != "en" and d.get("status_vi")):
        return d.get("status_vi") or ""
    return lookup(WORDS, key, lang)
