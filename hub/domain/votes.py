"""Satisfaction votes: the questions a voting tablet asks and the rules for a valid answer (pure).

Four levels by default (Rất hài lòng … Không hài lòng); "not satisfied" asks for reasons. A site may
replace the questions (meta key `vote_questions:<site>`, a JSON list in the same shape).
"""

from __future__ import annotations

from motcua_core.errors import DomainError

RATINGS = {4: ("Rất hài lòng", "Very satisfied"), 3: ("Hài lòng", "Satisfied"),
           2: ("Bình thường", "Neutral"), 1: ("Không hài lòng", "Not satisfied")}
REASONS = {
    "waiting_time": ("Thời gian chờ lâu", "Waited too long"),
    "attitude": ("Thái độ phục vụ chưa tốt", "Officer's attitude"),
    "guidance": ("Hướng dẫn chưa rõ ràng", "Guidance unclear"),
    "too_many_papers": ("Yêu cầu nhiều giấy tờ", "Too many documents asked"),
    "facilities": ("Cơ sở vật chất chưa tốt", "Poor facilities"),
    "other": ("Lý do khác", "Other"),
}
VOTE_TIMEOUT_S = 60
NOT_SATISFIED = 1

DEFAULT_QUESTIONS: list[dict] = [{
    "id": "overall",
    "text_vi": "Ông/bà có hài lòng với việc phục vụ không?",
    "text_en": "Are you satisfied with the service?",
    "options": [{"value": v, "vi": vi, "en": en} for v, (vi, en) in RATINGS.items()],
    "reasons_at_or_below": NOT_SATISFIED,
    "reasons": [{"id": k, "vi": vi, "en": en} for k, (vi, en) in REASONS.items()],
}]


def check_vote(rating: int, reasons: list, answers: dict | None, comment: str | None,
               questions: list[dict]) -> tuple[int, list[str], dict]:
    """Validate a vote against the questions asked; returns (rating, reasons, answers) cleaned."""
    main = questions[0]
    values = {o["value"] for o in main["options"]}
    if rating not in values:
        raise DomainError("bad_request", f"rating must be one of {sorted(values)}", "Mức đánh giá không hợp lệ.")
    known = {r["id"] for r in main.get("reasons", [])}
    if not isinstance(reasons, list) or not all(isinstance(r, str) and r in known for r in reasons):
        raise DomainError("bad_request", f"reasons must be among {sorted(known)}", "Lý do không hợp lệ.")
    if reasons and rating > main.get("reasons_at_or_below", NOT_SATISFIED):
        raise DomainError("bad_request", "reasons are only given when not satisfied", "Lý do không hợp lệ.")
    clean: dict = {}
    extra = {q["id"]: q for q in questions[1:]}
    for qid, value in (answers or {}).items():
        q = extra.get(qid)
        if q is None or value not in {o["value"] for o in q["options"]}:
            raise DomainError("bad_request", f"bad answer to question {qid!r}", "Câu trả lời không hợp lệ.")
        clean[qid] = value
    if comment is not None and len(comment) > 200:
        raise DomainError("bad_request", "comment too long", "Ý kiến quá dài.")
    return rating, list(dict.fromkeys(reasons)), clean


def summarize(ratings: list[int]) -> dict:
    """Counts per level and the satisfied share (Rất hài lòng + Hài lòng), the figure units report."""
    n = len(ratings)
    counts = {str(v): ratings.count(v) for v in RATINGS}
    satisfied = counts["4"] + counts["3"]
    return {"votes": n, "by_rating": counts, "satisfied_pct": round(100 * satisfied / n, 1) if n else None}
