"""Refusing a dossier (pure): the reasons written on the refusal sheet (Phiếu từ chối tiếp nhận giải quyết
hồ sơ, Mẫu số 03 TT 01/2018/TT-VPCP) and what the sheet says. One sheet for both cases: a dossier an
agency rejected (it has a code) and papers refused at the counter before any dossier exists (no code, no
register entry: `code` is None)."""

from __future__ import annotations

import re

from motcua_core.errors import DomainError

MAX_REASONS = 10
MIN_REASON = 5  # characters: "x" or "..." tells the citizen nothing
MAX_REASON = 300
MAX_REQUEST = 200
_SPLIT = re.compile(r"[\n;]")


def _bad(message: str, message_vi: str) -> DomainError:
    return DomainError("bad_request", message, message_vi)


def split(text: str | None) -> list[str]:
    """The reasons in what someone wrote: one per line or per ';', spaces tidied, empty parts dropped."""
    return [" ".join(p.split()) for p in _SPLIT.split(text or "") if p.strip()]


def reasons(raw: object) -> list[str]:
    """The reasons for refusing at intake, checked: the citizen takes the sheet home, so each reason must
    say something (at least MIN_REASON characters, a letter among them), at most MAX_REASONS of them,
    each at most MAX_REASON characters, each starting upper case. `raw`: a list of texts or one text
    (split on lines and ';')."""
    items = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else None if raw is not None else []
    if items is None or any(not isinstance(x, str) for x in items):
        raise _bad("The reasons must be a list of texts.", "Lý do từ chối phải là danh sách các câu chữ.")
    # as printed (a sentence: a touch keyboard has no shift key) → as typed (what a refusal quotes)
    typed: dict[str, str] = {}
    for item in items:
        for r in split(item):
            typed.setdefault(r[:1].upper() + r[1:], r)
    if not typed:
        raise _bad("Write why the dossier cannot be taken in: at least one reason.",
                   "Cần ghi lý do từ chối tiếp nhận hồ sơ (ít nhất một lý do).")
    if len(typed) > MAX_REASONS:
        raise _bad(f"At most {MAX_REASONS} reasons (there are {len(typed)}).",
                   f"Ghi tối đa {MAX_REASONS} lý do (đang có {len(typed)}).")
    for i, r in enumerate(typed.values(), 1):
        if len(r) < MIN_REASON or not any(c.isalpha() for c in r):
            raise _bad(f"Reason {i} ({r!r}) is too short: say plainly why ({MIN_REASON} characters at least).",
                       f"Lý do {i} (“{r}”) quá ngắn: cần ghi rõ lý do (ít nhất {MIN_REASON} ký tự).")
        if len(r) > MAX_REASON:
            raise _bad(f"Reason {i} is too long ({len(r)} characters, {MAX_REASON} at most).",
                       f"Lý do {i} quá dài ({len(r)} ký tự, tối đa {MAX_REASON}).")
    return list(typed)


def request_text(procedure_name: str | None, request: str | None) -> str:
    """What the citizen asked for, as the sheet's "Nội dung yêu cầu giải quyết": the catalogue's name of
    the procedure, else the officer's words (a procedure this office does not handle is in no catalogue)."""
    text = " ".join(str(procedure_name or request or "").split())
    if not text:
        raise _bad("Choose the procedure or write what the citizen asked for.",
                   "Cần chọn thủ tục hoặc ghi nội dung yêu cầu của công dân.")
    if len(text) > MAX_REQUEST:
        raise _bad(f"The request is too long ({MAX_REQUEST} characters at most).",
                   f"Nội dung yêu cầu quá dài (tối đa {MAX_REQUEST} ký tự).")
    return text


def sheet(head: dict, *, number: int, date: str, applicant: dict, procedure: str, agency: str,
          reasons: list[str], by: str, code: str | None = None) -> dict:
    """The refusal sheet's content, as both renderers (A4 PDF, 80 mm thermal) take it: `head` is the
    unit, parent agency, place and wording (hub.ops.dossiers._form_head); `agency` refuses (the unit
    itself at intake); `code` is None when no dossier was ever made."""
    return {"form": "refusal", "code": code, **head, "date": date, "applicant": applicant,
            "procedure": procedure, "agency": agency, "reasons": list(reasons) or ["(không ghi lý do)"],
            "by": by, "number": number}
