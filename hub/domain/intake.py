"""What a dossier must hold to be taken in at the counter (pure): the applicant, the documents against the
catalogue's list, and how the result goes back. Refusals are DomainErrors with the officer's message."""

from __future__ import annotations

import re
from datetime import date

from hub.domain.catalogue import CONDITIONAL, REQUIRED, document_kind
from motcua_core.cccd import parse_cccd
from motcua_core.errors import DomainError

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^(\+84|0)\d{9,10}$")
RETURN_METHODS = ("counter", "post")
NOTIFY_CHANNELS = ("sms", "email")
MAX_SETS = 50


def bad(message: str, message_vi: str) -> DomainError:
    return DomainError("bad_request", message, message_vi)


def _picked(proc: dict, items: list) -> set[int]:
    """Indexes of the catalogue documents named in `items` (0-based indexes or names)."""
    if not isinstance(items, list):
        raise bad("The list of documents received is not valid.", "Danh sách giấy tờ đã nhận không hợp lệ.")
    names = {str(x) for x in items if isinstance(x, str)}
    idx = {x for x in items if isinstance(x, int) and not isinstance(x, bool)}
    return {i for i, d in enumerate(proc["documents"]) if i in idx or d["name"] in names}


def missing_documents(proc: dict, received: list, applies: list | None = None) -> list[dict]:
    """Documents this dossier needs and the citizen did not bring: every required one, and a conditional
    one (e.g. "(trường hợp trẻ bị bỏ rơi)") only when the officer marked its case as applying (`applies`);
    optional ones never. `received` and `applies` hold indexes (0-based) or names."""
    got, cases = _picked(proc, received), _picked(proc, applies or [])
    out = []
    for i, d in enumerate(proc["documents"]):
        kind = document_kind(d)[0]
        if i not in got and (kind == REQUIRED or (kind == CONDITIONAL and i in cases)):
            out.append(d)
    return out


def received_documents(proc: dict, received: list) -> list[dict]:
    """What the receipt lists as submitted: the documents actually ticked, nothing more."""
    got = _picked(proc, received)
    return [{"name": d["name"], "copies": d.get("copies", 1)} for i, d in enumerate(proc["documents"]) if i in got]


def applicant_name(raw: object) -> str:
    """The applicant's full name, spaces tidied: what every paper about their dossier is made out to."""
    if not isinstance(raw, dict):
        raise bad("The applicant's details are missing.", "Thiếu thông tin người nộp hồ sơ.")
    name = " ".join(str(raw.get("name") or "").split())
    if len(name) < 2:
        raise bad("Type the applicant's full name.", "Cần nhập họ và tên người nộp hồ sơ.")
    if len(name) > 100:
        raise bad("The full name is too long (100 characters at most).",
                  "Họ và tên quá dài (tối đa 100 ký tự).")
    return name


def applicant(raw: dict, year: int) -> dict:
    name = applicant_name(raw)
    out = {"name": name, "address": " ".join(str(raw.get("address") or "").split())[:300]}
    if raw.get("cccd"):
        cid = parse_cccd(str(raw["cccd"]), year)
        out["cccd"] = cid.number
    if raw.get("birth_date"):  # pre-filled from the CCCD QR (issue #12)
        try:
            out["birth_date"] = date.fromisoformat(str(raw["birth_date"])).isoformat()
        except ValueError:
            raise bad("The date of birth is not valid.", "Ngày sinh không hợp lệ.") from None
    phone = re.sub(r"[\s.\-]", "", str(raw.get("phone") or ""))
    if phone and not PHONE_RE.match(phone):
        raise bad(f"The phone number {raw.get('phone')!r} is not valid (10 digits, starting with 0).",
                  f"Số điện thoại {raw.get('phone')!r} không hợp lệ (10 chữ số, bắt đầu bằng 0).")
    out["phone"] = phone
    email = str(raw.get("email") or "").strip()
    if email and not EMAIL_RE.match(email):
        raise bad(f"The e-mail address {email!r} is not valid.", f"Địa chỉ email {email!r} không hợp lệ.")
    out["email"] = email
    notify = raw.get("notify") or [c for c, v in (("sms", phone), ("email", email)) if v]
    if not isinstance(notify, list) or any(c not in NOTIFY_CHANNELS for c in notify):
        raise bad("Notices can be sent by SMS and/or e-mail only.",
                  "Hình thức nhận thông báo phải là sms và/hoặc email.")
    if "sms" in notify and not phone:
        raise bad("Notices by SMS need a phone number.", "Chọn nhận tin nhắn thì cần số điện thoại.")
    if "email" in notify and not email:
        raise bad("Notices by e-mail need an e-mail address.", "Chọn nhận thư điện tử thì cần địa chỉ email.")
    out["notify"] = notify
    return out


def return_options(proc: dict, data: dict) -> tuple[int, str, str]:
    """(sets, return method, postal address) of an intake, checked against the procedure."""
    sets = data.get("sets", 1)
    if not isinstance(sets, int) or isinstance(sets, bool) or not 1 <= sets <= MAX_SETS:
        raise bad(f"The number of dossier sets must be from 1 to {MAX_SETS}.",
                  f"Số lượng hồ sơ (bộ) phải từ 1 đến {MAX_SETS}.")
    method = data.get("return_method") or "counter"
    if method not in RETURN_METHODS:
        raise bad("The result can be returned at the counter or by post only.",
                  "Hình thức nhận kết quả phải là tại quầy hoặc qua bưu chính.")
    post_address = " ".join(str(data.get("post_address") or "").split())
    if method == "post":
        if not proc.get("post_return"):
            raise bad("This procedure's result is not returned through the public postal service.",
                      "Thủ tục này không trả kết quả qua dịch vụ bưu chính công ích.")
        if len(post_address) < 8:
            raise bad("A result returned by post needs a full delivery address.",
                      "Nhận kết quả qua bưu chính thì cần địa chỉ nhận đầy đủ.")
    return sets, method, post_address


def code_prefix(steps: list[str], agency_ids: dict[str, str], unit_id: str | None, fallback: str) -> str:
    """The first part of a dossier code (Decree 118/2025, Art. 28(2)(a)): the official identifier of the
    competent agency; for a liên thông dossier (several agencies) that of the receiving one-stop unit.
    Where no identifier is configured, the unit's, else the site's free-text agency code (as before)."""
    if len(steps) == 1 and agency_ids.get(steps[0]):
        return agency_ids[steps[0]]
    return unit_id or fallback
