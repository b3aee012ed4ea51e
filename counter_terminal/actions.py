"""What each counter action means to the officer: labels, which need a ticket, and result messages.

Pure: the screen, the keypad and the tests use the same table, so a key and its button never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    name: str
    label: str  # on the button
    needs_ticket: bool  # refused locally (no request) when nothing is being served
    keypad: bool  # also on the physical keypad


ACTIONS = {a.name: a for a in (
    Action("next", "Gọi số tiếp", False, True),
    Action("recall", "Gọi lại", True, True),
    Action("skip", "Vắng mặt", True, True),
    Action("done", "Hoàn thành", True, True),
    Action("hold", "Tạm giữ", True, False),
    Action("resume", "Tiếp tục số giữ", False, False),
    Action("transfer", "Chuyển", True, False),
    Action("pause", "Tạm dừng quầy", False, False),
    Action("open", "Mở quầy", False, False),
)}

OFFLINE_VI = "Mất kết nối với máy chủ. Thao tác chưa được thực hiện, vui lòng thử lại."
BUSY_VI = "Đang xử lý thao tác trước…"
NO_TICKET_VI = "Quầy chưa gọi số nào."
DONE_QUEUED_VI = "Đã ghi nhận hoàn thành số {number}; sẽ gửi lên máy chủ khi có kết nối."


def result_message(action: str, result: dict | None) -> str:
    """The one line shown after an action succeeded."""
    t = (result or {}).get("ticket")
    if action == "next":
        if t is None:
            return "Không còn công dân nào đang chờ."
        return f"Đang mời số {t['number']} ({t['service_name']})."
    if action == "recall":
        return f"Đã gọi lại số {t['number']} (còn {result['recalls_left']} lần)."
    if action == "skip":
        return f"Số {t['number']} vắng mặt."
    if action == "done":
        return f"Đã hoàn thành số {t['number']}." if t else "Đã hoàn thành."
    if action == "hold":
        return f"Đang tạm giữ số {t['number']}."
    if action == "resume":
        return f"Tiếp tục phục vụ số {t['number']}."
    if action == "pause":
        return "Quầy đang tạm dừng. Nhấn Mở quầy hoặc Gọi số tiếp để tiếp tục."
    if action == "open":
        return "Quầy đã mở."
    return "Xong."
