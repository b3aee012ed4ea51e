"""The time limits Decree 118/2025/NĐ-CP sets on a dossier once it is received, as pure functions of the
site's working calendar (hub.domain.calendar) and the dossier's state. Each names its article.

- Supplements (Art. 19(5); also Art. 16(3), 17(1)(c)): an agency that finds the dossier incomplete sends
  it back, with the Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ, **once**, and **within 3 working days** of
  the day the dossier was received (unless the procedure's own law sets another time: the catalogue's
  `supplement_days`). The time limit **counts again from zero** once the dossier is complete. If the
  citizen has not completed it **15 days** after the notice, the unit closes it (with the Thông báo dừng
  giải quyết hồ sơ, Mẫu 05 of Circular 03/2025).
- Apology and new date (Art. 19(6), 12(5)): **at least 1 day before** the deadline the agency notifies the
  centre and sends the citizen the apology with the reason and the new date; a new date **only once**.
- Correction (Art. 23(1)): a result with an error made by the agency goes back to it and is due at the
  centre again within **3 working days**.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hub.domain.calendar import WorkCalendar, due_time
from hub.domain.queue import WEEKDAYS_VI

SUPPLEMENT_REQUEST_WORKING_DAYS = 3  # Art. 19(5)
SUPPLEMENT_CLOSE_DAYS = 15  # Art. 19(5): days (not working days) after the notice
CORRECTION_WORKING_DAYS = 3  # Art. 23(1)


def supplement_request_by(cal: WorkCalendar, received: datetime, days: int | None = None) -> datetime:
    """The latest moment an agency may send the dossier back for supplements: the close of the 3rd
    working day after the day of receipt (Civil Code Art. 147: the day of receipt is not counted).
    `days`: the procedure's own time when its law sets one."""
    return cal.due_working_days(received, days or SUPPLEMENT_REQUEST_WORKING_DAYS)


def supplement_close_at(cal: WorkCalendar, notice: datetime) -> datetime:
    """When a dossier whose supplement was not completed is closed: the end of the 15th day after the
    notice (a period in days; when its last day is a day off it ends on the next working day, Art. 148)."""
    return cal.due_calendar_days(notice, SUPPLEMENT_CLOSE_DAYS)


def due_after_supplement(cal: WorkCalendar, completed: datetime, *, working_days: float | None,
                         working_hours: float | None, cutoff: time | None = None) -> datetime:
    """The new due time once the dossier is complete: the procedure's whole time limit again, counted
    from the completion as from a new receipt (Art. 19(5): "tính lại từ đầu")."""
    return due_time(cal, completed, working_days=working_days, working_hours=working_hours, cutoff=cutoff)


def apology_latest(cal: WorkCalendar, due: datetime) -> datetime:
    """The latest moment the apology with a new date may be sent: the close of the working day before the
    deadline's day (Art. 19(6): "chậm nhất 01 ngày trước ngày hết hạn")."""
    return cal.day_end(cal.previous_working_day(cal.local(due).date()))


def apology_problem(cal: WorkCalendar, *, now: datetime, due: datetime, apologies: int) -> tuple[str, str] | None:
    """Why an apology may not be issued now, (Vietnamese, English), or None."""
    if apologies >= 1:
        return ("Việc hẹn lại ngày trả kết quả chỉ được thực hiện một lần (Nghị định 118/2025/NĐ-CP, Điều 19 "
                "khoản 6).", "A new date may be set only once (Decree 118/2025, Art. 19(6)).")
    latest = apology_latest(cal, due)
    if cal.local(now) > latest:
        return (f"Phiếu xin lỗi và đề nghị gia hạn phải gửi chậm nhất 01 ngày trước ngày hết hạn "
                f"(hạn gửi: {latest:%H:%M} ngày {latest:%d/%m/%Y}; Nghị định 118/2025/NĐ-CP, Điều 19 khoản 6). "
                "Đã quá thời điểm này.",
                f"The apology must be sent at least 1 day before the deadline (by {latest:%H:%M} "
                f"{latest:%d/%m/%Y}; Decree 118/2025, Art. 19(6)); that time is over.")
    return None


def at_risk_threshold_s(cal: WorkCalendar, working_days: float) -> float:
    """Office time before the deadline below which a dossier is at risk: `working_days` of the site's day,
    so that the agency is warned before its last day to apologise."""
    return working_days * cal.working_day_seconds()


def correction_due(cal: WorkCalendar, asked: datetime) -> datetime:
    """When a corrected result is due back at the centre: 3 working days after the request (Art. 23(1))."""
    return cal.due_working_days(asked, CORRECTION_WORKING_DAYS)


def due_in_words(cal: WorkCalendar, now: datetime, due: datetime) -> dict:
    """A due time as an officer reads it: "Thứ Sáu, 27/11/2026 17:00" and how far it is in working days,
    counted as the law counts them (a day is a working day of the site's calendar; the due day counts
    as a day left, today does not): "còn 2 ngày làm việc", "hết hạn trong hôm nay", "quá hạn 3 ngày làm
    việc" (working days after the due day, up to today). `working_days`: left, negative when overdue."""
    now_l, due_l = cal.local(now), cal.local(due)
    when_vi = f"{WEEKDAYS_VI[due_l.weekday()]}, {due_l:%d/%m/%Y %H:%M}"
    today, day = now_l.date(), due_l.date()
    if now_l <= due_l:
        n = _working_days_after(cal, today, day)
        left_vi = "hết hạn trong hôm nay" if n == 0 else f"còn {n} ngày làm việc"
        left_en = "due today" if n == 0 else f"{n} working day{'s' if n > 1 else ''} left"
        return {"due_vi": when_vi, "left_vi": left_vi, "left_en": left_en, "working_days": n}
    n = _working_days_after(cal, day, today)
    left_vi = "quá hạn từ hôm nay" if n == 0 else f"quá hạn {n} ngày làm việc"
    left_en = "overdue since today" if n == 0 else f"{n} working day{'s' if n > 1 else ''} overdue"
    return {"due_vi": when_vi, "left_vi": left_vi, "left_en": left_en, "working_days": -n}


def _working_days_after(cal: WorkCalendar, start: date, end: date) -> int:
    """Working days in (start, end]."""
    n, d = 0, start
    while d < end:
        d += timedelta(days=1)
        n += cal.is_working_day(d)
    return n
