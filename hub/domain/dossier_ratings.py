"""A citizen's rating of how a dossier was handled, on the contents Decree 118/2025/NĐ-CP lists (Art. 33(1)),
given at the centre's rating tablet or on the phone page the receipt's QR opens (Art. 31(1)(b), (c)), beside
the queue visit's own rating. The results feed the 766 report's satisfaction (an "unsatisfied" overall
answer counts the dossier as unsatisfied) and are published per agency (Art. 32(2), 34). Pure rules."""

from __future__ import annotations

from motcua_core.errors import DomainError

# (id, Art. 33(1) point, question, [(value, answer)]): 3 = best … 1 = worst
CRITERIA: list[tuple[str, str, str, list[tuple[int, str]]]] = [
    ("time", "a", "Thời gian trả kết quả so với giấy hẹn",
     [(3, "Sớm hơn hoặc đúng hẹn"), (2, "Trễ hẹn, có xin lỗi và hẹn lại"), (1, "Trễ hẹn")]),
    ("agencies", "b", "Số cơ quan, đơn vị phải liên hệ để hoàn thiện hồ sơ",
     [(3, "Chỉ Bộ phận Một cửa"), (2, "Thêm 1 cơ quan"), (1, "Từ 2 cơ quan trở lên")]),
    ("contacts", "c", "Số lần phải liên hệ với nơi tiếp nhận để hoàn thiện hồ sơ",
     [(3, "1 lần"), (2, "2 lần"), (1, "Từ 3 lần trở lên")]),
    ("information", "d", "Thông tin thủ tục được công khai (chính xác, đầy đủ, kịp thời)",
     [(3, "Chính xác, đầy đủ"), (2, "Chưa đầy đủ"), (1, "Không chính xác")]),
    ("attitude", "đ", "Thái độ của cán bộ hướng dẫn, tiếp nhận, giải quyết",
     [(3, "Lịch sự, tận tình"), (2, "Bình thường"), (1, "Chưa tốt")]),
    ("lawful", "e", "Kết quả đúng quy định; chi phí không ngoài quy định",
     [(3, "Đúng quy định, không phát sinh chi phí"), (2, "Có sai sót phải đính chính"),
      (1, "Phát sinh chi phí ngoài quy định")]),
    ("complaint", "g", "Giải trình phản ánh, kiến nghị (nếu có)",
     [(3, "Không có hoặc được giải trình kịp thời, thỏa đáng"), (2, "Giải trình chậm"), (1, "Không được giải trình")]),
]
OVERALL = [(4, "Rất hài lòng"), (3, "Hài lòng"), (2, "Bình thường"), (1, "Không hài lòng")]
NOT_SATISFIED = 1
CHANNELS = ("tablet", "phone")


def questions() -> dict:
    """What the tablet and the phone page ask (the same, so both are counted alike)."""
    return {"criteria": [{"id": i, "article": f"Điều 33 khoản 1 điểm {p}", "text": q,
                          "options": [{"value": v, "text": t} for v, t in opts]} for i, p, q, opts in CRITERIA],
            "overall": {"text": "Ông (bà) hài lòng về việc giải quyết hồ sơ này?",
                        "options": [{"value": v, "text": t} for v, t in OVERALL]}}


def check(answers: object, overall: object, comment: object = None) -> tuple[dict, int, str | None]:
    """Validate a rating; returns (answers, overall, comment) or raises with a Vietnamese message.
    Every criterion is optional (a citizen may skip one); the overall answer is required."""
    if isinstance(overall, bool) or overall not in {v for v, _ in OVERALL}:
        raise DomainError("bad_request", "Choose how satisfied you are overall.",
                          "Xin chọn mức độ hài lòng chung về việc giải quyết hồ sơ.")
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        raise DomainError("bad_request", "answers must be an object", "Câu trả lời không hợp lệ.")
    allowed = {i: {v for v, _ in opts} for i, _, _, opts in CRITERIA}
    clean = {}
    for k, v in answers.items():
        if k not in allowed or isinstance(v, bool) or v not in allowed[k]:
            raise DomainError("bad_request", f"bad answer to {k!r}", "Câu trả lời không hợp lệ.")
        clean[k] = v
    if comment is not None and (not isinstance(comment, str) or len(comment) > 500):
        raise DomainError("bad_request", "comment too long", "Ý kiến quá dài (tối đa 500 ký tự).")
    return clean, int(overall), (comment.strip() or None) if isinstance(comment, str) else None
