"""What the provincial system / National Public Service Portal is told about a dossier, per the contract
in docs/portal.md: one record per dossier event, with the portal's status code (1–10) and the channel the
dossier came in by (1 in person, 2 online, 3 public post), its procedure code through a mapping table.
Pure: rows and events in, records out.

The status and channel codes are those the provinces' systems exchange with the national portal as
published integration code shows them (not an official specification); an installation whose system
differs overrides rows (`status_map` in <data>/portal.json)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hub.domain.dossier import DossierState

PORTAL_STATUSES: dict[int, str] = {
    1: "Mới đăng ký", 2: "Được tiếp nhận", 3: "Không được tiếp nhận", 4: "Đang xử lý", 5: "Yêu cầu bổ sung",
    6: "Nghĩa vụ tài chính", 7: "Rút hồ sơ", 8: "Dừng xử lý", 9: "Đã xử lý xong", 10: "Đã trả kết quả",
}
CHANNELS: dict[str, tuple[int, str]] = {"counter": (1, "Trực tiếp"), "online": (2, "Trực tuyến"),
                                        "post": (3, "Qua dịch vụ bưu chính công ích")}

# our dossier state after the event → the portal's status code
_STATUS_OF: dict[str, int] = {
    "received": 2, "transferred": 4, "processing": 4, "awaiting_transfer": 4, "correction": 4, "apology": 4,
    "supplement": 5, "obligation": 6, "withdrawn": 7, "stopped": 8, "ready": 9,
    "ready_rejected": 3,  # refused after examination: the closest code ("Không được tiếp nhận")
    "returned": 10,
}
STATUS_MAP: dict[str, tuple[int, str]] = {k: (v, PORTAL_STATUSES[v]) for k, v in _STATUS_OF.items()}
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
    code, label = table.get(status_key(kind, state), (4, PORTAL_STATUSES[4]))
    channel, channel_vi = CHANNELS.get(row.get("channel") or "counter", CHANNELS["counter"])
    national = row.get("procedure_code") or ""
    iso = lambda ts: None if ts is None else datetime.fromtimestamp(ts, tz).isoformat(timespec="seconds")  # noqa: E731
    return {"id": f"motcua:{row['site_id']}:{event_id}", "dossier_code": row["code"],
            "procedure_code": (procedure_codes or {}).get(national) or (procedure_codes or {}).get(
                row["procedure_id"]) or national or None,
            "procedure_name": row["procedure_name"], "status": code, "status_vi": label, "event": kind,
            "channel": channel, "channel_vi": channel_vi,
            "at": iso(at), "received_at": iso(row["received_at"]), "due_at": iso(state.promised_due_at),
            "holder": state.holder, "applicant": {"name": row["applicant_name"],
                                                  "id_number": (row.get("applicant") or {}).get("cccd")}}


def retry_delay(attempts: int) -> float:
    """Seconds before the next try after `attempts` failures: 30 s doubling, at most an hour."""
    return min(RETRY_BASE_S * 2 ** max(attempts - 1, 0), RETRY_MAX_S)
