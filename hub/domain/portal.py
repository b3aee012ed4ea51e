"""What the provincial system / National Public Service Portal is told about a dossier, per the contract
in docs/portal.md: one record per dossier event, its status through a mapping table, its procedure code
through a mapping table. Pure: rows and events in, records out.

The real portal's status codes and record schema could not be established from public sources; the
table below is motcua's own, documented, and an installation overrides it (`status_map` in
<data>/portal.json) to match the province's system."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hub.domain.dossier import DossierState

# our dossier state after the event → (portal status code, its Vietnamese label)
STATUS_MAP: dict[str, tuple[str, str]] = {
    "received": ("TIEP_NHAN", "Đã tiếp nhận"),
    "transferred": ("DANG_XU_LY", "Đang giải quyết"),
    "processing": ("DANG_XU_LY", "Đang giải quyết"),
    "awaiting_transfer": ("DANG_XU_LY", "Đang giải quyết"),
    "supplement": ("BO_SUNG", "Yêu cầu bổ sung hồ sơ"),
    "ready": ("CO_KET_QUA", "Đã có kết quả"),
    "ready_rejected": ("TU_CHOI", "Từ chối giải quyết"),
    "returned": ("DA_TRA", "Đã trả kết quả"),
    "apology": ("XIN_LOI_HEN_LAI", "Xin lỗi và hẹn lại ngày trả kết quả"),
}
RETRY_BASE_S = 30.0
RETRY_MAX_S = 3600.0


def status_key(kind: str, state: DossierState) -> str:
    if kind == "apology_issued":
        return "apology"
    if state.status == "ready" and state.outcome == "rejected":
        return "ready_rejected"
    return state.status


def record(event_id: int, kind: str, at: float, state: DossierState, row: dict, tz: ZoneInfo,
           status_map: dict[str, list | tuple] | None = None,
           procedure_codes: dict[str, str] | None = None) -> dict:
    """The record for one event (docs/portal.md §2). `id` is the idempotency key: the same event is the
    same record however often it is sent."""
    table = {**STATUS_MAP, **{k: tuple(v) for k, v in (status_map or {}).items()}}
    code, label = table.get(status_key(kind, state), ("KHAC", state.status))
    national = row.get("procedure_code") or ""
    iso = lambda ts: None if ts is None else datetime.fromtimestamp(ts, tz).isoformat(timespec="seconds")  # noqa: E731
    return {"id": f"motcua:{row['site_id']}:{event_id}", "dossier_code": row["code"],
            "procedure_code": (procedure_codes or {}).get(national) or (procedure_codes or {}).get(
                row["procedure_id"]) or national or None,
            "procedure_name": row["procedure_name"], "status": code, "status_vi": label, "event": kind,
            "at": iso(at), "received_at": iso(row["received_at"]), "due_at": iso(state.promised_due_at),
            "holder": state.holder, "applicant": {"name": row["applicant_name"],
                                                  "id_number": (row.get("applicant") or {}).get("cccd")}}


def retry_delay(attempts: int) -> float:
    """Seconds before the next try after `attempts` failures: 30 s doubling, at most an hour."""
    return min(RETRY_BASE_S * 2 ** max(attempts - 1, 0), RETRY_MAX_S)
