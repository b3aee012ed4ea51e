"""What a form says, built once from its data and template, for both renderers (A4 PDF and the 80 mm
thermal copy) so the two never drift apart."""

from __future__ import annotations

from motcua_core.documents.codes import fill, vn_datetime


def receipt_lines(d: dict) -> list[tuple[str, str]]:
    """The receipt's body as (style, text) lines, shared by the A4 PDF and the 80 mm thermal copy so both
    say the same thing: style is 'b' (bold), 'n' (normal), 'i' (list item) or 's' (small)."""
    t, a = d["text"], d["applicant"]
    if d.get("processing_hours") is not None:
        limit = f"{d['processing_hours']:g} giờ làm việc"
    else:
        limit = f"{d['processing_days']:g} ngày làm việc"
    vals = {"unit_name": d["unit_name"], "applicant_name": a["name"], "address": a.get("address") or "",
            "phone": a.get("phone") or "", "email": a.get("email") or "", "procedure": d["procedure"],
            "sets": d["sets"], "limit": limit, "received": vn_datetime(d["received_at"]),
            "due": vn_datetime(d["due_at"]), "post_address": d.get("post_address") or "",
            "book": d.get("register_book") or d["received_at"][:4], "register_no": d["register_no"]}
    out = [("n", fill(t[k], **vals)) for k in ("intro", "applicant", "address", "contact", "request", "documents")]
    out += [("i", fill(t["document_item"], i=i, name=x["name"], copies=x.get("copies", 1)) + document_note(x))
            for i, x in enumerate(d["documents"], 1)]
    out += [("n", fill(t["sets"], **vals)), ("n", fill(t["limit"], **vals)), ("n", fill(t["received"], **vals)),
            ("b", fill(t["due"], **vals)),
            ("n", fill(t["where_counter" if d["return_method"] == "counter" else "where_post"], **vals)),
            ("n", fill(t["book"], **vals))]
    if a.get("outside_area") and t.get("outside_area"):
        out.append(("s", t["outside_area"]))
    return out


def qr_target(d: dict) -> str:
    """What the receipt's QR opens: the absolute status link when the hub gives one."""
    return d.get("status_url") or f"/d/{d['code']}"


def apology_values(d: dict) -> dict:
    r = d["received_at"]
    return {"applicant_name": d["applicant"]["name"], "code": d["code"], "unit_name": d["unit_name"],
            "agency": d["agency"], "procedure": d["procedure"], "reason": d["reason"],
            "received_date": f"{r[8:10]} tháng {r[5:7]} năm {r[:4]}", "due": vn_datetime(d["due_at"]),
            "new_due": vn_datetime(d["new_due_at"])}


def refusal_lines(d: dict) -> list[str]:
    """The refusal sheet's body for both renderers: the dossier code when there is one (papers refused at
    intake have none), whose papers, the request, who refuses, then each reason numbered."""
    t = d["text"]
    vals = {"unit_name": d["unit_name"], "applicant_name": d["applicant"]["name"], "procedure": d["procedure"],
            "by_agency": d["agency"], "code": d.get("code") or ""}
    keys = ("code", "intro", "request", "body") if d.get("code") else ("intro", "request", "body")
    return [fill(t[k], **vals) for k in keys] + [fill(t["reason_item"], i=i, reason=r)
                                                 for i, r in enumerate(d["reasons"], 1)]


def document_note(x: dict) -> str:
    """How a listed document came: taken from data already held, or scanned at the counter."""
    if x.get("reused"):
        return " — đã có dữ liệu điện tử, không nộp bản giấy"
    if x.get("scanned_pages"):
        return f" — đã số hóa ({x['scanned_pages']} trang)"
    return ""


def transfer_lines(d: dict) -> list[str]:
    """The fee-by-transfer lines beside the VietQR code (none for a free procedure)."""
    tr = d.get("transfer")
    if not tr:
        return []
    amount = f"{tr['amount_vnd']:,}".replace(",", ".")
    return ["Nộp phí, lệ phí bằng chuyển khoản: quét mã VietQR bằng ứng dụng ngân hàng.",
            f"Số tiền: {amount} đồng. Nội dung: {tr['message']}.",
            f"Tài khoản: {tr['account']} {tr.get('account_name') or ''} – {tr.get('bank_name') or ''}".strip(" –")]
