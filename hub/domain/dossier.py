"""The dossier (hồ sơ) state machine. The state is never stored as truth: it is `replay(events)` over the
append-only event list, and `apply` refuses every transition the law does not allow.

Events carry values the shell computed (a due time from the calendar), so this module stays pure.
Lifecycle (DOMAIN.md; 001 L296–370): received → transferred → processing (→ supplement → processing)
→ step done → transferred to the next agency … → back at the unit: ready → returned. A refusal goes back to
the unit the same way and is returned to the citizen with its written reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from motcua_core import dossier_status as status_words
from motcua_core.errors import DomainError

UNIT = -1  # step index meaning "the reception unit" (Bộ phận tiếp nhận và trả kết quả)

RECEIVED = "received"  # at the unit, awaiting routing (chờ luân chuyển)
TRANSFERRED = "transferred"  # handed to an agency, not yet accepted
PROCESSING = "processing"
SUPPLEMENT = "supplement"  # the agency asked the citizen for more documents
AWAITING_TRANSFER = "awaiting_transfer"  # a step finished (or refused); to go to the next holder
READY = "ready"  # result (or refusal notice) at the unit, for the citizen to collect
RETURNED = "returned"
OBLIGATION = "obligation"  # waiting for the citizen to pay a financial obligation (nghĩa vụ tài chính)
WITHDRAWN = "withdrawn"  # the citizen withdrew the dossier (rút hồ sơ, Decree 118/2025 Art. 21)
STOPPED = "stopped"  # processing stopped (dừng giải quyết, Mẫu 05), e.g. a supplement never completed
CORRECTION = "correction"  # a returned result with an error, back with the agency (Art. 23(1))

STATUSES = (RECEIVED, TRANSFERRED, PROCESSING, SUPPLEMENT, AWAITING_TRANSFER, READY, RETURNED, OBLIGATION,
            WITHDRAWN, STOPPED, CORRECTION)
ENDED = (WITHDRAWN, STOPPED)  # ends other than a result: the dossier goes back, nothing more happens
# The words are motcua_core's, shared with the counter terminal and the kiosk (one table, issue #13).
STATUS_VI = {s: status_words.WORDS[s][0] for s in STATUSES}
STATUS_EN = {s: status_words.WORDS[s][1] for s in STATUSES}  # the same in an officer's English message
READY_REJECTED_VI = status_words.WORDS[status_words.READY_REJECTED][0]

KINDS = ("received", "transferred", "accepted", "supplement_requested", "supplement_received", "step_done",
         "rejected", "resolved_on_spot", "apology_issued", "returned", "withdrawn", "stopped",
         "obligation_requested", "obligation_paid", "correction_requested", "corrected")
_OPEN = (RECEIVED, TRANSFERRED, PROCESSING, SUPPLEMENT, OBLIGATION, AWAITING_TRANSFER)

# kind -> statuses it may follow. Anything else is an illegal transition.
ALLOWED: dict[str, tuple[str, ...]] = {
    "transferred": (RECEIVED, AWAITING_TRANSFER),
    "accepted": (TRANSFERRED,),
    "supplement_requested": (PROCESSING,),
    "supplement_received": (SUPPLEMENT,),
    "step_done": (PROCESSING,),
    "rejected": (PROCESSING, SUPPLEMENT),
    "resolved_on_spot": (RECEIVED,),
    "apology_issued": (RECEIVED, TRANSFERRED, PROCESSING, SUPPLEMENT, OBLIGATION, AWAITING_TRANSFER),
    "returned": (READY,),
    "withdrawn": _OPEN,  # and only before the decision (checked in _apply)
    "stopped": (TRANSFERRED, PROCESSING, SUPPLEMENT, OBLIGATION),
    "obligation_requested": (PROCESSING,),
    "obligation_paid": (OBLIGATION,),
    "correction_requested": (RETURNED,),
    "corrected": (CORRECTION,),
}


@dataclass(frozen=True)
class Event:
    kind: str
    at: float
    by: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DossierState:
    code: str
    status: str
    steps: tuple[str, ...]  # agency of each step, in order (one step for a single-agency procedure)
    step: int  # index of the step that holds (or last held) the dossier; UNIT before the first transfer
    holder: str  # who physically has the dossier now
    received_at: float
    legal_due_at: float  # due time by law (moved only by a supplement round, not by an apology)
    promised_due_at: float  # what the citizen was last told (the apology's new date)
    outcome: str | None = None  # "done" | "rejected" once the agencies have finished
    finished_at: float | None = None  # when the last agency finished (timeliness is judged here)
    ready_at: float | None = None
    returned_at: float | None = None
    apologies: int = 0
    first_apology_at: float | None = None
    supplement_at: float | None = None
    remaining_s: float | None = None  # working seconds left when a supplement was requested
    reason: str | None = None  # of the last refusal / supplement request
    on_spot: bool = False
    supplements: int = 0  # supplement requests made by an agency (Art. 19(5): one only)
    supplement_by: float | None = None  # the latest moment an agency may ask for one (3 working days)
    supplement_close_at: float | None = None  # closed (stopped) if not completed by then (15 days)
    obligation_at: float | None = None
    correction_due_at: float | None = None  # a result being corrected is due back by then (Art. 23(1))
    corrections: int = 0

    @property
    def active(self) -> bool:
        return self.status not in (READY, RETURNED, *ENDED)

    @property
    def apologised(self) -> bool:
        return self.apologies > 0

    def status_vi(self) -> str:
        if self.status == READY and self.outcome == "rejected":
            return READY_REJECTED_VI
        return STATUS_VI[self.status]

    def next_destination(self) -> tuple[int, str] | None:
        """Where the next transfer goes, decided by the procedure's steps (the officer never picks it)."""
        if self.status == RECEIVED:
            return 0, self.steps[0]
        if self.status == AWAITING_TRANSFER:
            if self.outcome is not None:
                return UNIT, "Bộ phận tiếp nhận và trả kết quả"
            return self.step + 1, self.steps[self.step + 1]
        return None


class IllegalTransition(DomainError):
    def __init__(self, kind: str, status: str):
        super().__init__("conflict", "This action cannot be done while the dossier is "
                         f"“{STATUS_EN.get(status, status)}”.",
                         f"Không thể thực hiện thao tác này khi hồ sơ đang ở trạng thái "
                         f"“{STATUS_VI.get(status, status)}”.")
        self.kind = kind  # the refused event, for whoever logs it


def start(code: str, ev: Event) -> DossierState:
    """The state created by the `received` event."""
    if ev.kind != "received":
        raise IllegalTransition(ev.kind, "none")
    d = ev.data
    steps = tuple(d.get("steps") or ())
    if not steps or not all(isinstance(s, str) and s for s in steps):
        raise DomainError("bad_request", "The procedure names no agency that handles it.",
                          "Thủ tục chưa khai báo cơ quan giải quyết.")
    due = float(d["due_at"])
    return DossierState(code=code, status=RECEIVED, steps=steps, step=UNIT,
                        holder="Bộ phận tiếp nhận và trả kết quả", received_at=ev.at, legal_due_at=due,
                        promised_due_at=due, on_spot=bool(d.get("on_spot")),
                        supplement_by=float(d["supplement_by"]) if d.get("supplement_by") else None)


def apply(s: DossierState, ev: Event) -> DossierState:
    """One transition; raises IllegalTransition (or DomainError for bad data) and leaves `s` unchanged."""
    try:
        return _apply(s, ev)
    except (KeyError, TypeError, ValueError) as exc:
        raise DomainError("bad_request", f"The action's data is incomplete ({ev.kind}: {exc}).",
                          "Dữ liệu thao tác không đầy đủ.") from None


def _apply(s: DossierState, ev: Event) -> DossierState:
    if ev.kind not in ALLOWED:
        raise IllegalTransition(ev.kind, s.status)
    if s.status not in ALLOWED[ev.kind]:
        raise IllegalTransition(ev.kind, s.status)
    if ev.at < s.received_at:
        raise DomainError("bad_request", "The action is dated before the dossier was received.",
                          "Thời điểm thao tác trước thời điểm tiếp nhận hồ sơ.")
    d = ev.data
    k = ev.kind
    if k == "transferred":
        dest = s.next_destination()
        assert dest is not None
        if "step" in d and d["step"] != dest[0]:
            raise DomainError("conflict", "The dossier must go through the agencies in the procedure's order "
                              f"(step {dest[0]}, not {d['step']}).",
                              "Hồ sơ phải chuyển theo đúng thứ tự các cơ quan của quy trình.")
        if dest[0] == UNIT:
            return replace(s, status=READY, step=s.step, holder=dest[1], ready_at=ev.at)
        return replace(s, status=TRANSFERRED, step=dest[0], holder=dest[1])
    if k == "accepted":
        return replace(s, status=PROCESSING)
    if k == "supplement_requested":
        reason = str(d.get("reason") or "").strip()
        if not reason:
            raise DomainError("bad_request", "Write what the citizen must add to the dossier.",
                              "Cần ghi rõ nội dung yêu cầu bổ sung.")
        if s.supplements >= 1 and not d.get("imported"):
            raise DomainError("conflict", "A dossier may be sent back for supplements only once (Decree "
                              "118/2025, Art. 19(5)); refuse it in writing or decide on what was given.",
                              "Hồ sơ chỉ được yêu cầu bổ sung, hoàn thiện một lần (Nghị định 118/2025/NĐ-CP, "
                              "Điều 19 khoản 5); nếu hồ sơ không đủ điều kiện, từ chối bằng văn bản nêu rõ lý do.")
        if s.supplement_by is not None and ev.at > s.supplement_by and not d.get("imported"):
            raise DomainError("conflict", "Supplements must be asked for within 3 working days of receiving the "
                              "dossier (Decree 118/2025, Art. 19(5)); that time is over.",
                              "Đã quá thời hạn 03 ngày làm việc kể từ ngày tiếp nhận để yêu cầu bổ sung hồ sơ "
                              "(Nghị định 118/2025/NĐ-CP, Điều 19 khoản 5).")
        close = d.get("close_at")
        return replace(s, status=SUPPLEMENT, supplement_at=ev.at, reason=reason,
                       remaining_s=float(d.get("remaining_s", 0.0)), supplements=s.supplements + 1,
                       supplement_close_at=float(close) if close else None)
    if k == "supplement_received":
        # The time limit counts again from zero once the dossier is complete (Art. 19(5)): the shell
        # computes the new due time from the completion; the old promise no longer holds.
        due = float(d["due_at"])
        return replace(s, status=PROCESSING, legal_due_at=due, promised_due_at=due, supplement_at=None,
                       supplement_close_at=None)
    if k == "obligation_requested":
        if not str(d.get("content") or "").strip():
            raise DomainError("bad_request", "Write which financial obligation the citizen must pay.",
                              "Cần ghi rõ nghĩa vụ tài chính người nộp phải thực hiện.")
        return replace(s, status=OBLIGATION, obligation_at=ev.at, remaining_s=float(d.get("remaining_s", 0.0)))
    if k == "obligation_paid":
        due = float(d["due_at"])
        return replace(s, status=PROCESSING, legal_due_at=due,
                       promised_due_at=max(due, s.promised_due_at) if s.apologised else due, obligation_at=None)
    if k == "withdrawn":
        if s.outcome is not None:
            raise DomainError("conflict", "The decision has been issued: the dossier can no longer be "
                              "withdrawn (Decree 118/2025, Art. 21).",
                              "Cơ quan có thẩm quyền đã ban hành kết quả giải quyết: không thể rút hồ sơ "
                              "(Nghị định 118/2025/NĐ-CP, Điều 21).")
        return replace(s, status=WITHDRAWN, outcome="withdrawn", finished_at=ev.at,
                       reason=str(d.get("reason") or "").strip() or None)
    if k == "stopped":
        reason = str(d.get("reason") or "").strip()
        if not reason:
            raise DomainError("bad_request", "A stop notice must state its reason.",
                              "Thông báo dừng giải quyết hồ sơ phải nêu rõ lý do.")
        return replace(s, status=STOPPED, outcome="stopped", finished_at=ev.at, reason=reason)
    if k == "correction_requested":
        if not str(d.get("reason") or "").strip():
            raise DomainError("bad_request", "Write what is wrong in the result.",
                              "Cần ghi rõ sai sót trong kết quả giải quyết.")
        return replace(s, status=CORRECTION, holder=s.steps[-1], correction_due_at=float(d["due_at"]),
                       reason=str(d["reason"]).strip())
    if k == "corrected":
        return replace(s, status=READY, holder="Bộ phận tiếp nhận và trả kết quả", ready_at=ev.at,
                       corrections=s.corrections + 1)
    if k == "step_done":
        last = s.step == len(s.steps) - 1
        return replace(s, status=AWAITING_TRANSFER, outcome="done" if last else None,
                       finished_at=ev.at if last else None)
    if k == "rejected":
        reason = str(d.get("reason") or "").strip()
        if not reason:
            raise DomainError("bad_request", "A refusal must state its reason in writing.",
                              "Từ chối giải quyết phải nêu rõ lý do bằng văn bản.")
        return replace(s, status=AWAITING_TRANSFER, outcome="rejected", finished_at=ev.at, reason=reason)
    if k == "resolved_on_spot":
        if not s.on_spot:
            raise DomainError("conflict", "This dossier is not one that is solved on the spot.",
                              "Hồ sơ này không thuộc loại giải quyết ngay.")
        return replace(s, status=READY, outcome="done", finished_at=ev.at, ready_at=ev.at)
    if k == "apology_issued":
        if s.apologies >= 1 and not d.get("imported"):
            raise DomainError("conflict", "A new date may be set only once (Decree 118/2025, Art. 19(6)).",
                              "Việc hẹn lại ngày trả kết quả chỉ được thực hiện một lần "
                              "(Nghị định 118/2025/NĐ-CP, Điều 19 khoản 6).")
        new_due = float(d["new_due_at"])
        if new_due <= max(ev.at, s.legal_due_at):
            raise DomainError("bad_request", "The new date must be after the old time limit and after now.",
                              "Ngày hẹn mới phải sau thời hạn cũ và sau thời điểm hiện tại.")
        if not str(d.get("reason") or "").strip():
            raise DomainError("bad_request", "An apology letter must state the reason for the delay.",
                              "Phiếu xin lỗi phải nêu rõ lý do chậm trễ.")
        return replace(s, apologies=s.apologies + 1, promised_due_at=new_due,
                       first_apology_at=s.first_apology_at or ev.at)
    if k == "returned":
        if not d.get("fees_paid", False) and d.get("fees_vnd") != 0:  # a free procedure has no fee step
            raise DomainError("conflict", "Confirm that the fees were paid before returning the result.",
                              "Phải xác nhận đã thu phí, lệ phí trước khi trả kết quả.")
        return replace(s, status=RETURNED, returned_at=ev.at)
    raise IllegalTransition(k, s.status)  # pragma: no cover - ALLOWED covers every kind


def replay(code: str, events: list[Event]) -> DossierState:
    """The current state from the full event list (the only source of truth)."""
    if not events:
        raise DomainError("not_found", f"There is no dossier with the code {code}.",
                          "Không tìm thấy hồ sơ có mã này.")
    s = start(code, events[0])
    for ev in events[1:]:
        s = apply(s, ev)
    return s


# --- timeliness -------------------------------------------------------------------------------

EARLY, ON_TIME, LATE = "early", "on_time", "late"
ON_TRACK, AT_RISK, OVERDUE = "on_track", "at_risk", "overdue"
# Warn early enough for the agency to send its apology at least 1 working day before the deadline
# (Decree 118/2025, Art. 19(6)): by default 2 working days (of 8 h) before it; `at_risk_working_days` in
# the site's dossier settings changes it.
AT_RISK_WORKING_DAYS = 2
AT_RISK_WORKING_S = AT_RISK_WORKING_DAYS * 8 * 3600


def timeliness(s: DossierState, at: float) -> str | None:
    """For a finished dossier: early / on_time / late against the legal due time; None while open."""
    if s.finished_at is None:
        return None
    if s.finished_at > s.legal_due_at:
        return LATE
    # "before due" when it was finished on an earlier day than the due day's close (>= 1 working day ahead)
    return EARLY if s.legal_due_at - s.finished_at >= 24 * 3600 else ON_TIME


def open_risk(s: DossierState, at: float, working_s_left: float,
              threshold_s: float = AT_RISK_WORKING_S) -> str | None:
    """For an open dossier: on_track / at_risk (less than `threshold_s` of office time left) / overdue;
    None once finished. `working_s_left` is the calendar's office time from `at` to the legal due time."""
    if s.finished_at is not None:
        return None
    if at > s.legal_due_at:
        return OVERDUE
    return AT_RISK if working_s_left < threshold_s else ON_TRACK


def lateness_class(s: DossierState, at: float) -> str | None:
    """Late dossiers are counted apart: 'late_with_apology' when an apology was issued before the result
    was finished (or, still open, before `at`); otherwise 'late_without_apology'. None when not late."""
    finished_late = s.finished_at is not None and s.finished_at > s.legal_due_at
    open_late = s.finished_at is None and at > s.legal_due_at
    if not (finished_late or open_late):
        return None
    cutoff = s.finished_at if s.finished_at is not None else at
    if s.first_apology_at is not None and s.first_apology_at <= cutoff:
        return "late_with_apology"
    return "late_without_apology"
