"""The official forms as PDF, in the content and order of the templates in force (Thông tư
01/2018/TT-VPCP, Mẫu 01–06; seed 003 holds their 2015 predecessors): receipt and appointment (two copies),
supplement request, refusal, apology with a new date, process control sheet and tracking register; plus
the Decision 766 figures (the reports over a period: motcua_core.documents.report_pdf). Each function
takes the form data the ops layer builds; the wording, form number and legal reference come in it under
"text" (hub/data/forms/*.json, overridable per site), so an office changes wording without code.
"""

from __future__ import annotations

from fpdf.enums import XPos, YPos

from motcua_core.documents.codes import barcode_image, fill, font_file, qr_image, vn_date, vn_datetime
from motcua_core.documents.content import (
    apology_values,
    qr_target,
    receipt_lines,
    refusal_lines,
    transfer_lines,
)
from motcua_core.documents.tagging import TaggedFPDF, structure_tree

NL = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


class Doc(TaggedFPDF):
    """An A4 form, tagged (motcua_core.documents.tagging): headings, paragraphs, tables and pictures."""

    def __init__(self, fmt: str = "A4", orientation: str = "P"):
        super().__init__(orientation=orientation, unit="mm", format=fmt)
        self.add_font("DejaVu", "", font_file())
        self.add_font("DejaVu", "B", font_file(bold=True))
        self.add_font("DejaVuSerif", "", font_file(serif=True))
        self.add_font("DejaVuSerif", "B", font_file(bold=True, serif=True))
        self.set_auto_page_break(True, margin=12)
        self.set_margins(15, 12, 15)
        self.set_title("motcua")

    def f(self, size: float = 11, bold: bool = False) -> None:
        self.set_font("DejaVuSerif", "B" if bold else "", size)

    def line_text(self, text: str, size: float = 11, bold: bool = False, align: str = "L", h: float = 5.5) -> None:
        self.f(size, bold)
        with self.tag("P"):
            self.multi_cell(0, h, text, align=align, **NL)

    def header_block(self, parent: str, unit: str, number: str, date_line: str) -> None:
        """TÊN CƠ QUAN / BỘ PHẬN … on the left, the national motto on the right, then Số and the date."""
        w = (self.w - self.l_margin - self.r_margin) / 2
        y = self.get_y()
        self.f(9.5, True)
        with self.tag("P"):
            self.multi_cell(w - 2, 4.5, f"{parent.upper()}\n{unit.upper()}", align="C")
        y_left = self.get_y()
        self.set_xy(self.l_margin + w, y)
        with self.tag("P"):
            self.multi_cell(w, 4.5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C")
            self.set_x(self.l_margin + w)
            self.multi_cell(w, 4.5, "Độc lập - Tự do - Hạnh phúc", align="C")
        y_right = self.get_y()
        self.set_y(max(y_left, y_right) + 2)
        y = self.get_y()
        self.f(10)
        self.multi_cell(w - 2, 5, number, align="C")
        self.set_xy(self.l_margin + w, y)
        self.set_font("DejaVuSerif", "", 10)
        self.multi_cell(w, 5, date_line, align="C")
        self.ln(3)

    def heading(self, text: str, size: float = 13) -> None:
        with self.tag("H1"):
            self.line_text(text, size, True, "C", 7)
        self.ln(1)

    def signatures(self, left: str | None, right: str, names: tuple[str, str] = ("", "")) -> None:
        self.ln(3)
        w = (self.w - self.l_margin - self.r_margin) / 2
        y = self.get_y()
        if left:  # each signature block one paragraph: who signs, how, the name
            with self.tag("P"):
                self.f(10, True)
                self.multi_cell(w, 5, left, align="C", **NL)
                self.f(9)
                self.multi_cell(w, 5, "(Ký và ghi rõ họ tên)", align="C", **NL)
                self.ln(12)
                self.f(10)
                self.multi_cell(w, 5, names[0], align="C", **NL)
        self.set_xy(self.l_margin + w, y)
        with self.tag("P"):
            self.f(10, True)
            self.multi_cell(w, 5, right, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.f(9)
            self.multi_cell(w, 5, "(Ký và ghi rõ họ tên)", align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.set_y(self.get_y() + 12)
            self.set_x(self.l_margin + w)
            self.f(10)
            self.multi_cell(w, 5, names[1], align="C", **NL)


def _out(doc: Doc) -> bytes:
    return structure_tree(bytes(doc.output()), doc.struct_root)


def _barcode_row(doc: Doc, code: str, status_url: str | None = None) -> None:
    """The dossier code as a Code 128 barcode (the scanners' input) on every dossier form; the QR of the
    status page beside it where the citizen keeps the paper."""
    y = doc.get_y()
    bar = barcode_image(code)  # placed at its natural size (300 dpi) so every module stays whole
    with doc.tag("Figure", alt=f"Mã vạch của mã hồ sơ {code}"):
        doc.image(bar, x=doc.l_margin + 20, y=y, w=bar.width * 25.4 / 300, h=11)
    if status_url:
        with doc.tag("Figure", alt=f"Mã QR mở trang tra cứu hồ sơ {code}"):
            doc.image(qr_image(status_url), x=doc.w - doc.r_margin - 22, y=y - 2, w=22, h=22)
    doc.set_y(y + 12)


def _legal(doc: Doc, t: dict) -> None:
    """The form number and the text it follows, small, at the top right (as official templates print)."""
    doc.set_font("DejaVuSerif", "", 7.5)
    doc.multi_cell(0, 3.6, f"{t['form_no']} — {t['legal_ref']}", align="R", **NL)
    doc.ln(1)


def _start(d: dict, number: str, unit: str | None = None) -> tuple[Doc, dict]:
    """A4 page with the form's number and legal text, the header block (unit, motto, Số, date), the title."""
    t = d["text"]
    doc = Doc("A4")
    doc.add_page()
    _legal(doc, t)
    doc.header_block(d["parent_agency"], unit or d["unit_name"], number, vn_date(d.get("date"), d.get("place", "")))
    doc.heading(t["title"])
    return doc, t


def guidance(d: dict) -> bytes:
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (number and legal text in hub/data/forms/guidance.json)."""
    doc, t = _start(d, d["text"]["number"])
    if d.get("code"):  # an agency's request for a received dossier (Decree 118/2025 Art. 19(5))
        _barcode_row(doc, d["code"])
    a = d["applicant"]
    proc = d["procedure"]["name"] + (f" (mã TTHC {d['procedure']['code']})" if d["procedure"].get("code") else "")
    vals = {"applicant_name": a["name"], "procedure": proc, "address": a.get("address") or ".....",
            "phone": a.get("phone") or ".....", "email": a.get("email") or "....."}
    for key in ("applicant", "request", "address", "contact"):
        doc.line_text(fill(t[key], **vals))
    doc.ln(1)
    doc.line_text(t["missing"], bold=True)
    for i, m in enumerate(d["missing"], 1):
        doc.line_text(fill(t["missing_item"], i=i, item=m))
    doc.ln(1)
    c = d.get("contact") or {}
    if d.get("close_at") and t.get("restart"):
        doc.line_text(t["restart"])
    doc.line_text(fill(t["help"], contact_name=c.get("name") or ".....", contact_phone=c.get("phone") or "....."))
    doc.signatures(None, t["sign_right"], ("", c.get("name") or ""))
    return _out(doc)


def _receipt_copy(doc: Doc, d: dict, copy_label: str) -> None:
    t, a = d["text"], d["applicant"]
    doc.add_page()
    _legal(doc, t)
    doc.header_block(d["parent_agency"], d["unit_name"], fill(t["number"], register_no=d["register_no"]),
                     vn_date(d.get("received_at"), d.get("place", "")))
    doc.heading(t["title"], 12)
    _barcode_row(doc, d["code"], qr_target(d))
    doc.line_text(fill(t["code"], code=d["code"]), 11, True)
    if d.get("lookup_key"):
        doc.line_text(fill(t["lookup_key"], lookup_key=d["lookup_key"]), 11, True)
    doc.line_text(f"({copy_label})", 9)
    for style, text in receipt_lines(d):
        if style == "i":
            doc.line_text(f"   {text}", 9, h=4.6)
        elif style == "s":
            doc.line_text(text, 9, h=4.4)
        else:
            doc.line_text(text, 10.5 if style == "b" else 10, style == "b")
    lines = transfer_lines(d)
    if lines:  # the fees by bank transfer: VietQR (NAPAS 247) with the amount and the dossier code
        y = doc.get_y() + 1
        with doc.tag("Figure", alt="Mã VietQR để chuyển khoản phí, lệ phí"):
            doc.image(qr_image(d["transfer"]["payload"]), x=doc.w - doc.r_margin - 24, y=y, w=24, h=24)
        doc.set_right_margin(doc.r_margin + 26)
        for text in lines:
            doc.line_text(text, 9, h=4.4)
        doc.set_right_margin(doc.r_margin - 26)
        doc.set_y(max(doc.get_y(), y + 25))
    doc.signatures(t["sign_left"], t["sign_right"], (a["name"], d.get("officer") or ""))
    c = d.get("complaints") or {}
    if c.get("name") or c.get("phone"):
        doc.line_text(fill(t["complaints"], name=c.get("name", ""), position=c.get("position", ""),
                           phone=c.get("phone", "")), 8.5, h=4.2)
    doc.line_text(t["note"], 8, h=3.8)


def receipt(d: dict, fmt: str = "A4") -> bytes:
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả, two copies: one kept with the control sheet, one for the
    citizen (number and legal text in hub/data/forms/receipt.json)."""
    doc = Doc(fmt)
    _receipt_copy(doc, d, d["text"]["copy_unit"])
    _receipt_copy(doc, d, d["text"]["copy_citizen"])
    return _out(doc)


def control_sheet(d: dict) -> bytes:
    """Phiếu kiểm soát quá trình giải quyết hồ sơ: one row per handover with room for both signatures."""
    doc, t = _start(d, d["text"]["number"])
    _barcode_row(doc, d["code"])
    doc.line_text(fill(t["receipt"], register_no=d.get("register_no") or "", code=d["code"]), 10)
    doc.line_text(t["attached"], 9)
    for line in d.get("electronic") or []:  # scans, documents held as data, the electronic result
        doc.line_text(f"– {line}", 8.5, h=4.2)
    doc.line_text(fill(t["lead"], lead_agency=d["lead_agency"]), 10)
    doc.line_text(fill(t["partners"], partners=", ".join(d["partners"]) or "—"), 10)
    if d.get("slip") and t.get("steps"):  # liên thông: each agency's task and time limit (Decree 118/2025 Art. 20)
        doc.line_text(t["steps"], 10, True)
        for line in d["slip"]:
            doc.line_text(fill(t["step_item"], i=line["order"], agency=line["agency"], content=line["task"] or "—",
                               days=line["days"] if line["days"] is not None else "…",
                               due=vn_datetime(line["due_at"]) if line.get("due_at") else "…"), 9.5)
    doc.ln(2)
    widths = (38, 30, 34, 34, 26, 18)
    doc.f(7.5, True)
    with doc.table(col_widths=widths, text_align="LEFT", line_height=4.2) as table:
        row = table.row()
        for h in t["heads"]:
            row.cell(h)
        doc.f(8)
        for e in d["entries"]:
            row = table.row()
            row.cell(f"1. Giao: {e['from']}\n2. Nhận: {e['to']}")
            row.cell(vn_datetime(e["at"]))
            row.cell(f"\n\n\n{e['giver']}")  # blank lines: the space to sign above the printed name
            row.cell(f"\n\n\n{e['receiver'] or ''}")
            row.cell(e.get("result") or "")
            row.cell(e.get("note") or "")
    doc.ln(2)
    doc.line_text(t["note"], 8, h=4)
    return _out(doc)


def apology(d: dict) -> bytes:
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả, issued and signed by the agency at fault under its own
    number (form number and legal text in hub/data/forms/apology.json)."""
    doc, t = _start(d, fill(d["text"]["number"], number=d["number"]), d["agency"])
    _barcode_row(doc, d["code"])
    vals = apology_values(d)
    doc.line_text(fill(t["to"], **vals), 11, True, "C")
    doc.line_text(fill(t["code"], **vals), 10, align="C")
    doc.ln(2)
    for key in ("received", "due", "reason", "apology", "thanks"):
        doc.line_text(fill(t[key], **vals))
    doc.ln(2)
    doc.signatures(None, (d.get("head_title") or t["sign_right"]).upper(), ("", d.get("head_name") or ""))
    doc.line_text(fill(t["recipients"], **vals), 9)
    return _out(doc)


def refusal(d: dict) -> bytes:
    """Phiếu từ chối tiếp nhận giải quyết hồ sơ, with each reason on its own line; the barcode only when
    a dossier exists (papers refused at intake have no code)."""
    doc, t = _start(d, fill(d["text"]["number"], number=d["number"]))
    if d.get("code"):
        _barcode_row(doc, d["code"])
    for line in refusal_lines(d):
        doc.line_text(line)
    doc.line_text(t["closing"])
    doc.signatures(None, t["sign_right"], ("", d.get("by") or ""))
    return _out(doc)


def register(d: dict) -> bytes:
    """Sổ theo dõi hồ sơ (landscape): one book per year and field, one row per dossier, TT = the number
    on the dossier's receipt. `d["books"]`: [{"field", "book", "rows"}]."""
    t = d["text"]
    doc = Doc("A4", "L")
    doc.set_margins(8, 10, 8)
    widths = (8, 30, 40, 12, 26, 32, 30, 17, 17, 17, 17, 17, 12, 15)
    for b in d["books"] or [{"field": "", "book": "", "rows": []}]:
        doc.add_page()
        _legal(doc, t)
        doc.header_block(d["parent_agency"], d["unit_name"], "", "")
        doc.heading(t["title"])
        doc.line_text(fill(t["book"], field=b["field"], book=b["book"]), 10, True, align="C")
        doc.line_text(f"{d.get('title', '')}", 10, align="C")
        doc.f(6.5, True)
        with doc.table(col_widths=widths, text_align="CENTER", line_height=3.2) as table:
            row = table.row()
            for h in t["heads"]:
                row.cell(h)
            row = table.row()
            for i in range(1, 15):
                row.cell(str(i))
            doc.f(6.5)
            for r in b["rows"]:
                row = table.row()
                for v in r:
                    row.cell(str(v if v is not None else ""))
        doc.ln(2)
        doc.line_text(t["note"], 8)
    return _out(doc)


def _pct(x: float | None) -> str:
    """0.953 → '95,3%' (Vietnamese decimal comma)."""
    return "—" if x is None else f"{x * 100:.1f}%".replace(".", ",")


def _plain_table(doc: Doc, widths: tuple, heads: tuple, rows: list[tuple], size: float) -> None:
    """A left-aligned table: a bold head row, then one row per tuple of texts."""
    doc.f(size, True)
    with doc.table(col_widths=widths, text_align="LEFT", line_height=size / 2 + 0.2) as table:
        r = table.row()
        for h in heads:
            r.cell(h)
        doc.f(size)
        for row in rows:
            r = table.row()
            for c in row:
                r.cell(c)


def index766_report(d: dict) -> bytes:
    """The Decision 766/QĐ-TTg figures of a centre for a month, quarter or year: the groups the hub can
    compute, each figure with its counts and its formula written out, and the groups it cannot."""
    f = d["figures"]
    p, dg, sat = f["progress"], f["digitisation"], f["satisfaction"]
    doc = Doc("A4")
    doc.add_page()
    doc.header_block(d["parent_agency"], d["unit_name"], "", vn_date(d.get("date"), d.get("place", "")))
    doc.heading("BÁO CÁO CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP")
    doc.line_text("(theo Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ)", 9, align="C")
    short = lambda iso: f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}"  # noqa: E731
    doc.line_text(f"{d['period_label']} (từ {short(d['from'])} đến {short(d['to'])})", 10, True, "C")
    doc.ln(2)
    doc.line_text("I. TIẾN ĐỘ, KẾT QUẢ GIẢI QUYẾT", 11, True)
    e = p["ended_by"]
    _plain_table(doc, (120, 60), ("Chỉ tiêu", "Số hồ sơ"), [
        ("Tổng số hồ sơ tiếp nhận hoặc giải quyết trong kỳ", str(p["in_scope"])),
        ("   trong đó: tiếp nhận trong kỳ", str(p["received"])),
        ("   kỳ trước chuyển sang", str(p["carried_over"])),
        ("Đã kết thúc trong kỳ", str(p["ended"])),
        ("   có kết quả / từ chối / dừng giải quyết / rút hồ sơ",
         f"{e['done']} / {e['rejected']} / {e['stopped']} / {e['withdrawn']}"),
        ("Đang giải quyết cuối kỳ", str(p["in_progress"])),
        ("Đúng hạn (kết thúc đúng hạn + đang giải quyết trong hạn)", str(p["on_time"])),
        ("Trễ hạn", str(p["late"])),
        ("   trong đó: yêu cầu bổ sung lần thứ hai", str(p["second_supplement"])),
    ], 9)
    doc.ln(1)
    doc.line_text("II. SỐ HÓA HỒ SƠ (trong phạm vi dữ liệu hệ thống biết)", 11, True)
    _plain_table(doc, (120, 60), ("Chỉ tiêu", "Số lượng"), [
        ("Hồ sơ tiếp nhận trong kỳ", str(dg["dossiers_received"])),
        ("Thành phần hồ sơ của các hồ sơ đó", str(dg["documents"])),
        ("Thành phần đã có dữ liệu điện tử (không yêu cầu nộp lại)", str(dg["documents_electronic"])),
        ("Hồ sơ có ít nhất một thành phần đã có dữ liệu điện tử", str(dg["dossiers_with_electronic"])),
        *([("Hồ sơ có đủ bản điện tử các thành phần quét tại quầy", str(dg["dossiers_attached"])),
           ("Hồ sơ trả kết quả trong kỳ", str(dg["results_returned"])),
           ("   trong đó: có kết quả điện tử (ký số, có mã giấy tờ)", str(dg["results_electronic"]))]
          if "results_electronic" in dg else []),
    ], 9)
    doc.ln(1)
    doc.line_text("III. MỨC ĐỘ HÀI LÒNG", 11, True)
    _plain_table(doc, (120, 60), ("Chỉ tiêu", "Số lượng"), [
        ("Hồ sơ có phản ánh, kiến nghị hoặc đánh giá không hài lòng", str(sat["dossiers_unsatisfied_or_complaint"])),
        ("Lượt đánh giá trong kỳ", str(sat["votes"])),
        ("Lượt đánh giá hài lòng, rất hài lòng", str(sat["votes_satisfied"])),
    ], 9)
    doc.ln(1)
    doc.line_text("IV. CÁC TỶ LỆ VÀ CÔNG THỨC TÍNH", 11, True)
    for i, x in enumerate(d["formulas"], 1):
        doc.line_text(f"{i}. {x['label']}: {_pct(x['value'])}", 10, True)
        doc.line_text(f"Công thức: {x['formula']}", 8.5, h=4.2)
    doc.ln(1)
    doc.line_text("V. NHÓM CHỈ SỐ HỆ THỐNG KHÔNG TÍNH ĐƯỢC", 11, True)
    for x in d["not_computed"]:
        doc.line_text(f"- {x['group']}: {x['why']}", 9, h=4.4)
    doc.ln(1)
    doc.line_text("Ghi chú: Cách tính theo bản mô tả phương pháp tính của Cổng Dịch vụ công quốc gia đã được công bố "
                  "(không phải văn bản chính thức); số điểm của từng nhóm không được tính tại đây.", 8, h=4)
    return _out(doc)
