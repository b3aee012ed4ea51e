"""The figures leaders are graded on under Decision 766/QĐ-TTg (2022): the index of service to citizens and
businesses, 100 points in five groups (transparency; progress and results; digitisation; online service
and payment; satisfaction). The hub computes the groups it has data for, the way the national portal
computes them as a published transcription of its method describes (not an official text):

- On-time rate = dossiers on time, among those **finished in the period and those still in progress**,
  ÷ all dossiers received or processed in the period. A refusal, a stop or a withdrawal is an end. The
  citizen's supplement time is left out (the time limit counts again from the completion, Decree
  118/2025 Art. 19(5), and a dossier waiting for the citizen is not late), and a **second supplement
  request counts as late**.
- Dossier satisfaction = 100 % − (late rate + rate of dossiers with a complaint or an "unsatisfied"
  rating).
- Digitisation: what the hub knows: documents recorded as held electronically (not asked for again)
  among the documents of the dossiers received.
The point weights of each group are not established here: the report gives rates and formulas.
Pure: rows in, figures out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

ENDS = ("done", "rejected", "stopped", "withdrawn")  # outcomes that end a dossier


@dataclass(frozen=True)
class Dossier:
    code: str
    received_at: float
    legal_due_at: float
    finished_at: float | None  # the result, refusal, stop or withdrawal (None: in progress)
    outcome: str | None
    supplements: int = 0
    waiting: bool = False  # with the citizen now (supplement, financial obligation): its time is not running
    documents: int = 0
    documents_electronic: int = 0  # documents held as electronic data, not asked for again
    unsatisfied: bool = False  # an "unsatisfied" rating of its handling or of its counter visit
    complaint: bool = False


def period_bounds(period: str) -> tuple[date, date, str]:
    """'2026-11' (month), '2026-Q4' (quarter), '2026' (year) → (first day, first day after, Vietnamese label)."""
    text = str(period or "").strip().upper()
    roman = {1: "I", 2: "II", 3: "III", 4: "IV"}
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        y, mo = int(m[1]), int(m[2])
        if 1 <= mo <= 12:
            nxt = date(y + 1, 1, 1) if mo == 12 else date(y, mo + 1, 1)
            return date(y, mo, 1), nxt, f"Tháng {mo} năm {y}"
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        y, q = int(m[1]), int(m[2])
        nxt = date(y + 1, 1, 1) if q == 4 else date(y, 3 * q + 1, 1)
        return date(y, 3 * q - 2, 1), nxt, f"Quý {roman[q]} năm {y}"
    if re.fullmatch(r"\d{4}", text):
        y = int(text)
        return date(y, 1, 1), date(y + 1, 1, 1), f"Năm {y}"
    raise ValueError(f"kỳ báo cáo {period!r} không hợp lệ (tháng 2026-11, quý 2026-Q4 hoặc năm 2026)")


def in_scope(d: Dossier, start: float, end: float) -> bool:
    """Received or processed in the period: received before its end and not ended before its start."""
    return d.received_at < end and (d.finished_at is None or d.finished_at >= start)


def is_late(d: Dossier, end: float, now: float) -> bool:
    """Late by the portal's method: a second supplement request; or ended after the due time; or, still in
    progress at the end of the period (or now, if earlier), past the due time while its time was running."""
    if d.supplements >= 2:
        return True
    if d.finished_at is not None and d.finished_at < end:
        return d.finished_at > d.legal_due_at
    if d.waiting:
        return False
    return min(end, now) > d.legal_due_at


def _rate(n: int, total: int) -> float | None:
    return None if total == 0 else round(n / total, 4)


def compute(rows: Iterable[Dossier], start: float, end: float, now: float, *, votes: int = 0,
            votes_satisfied: int = 0) -> dict:
    """The groups the hub can compute for [start, end), each with its counts, rates and formula."""
    scope = [d for d in rows if in_scope(d, start, end)]
    ended = [d for d in scope if d.finished_at is not None and d.finished_at < end]
    late = [d for d in scope if is_late(d, end, now)]
    n, n_late = len(scope), len(late)
    by_end = {o: sum(1 for d in ended if d.outcome == o) for o in ENDS}
    received = [d for d in scope if d.received_at >= start]
    ended_on_time = sum(1 for d in ended if not is_late(d, end, now))
    docs = sum(d.documents for d in received)
    docs_e = sum(d.documents_electronic for d in received)
    unhappy = sum(1 for d in scope if d.unsatisfied or d.complaint)
    late_rate, unhappy_rate = _rate(n_late, n), _rate(unhappy, n)
    satisfaction = None if n == 0 else round(max(0.0, 1 - (late_rate or 0) - (unhappy_rate or 0)), 4)
    return {
        "progress": {
            "in_scope": n, "received": len(received), "carried_over": n - len(received),
            "ended": len(ended), "ended_by": by_end, "in_progress": n - len(ended),
            "on_time": n - n_late, "late": n_late, "second_supplement": sum(1 for d in scope if d.supplements >= 2),
            "on_time_rate": _rate(n - n_late, n), "late_rate": late_rate,
            "ended_on_time_rate": _rate(ended_on_time, len(ended)),
            "late_codes": sorted(d.code for d in late)[:200],
        },
        "digitisation": {
            "documents": docs, "documents_electronic": docs_e, "rate": _rate(docs_e, docs),
            "dossiers_with_electronic": sum(1 for d in received if d.documents_electronic),
            "dossiers_received": len(received),
        },
        "satisfaction": {
            "dossiers_unsatisfied_or_complaint": unhappy, "unsatisfied_rate": unhappy_rate,
            "dossier_satisfaction": satisfaction, "votes": votes, "votes_satisfied": votes_satisfied,
            "votes_rate": _rate(votes_satisfied, votes),
        },
    }


# The formulas as the report prints them (Vietnamese first), one per figure.
FORMULAS = [
    ("progress", "on_time_rate", "Tỷ lệ hồ sơ đúng hạn",
     "Số hồ sơ đúng hạn (đã kết thúc đúng hạn + đang giải quyết còn trong hạn) ÷ Tổng số hồ sơ tiếp nhận hoặc "
     "giải quyết trong kỳ (tiếp nhận trong kỳ + kỳ trước chuyển sang chưa kết thúc). Từ chối, dừng giải quyết, "
     "rút hồ sơ được tính là kết thúc; thời gian chờ công dân bổ sung không tính; yêu cầu bổ sung lần thứ hai "
     "tính là trễ hạn."),
    ("progress", "late_rate", "Tỷ lệ hồ sơ trễ hạn", "Số hồ sơ trễ hạn ÷ Tổng số hồ sơ tiếp nhận hoặc giải quyết trong kỳ."),
    ("progress", "ended_on_time_rate", "Tỷ lệ hồ sơ đã kết thúc đúng hạn",
     "Số hồ sơ kết thúc trong kỳ đúng hạn ÷ Số hồ sơ kết thúc trong kỳ (tham khảo; cách tính cũ chỉ trên hồ sơ "
     "đã giải quyết)."),
    ("digitisation", "rate", "Tỷ lệ thành phần hồ sơ đã có dữ liệu điện tử",
     "Số thành phần hồ sơ được ghi nhận đã có dữ liệu điện tử (không yêu cầu nộp lại) ÷ Tổng số thành phần hồ sơ "
     "của hồ sơ tiếp nhận trong kỳ (trong phạm vi dữ liệu hệ thống biết)."),
    ("digitisation", "attached_rate", "Tỷ lệ hồ sơ có bản điện tử các thành phần đã số hóa tại Bộ phận Một cửa",
     "Số hồ sơ tiếp nhận trong kỳ mà mọi thành phần được quét tại quầy đã lưu đủ bản điện tử trên hệ thống ÷ "
     "Tổng số hồ sơ tiếp nhận trong kỳ."),
    ("digitisation", "results_electronic_rate", "Tỷ lệ kết quả giải quyết được cấp bản điện tử",
     "Số hồ sơ trả kết quả trong kỳ có kết quả điện tử (ký số, có mã giấy tờ) ÷ Số hồ sơ trả kết quả trong kỳ."),
    ("satisfaction", "unsatisfied_rate", "Tỷ lệ hồ sơ có phản ánh, kiến nghị hoặc đánh giá không hài lòng",
     "Số hồ sơ có phản ánh, kiến nghị hoặc đánh giá “Không hài lòng” ÷ Tổng số hồ sơ tiếp nhận hoặc giải quyết "
     "trong kỳ."),
    ("satisfaction", "dossier_satisfaction", "Mức độ hài lòng về giải quyết hồ sơ",
     "100% − (Tỷ lệ hồ sơ trễ hạn + Tỷ lệ hồ sơ có phản ánh, kiến nghị hoặc đánh giá không hài lòng)."),
    ("satisfaction", "votes_rate", "Tỷ lệ lượt đánh giá hài lòng tại Bộ phận Một cửa",
     "Số lượt đánh giá “Hài lòng” hoặc “Rất hài lòng” ÷ Tổng số lượt đánh giá trong kỳ (thiết bị đánh giá, "
     "trang tra cứu hồ sơ)."),
]
NOT_COMPUTED = [
    ("Công khai, minh bạch", "Cần dữ liệu công khai thủ tục trên Cổng Dịch vụ công quốc gia: hệ thống tại Bộ phận "
     "Một cửa không có."),
    ("Cung cấp dịch vụ trực tuyến, thanh toán trực tuyến", "Hồ sơ trực tuyến và thanh toán trực tuyến do Cổng Dịch vụ "
     "công quốc gia và hệ thống của tỉnh tiếp nhận: hệ thống tại Bộ phận Một cửa không tiếp nhận."),
]
