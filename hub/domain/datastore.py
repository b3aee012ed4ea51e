"""Electronic results pushed to the citizen's data store on the national portal (Decree 118/2025 Art. 22)
— the pure part: what a row of the queue means to an officer or a specialist, and when to try again."""

from __future__ import annotations

RETRY_BASE_S = 30.0
RETRY_MAX_S = 3600.0


def retry_delay(attempts: int, base_s: float = RETRY_BASE_S) -> float:
    """Seconds before the next push after `attempts` failures: `base_s` doubling, at most an hour (the
    portal exporter's back-off; an installation may start lower)."""
    return min(base_s * 2 ** max(attempts - 1, 0), RETRY_MAX_S)


def status(row: dict, configured: bool) -> dict:
    """`pushed` / `waiting` / `failed` (still retried) / `refused` (the far side said no: kept, not retried
    until re-queued), with the words an officer reads."""
    if row.get("sent_at") is not None:
        state, words = "pushed", "Đã gửi vào kho dữ liệu của công dân"
    elif row.get("rejected_at") is not None:
        state, words = "refused", f"Cổng từ chối: {row.get('last_error') or 'không rõ lý do'}"
    elif not configured:
        state, words = "waiting", "Đang chờ gửi: máy chủ chưa được cấu hình kết nối kho dữ liệu của Cổng"
    elif row.get("attempts"):
        state, words = "failed", (f"Chưa gửi được (đã thử {row['attempts']} lần, sẽ thử lại): "
                                  f"{row.get('last_error') or 'không rõ lỗi'}")
    else:
        state, words = "waiting", "Đang chờ gửi"
    return {"doc_code": row["doc_code"], "state": state, "state_vi": words, "attempts": row.get("attempts", 0),
            "reason": row.get("last_error"), "sent_at": row.get("sent_at"), "receipt": row.get("receipt")}
