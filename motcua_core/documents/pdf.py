"""The official forms as PDF, in the content and order of the templates (QĐ 09/2015/QĐ-TTg, seeds/003):
01 guidance sheet, 02 tracking register, 03 receipt and appointment (two copies), 04 process control
sheet, and the apology with a new date (Phiếu xin lỗi và hẹn lại ngày trả kết quả); plus the weekly
report. Each function takes the form data the ops layer builds and returns PDF bytes.
"""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from motcua_core.documents.codes import barcode_image, font_file, qr_image, vn_date, vn_datetime

NL = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


class Doc(FPDF):
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
        self.multi_cell(0, h, text, align=align, **NL)

    def header_block(self, parent: str, unit: str, number: str, date_line: str) -> None:
        """TÊN CƠ QUAN / BỘ PHẬN … on the left, the national motto on the right, then Số and the date."""
        w = (self.w - self.l_margin - self.r_margin) / 2
        y = self.get_y()
        self.f(9.5, True)
        self.multi_cell(w - 2, 4.5, f"{parent.upper()}\n{unit.upper()}", align="C")
        y_left = self.get_y()
        self.set_xy(self.l_margin + w, y)
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
        self.line_text(text, size, True, "C", 7)
        self.ln(1)

    def signatures(self, left: str | None, right: str, names: tuple[str, str] = ("", "")) -> None:
        self.ln(3)
        w = (self.w - self.l_margin - self.r_margin) / 2
        y = self.get_y()
        if left:
            self.f(10, True)
            self.multi_cell(w, 5, left, align="C", **NL)
            self.f(9)
            self.multi_cell(w, 5, "(Ký và ghi rõ họ tên)", align="C", **NL)
            self.ln(12)
            self.f(10)
            self.multi_cell(w, 5, names[0], align="C", **NL)
        self.set_xy(self.l_margin + w, y)
        self.f(10, True)
        self.multi_cell(w, 5, right, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.f(9)
        self.multi_cell(w, 5, "(Ký và ghi rõ họ tên)", align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_y(self.get_y() + 12)
        self.set_x(self.l_margin + w)
        self.f(10)
        self.multi_cell(w, 5, names[1], align="C", **NL)


def _out(doc: FPDF) -> bytes:
    return bytes(doc.output())


def guidance(d: dict) -> bytes:
    """Mẫu số 01 — Phiếu hướng dẫn hoàn thiện hồ sơ."""
    doc = Doc("A4")
    doc.add_page()
    a = d["applicant"]
    doc.header_block(d["parent_agency"], d["unit_name"], "Số: ..... /HDHS", vn_date(d.get("date"), d.get("place", "")))
    doc.heading("PHIẾU HƯỚNG DẪN HOÀN THIỆN HỒ SƠ")
    doc.line_text(f"Hồ sơ của: {a['name']}")
    doc.line_text("Nội dung yêu cầu giải quyết:")
    doc.line_text(f"{d['procedure']['name']}" + (f" (mã TTHC {d['procedure']['code']})" if d["procedure"].get("code")
                                                   else ""))
    doc.line_text(f"Địa chỉ: {a.get('address') or '.....'}")
    doc.line_text(f"Số điện thoại: {a.get('phone') or '.....'}    Email: {a.get('email') or '.....'}")
    doc.ln(1)
    doc.line_text("Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:", bold=True)
    for i, m in enumerate(d["missing"], 1):
        doc.line_text(f"{i}. Bổ sung: {m}")
    doc.ln(1)
    c = d.get("contact") or {}
    doc.line_text("Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, ông (bà) liên hệ với "
                  f"{c.get('name') or '.....'} số điện thoại {c.get('phone') or '.....'} để được hướng dẫn./.")
    doc.signatures(None, "NGƯỜI HƯỚNG DẪN", ("", c.get("name") or ""))
    return _out(doc)


def _receipt_copy(doc: Doc, d: dict, copy_label: str) -> None:
    a = d["applicant"]
    doc.add_page()
    doc.header_block(d["parent_agency"], d["unit_name"], f"Số: {d['register_no']}/TNHS",
                     vn_date(d.get("received_at"), d.get("place", "")))
    doc.heading("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", 12)
    y = doc.get_y()
    bar = barcode_image(d["code"])  # placed at its natural size (300 dpi) so every module stays whole
    doc.image(bar, x=doc.l_margin + 20, y=y, w=bar.width * 25.4 / 300, h=11)
    doc.image(qr_image(d["status_url"]), x=doc.w - doc.r_margin - 22, y=y - 2, w=22, h=22)
    doc.set_y(y + 12)
    doc.line_text(f"Mã hồ sơ: {d['code']}" + (f"    Mã tra cứu: {d['lookup_key']}" if d.get("lookup_key") else ""),
                  11, True)
    doc.line_text(f"({copy_label})", 9)
    s = 10
    doc.line_text(f"Bộ phận tiếp nhận và trả kết quả {d['unit_name']}", s)
    doc.line_text(f"Tiếp nhận hồ sơ của: {a['name']}", s)
    doc.line_text(f"Địa chỉ: {a.get('address') or ''}", s)
    doc.line_text(f"Số điện thoại: {a.get('phone') or ''}    Email: {a.get('email') or ''}", s)
    doc.line_text(f"Nội dung yêu cầu giải quyết: {d['procedure']}", s)
    doc.line_text("1. Thành phần hồ sơ nộp gồm:", s)
    for i, item in enumerate(d["documents"], 1):
        doc.line_text(f"   {i}) {item['name']} — {item.get('copies', 1)} bản", 9, h=4.6)
    doc.line_text(f"2. Số lượng hồ sơ: {d['sets']} (bộ)", s)
    if d.get("processing_hours") is not None:
        limit = f"{d['processing_hours']:g} giờ làm việc"
    else:
        limit = f"{d['processing_days']:g} ngày làm việc"
    doc.line_text(f"3. Thời gian giải quyết hồ sơ theo quy định là: {limit}", s)
    doc.line_text(f"4. Thời gian nhận hồ sơ: {vn_datetime(d['received_at'])}", s)
    doc.line_text(f"5. Thời gian trả kết quả giải quyết hồ sơ: {vn_datetime(d['due_at'])}", s + 0.5, True)
    where = ("Bộ phận tiếp nhận và trả kết quả" if d["return_method"] == "counter"
             else f"địa chỉ qua dịch vụ bưu chính công ích: {d.get('post_address')}")
    doc.line_text(f"6. Đăng ký nhận kết quả tại: {where}", s)
    doc.line_text(f"Vào Sổ theo dõi hồ sơ, Quyển số: {d['received_at'][:4]}    Số thứ tự: {d['register_no']}", s)
    doc.signatures("NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", (a["name"], d.get("officer") or ""))
    c = d.get("complaints") or {}
    if c.get("name") or c.get("phone"):
        doc.line_text(f"Phản ánh, kiến nghị: {c.get('name', '')} – {c.get('position', '')}, "
                      f"điện thoại {c.get('phone', '')}", 8.5, h=4.2)
    doc.line_text("Ghi chú: Giấy tiếp nhận và hẹn trả kết quả được lập thành 2 liên; một liên chuyển kèm theo "
                  "Phiếu kiểm soát quá trình giải quyết hồ sơ và được lưu tại Bộ phận tiếp nhận và trả kết quả; "
                  "một liên giao cho cá nhân, tổ chức nộp hồ sơ. Tra cứu tình trạng hồ sơ: quét mã QR.", 8, h=3.8)


def receipt(d: dict, fmt: str = "A4") -> bytes:
    """Mẫu số 03 — two copies: one kept with the control sheet, one for the citizen."""
    doc = Doc(fmt)
    _receipt_copy(doc, d, "Liên 1: Lưu tại Bộ phận tiếp nhận và trả kết quả")
    _receipt_copy(doc, d, "Liên 2: Giao khách hàng")
    return _out(doc)


def control_sheet(d: dict) -> bytes:
    """Mẫu số 04 — Phiếu kiểm soát quá trình giải quyết hồ sơ."""
    doc = Doc("A4")
    doc.add_page()
    doc.header_block(d["parent_agency"], d["unit_name"], "Số: ..... /KSGQHS", vn_date(d.get("date"), d.get("place", "")))
    doc.heading("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ")
    doc.line_text(f"Giấy tiếp nhận hồ sơ và hẹn trả kết quả số: {d['code']}", 10)
    doc.line_text("(Chuyển kèm theo Phiếu kiểm soát quá trình giải quyết hồ sơ này)", 9)
    doc.line_text(f"Cơ quan (bộ phận) giải quyết hồ sơ: {d['lead_agency']}", 10)
    doc.line_text(f"Cơ quan phối hợp giải quyết hồ sơ: {', '.join(d['partners']) or '—'}", 10)
    doc.ln(2)
    widths = (55, 62, 38, 25)
    heads = ("TÊN CƠ QUAN", "THỜI GIAN GIAO, NHẬN HỒ SƠ",
             "KẾT QUẢ GIẢI QUYẾT HỒ SƠ (Trước hạn/đúng hạn/quá hạn)", "GHI CHÚ")
    doc.f(8, True)
    with doc.table(col_widths=widths, text_align="LEFT", line_height=4.5) as table:
        row = table.row()
        for h in heads:
            row.cell(h)
        doc.f(8.5)
        for e in d["entries"]:
            row = table.row()
            row.cell(f"1. Giao: {e['from']}\n2. Nhận: {e['to']}")
            row.cell(f"{vn_datetime(e['at'])}\nNgười giao: {e['giver']}\nNgười nhận: {e['receiver'] or '.....'}")
            row.cell(e.get("result") or "")
            row.cell(e.get("note") or "")
    doc.ln(2)
    doc.line_text("Ghi chú: Trường hợp hồ sơ được chuyển qua dịch vụ bưu chính thì thời gian giao, nhận hồ sơ và "
                  "việc ký nhận thể hiện trong hóa đơn của cơ quan Bưu chính; kết quả giải quyết hồ sơ do bên "
                  "nhận ghi khi nhận bàn giao hồ sơ.", 8, h=4)
    return _out(doc)


def apology(d: dict) -> bytes:
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 05, Thông tư 01/2018/TT-VPCP)."""
    doc = Doc("A4")
    doc.add_page()
    a = d["applicant"]
    doc.header_block(d["parent_agency"], d["unit_name"], f"Số: {d['number']}/XL-{d['code']}",
                     vn_date(d.get("date"), d.get("place", "")))
    doc.heading("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ")
    doc.line_text(f"Kính gửi: Ông (bà) {a['name']}", 11, True, "C")
    doc.ln(2)
    doc.line_text(f"Ngày {d['received_at'][8:10]} tháng {d['received_at'][5:7]} năm {d['received_at'][:4]}, "
                  f"{d['unit_name']} tiếp nhận hồ sơ đề nghị {d['procedure']}. Mã hồ sơ: {d['code']}.")
    doc.line_text(f"Thời gian hẹn trả kết quả giải quyết hồ sơ: {vn_datetime(d['due_at'])}.")
    doc.line_text(f"Tuy nhiên đến nay, {d.get('agency') or d['unit_name']} chưa trả kết quả giải quyết hồ sơ của "
                  f"Ông (bà) vì lý do: {d['reason']}.")
    doc.line_text(f"Sự chậm trễ này đã gây phiền hà cho Ông (bà). {d['unit_name']} xin lỗi Ông (bà) và sẽ trả "
                  f"kết quả giải quyết hồ sơ vào {vn_datetime(d['new_due_at'])}.", bold=False)
    doc.line_text("Xin trân trọng cảm ơn sự hợp tác của Ông (bà)./.")
    doc.ln(2)
    doc.signatures(None, "THỦ TRƯỞNG CƠ QUAN", ("", d.get("by") or ""))
    doc.line_text(f"Nơi nhận: Ông (bà) {a['name']}; Bộ phận tiếp nhận và trả kết quả; Lưu hồ sơ {d['code']}.", 9)
    return _out(doc)


REGISTER_HEADS = ("TT", "Mã hồ sơ", "Tên TTHC", "Số lượng hồ sơ (bộ)", "Tên cá nhân, tổ chức",
                  "Địa chỉ, số điện thoại", "Cơ quan chủ trì giải quyết", "Nhận hồ sơ", "Hẹn trả kết quả",
                  "Chuyển hồ sơ đến cơ quan giải quyết", "Nhận kết quả từ cơ quan giải quyết",
                  "Trả kết quả: Ngày, tháng, năm", "Ký nhận", "Ghi chú")


def register(d: dict) -> bytes:
    """Mẫu số 02 — Sổ theo dõi hồ sơ (landscape; one row per dossier)."""
    doc = Doc("A4", "L")
    doc.set_margins(8, 10, 8)
    doc.add_page()
    doc.header_block(d["parent_agency"], d["unit_name"], "", "")
    doc.heading("SỔ THEO DÕI HỒ SƠ")
    doc.line_text(f"{d.get('title', '')}", 10, align="C")
    widths = (8, 30, 40, 12, 26, 32, 30, 17, 17, 17, 17, 17, 12, 15)
    doc.f(6.5, True)
    with doc.table(col_widths=widths, text_align="CENTER", line_height=3.2) as table:
        row = table.row()
        for h in REGISTER_HEADS:
            row.cell(h)
        row = table.row()
        for i in range(1, 15):
            row.cell(str(i))
        doc.f(6.5)
        for r in d["rows"]:
            row = table.row()
            for v in r:
                row.cell(str(v if v is not None else ""))
    doc.ln(2)
    doc.line_text("Ghi chú: Sổ theo dõi hồ sơ được lập theo từng lĩnh vực hoặc nhóm lĩnh vực tại Bộ phận tiếp nhận "
                  "và trả kết quả.", 8)
    return _out(doc)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def weekly_report(d: dict) -> bytes:
    """The weekly report: totals, a chart per agency, breakdowns per agency, field and officer, and
    satisfaction per officer and agency."""
    doc = Doc("A4")
    doc.add_page()
    doc.header_block(d["parent_agency"], d["unit_name"], "", vn_date(d.get("date"), d.get("place", "")))
    doc.heading("BÁO CÁO TUẦN KẾT QUẢ GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH")
    doc.line_text(f"Tuần {d['week']} (từ {d['start']} đến {d['end']})", 10, align="C")
    t = d["report"]["total"]
    doc.ln(2)
    doc.line_text("I. SỐ LIỆU TỔNG HỢP", 11, True)
    doc.line_text(f"Tổng số hồ sơ tiếp nhận: {t['received']}", 10)
    doc.line_text(f"Hồ sơ đã giải quyết: {t['finished']}, trong đó đúng hạn: {t['on_time']}, trễ hẹn: {t['late']}", 10)
    doc.line_text(f"Hồ sơ đến hạn trong tuần chưa giải quyết xong (quá hạn): {t['open_overdue']}", 10)
    doc.line_text(f"Hồ sơ trễ hẹn có Phiếu xin lỗi: {t['late_with_apology']}; không có Phiếu xin lỗi: "
                  f"{t['late_without_apology']}", 10)
    target = "đạt" if (t["on_time_rate"] or 0) >= 0.98 else "chưa đạt"
    doc.line_text(f"Tỷ lệ giải quyết đúng hạn: {_pct(t['on_time_rate'])} (chỉ tiêu ≥ 98%: {target})", 10, True)
    doc.ln(2)
    _chart(doc, d["report"]["by_agency"])
    for key, label in (("by_agency", "II. THEO CƠ QUAN GIẢI QUYẾT"), ("by_field", "III. THEO LĨNH VỰC"),
                       ("by_officer", "IV. THEO CÔNG CHỨC TIẾP NHẬN")):
        doc.ln(2)
        doc.line_text(label, 11, True)
        _table(doc, d["report"][key])
    sat = d.get("satisfaction") or {}
    doc.ln(2)
    doc.line_text("V. KẾT QUẢ ĐÁNH GIÁ SỰ HÀI LÒNG", 11, True)
    for key, label in (("by_officer", "Theo công chức"), ("by_agency", "Theo cơ quan")):
        doc.line_text(label, 10, True)
        rows = sat.get(key) or {}
        if not rows:
            doc.line_text("Chưa có đánh giá trong tuần.", 9)
            continue
        doc.f(8.5, True)
        with doc.table(col_widths=(80, 25, 40, 35), text_align="LEFT", line_height=4.5) as table:
            r = table.row()
            for h in ("", "Số lượt", "Hài lòng trở lên", "Tỷ lệ hài lòng"):
                r.cell(h)
            doc.f(8.5)
            for name, v in rows.items():
                r = table.row()
                for c in (name, str(v["votes"]), str(v["satisfied"]), _pct(v["rate"])):
                    r.cell(c)
    doc.line_text("Lý do chưa hài lòng", 10, True)
    reasons = sat.get("reasons") or []
    if not reasons:
        doc.line_text("Không có ý kiến chưa hài lòng trong tuần.", 9)
    else:
        doc.f(8.5, True)
        with doc.table(col_widths=(70, 20, 90), text_align="LEFT", line_height=4.5) as table:
            r = table.row()
            for h in ("Lý do", "Số lượt", "Công chức được đánh giá"):
                r.cell(h)
            doc.f(8.5)
            for reason in reasons:
                r = table.row()
                who = ", ".join(f"{n} ({c})" for n, c in sorted(reason["by_officer"].items(), key=lambda x: -x[1]))
                for c in (reason["label"], str(reason["count"]), who):
                    r.cell(c)
    return _out(doc)


def _table(doc: Doc, rows: dict) -> None:
    if not rows:
        doc.line_text("Không có số liệu.", 9)
        return
    doc.f(8, True)
    with doc.table(col_widths=(62, 18, 18, 18, 18, 22, 22, 22), text_align="CENTER", line_height=4) as table:
        r = table.row()
        for h in ("", "Tiếp nhận", "Đã giải quyết", "Đúng hạn", "Trễ hẹn", "Trễ có xin lỗi", "Trễ không xin lỗi",
                  "Tỷ lệ đúng hạn"):
            r.cell(h)
        doc.f(8)
        for name, v in rows.items():
            r = table.row()
            r.cell(name, align="LEFT")
            for c in (v["received"], v["finished"], v["on_time"], v["late"] + v["open_overdue"],
                      v["late_with_apology"], v["late_without_apology"]):
                r.cell(str(c))
            r.cell(_pct(v["on_time_rate"]))


def _chart(doc: Doc, by_agency: dict) -> None:
    """Horizontal bars per agency: on time (green) and late (red), drawn with PDF primitives."""
    items = sorted(((k, v) for k, v in by_agency.items() if v["finished"] or v["open_overdue"]),
                   key=lambda kv: -(kv[1]["finished"] + kv[1]["open_overdue"]))[:15]
    doc.line_text("Biểu đồ: hồ sơ đúng hạn và trễ hẹn theo cơ quan", 10, True)
    if not items:
        doc.line_text("Không có hồ sơ giải quyết trong tuần.", 9)
        return
    top = max(v["on_time"] + v["late"] + v["open_overdue"] for _, v in items) or 1
    label_w, bar_w, h = 70, doc.w - doc.l_margin - doc.r_margin - 90, 5
    for name, v in items:
        if doc.get_y() + h + 2 > doc.h - doc.b_margin:
            doc.add_page()
        y = doc.get_y()
        doc.set_font("DejaVu", "", 7)
        doc.set_xy(doc.l_margin, y)
        doc.cell(label_w, h, name[:48])
        x = doc.l_margin + label_w
        on_w = bar_w * v["on_time"] / top
        late_w = bar_w * (v["late"] + v["open_overdue"]) / top
        doc.set_fill_color(46, 139, 87)
        if on_w:
            doc.rect(x, y + 0.5, on_w, h - 1, style="F")
        doc.set_fill_color(200, 40, 40)
        if late_w:
            doc.rect(x + on_w, y + 0.5, late_w, h - 1, style="F")
        doc.set_xy(x + on_w + late_w + 1, y)
        doc.cell(20, h, f"{v['on_time']} / {v['late'] + v['open_overdue']}")
        doc.set_y(y + h + 1)
    doc.set_font("DejaVu", "", 7)
    doc.set_fill_color(46, 139, 87)
    y = doc.get_y() + 1
    doc.rect(doc.l_margin + label_w, y, 4, 3, style="F")
    doc.set_xy(doc.l_margin + label_w + 5, y - 1)
    doc.cell(25, 5, "Đúng hạn")
    doc.set_fill_color(200, 40, 40)
    doc.rect(doc.l_margin + label_w + 30, y, 4, 3, style="F")
    doc.set_xy(doc.l_margin + label_w + 35, y - 1)
    doc.cell(25, 5, "Trễ hẹn (số bên phải: đúng hạn / trễ hẹn)")
    doc.set_fill_color(255, 255, 255)  # tables after the chart must not inherit the bar colour
    doc.set_y(y + 5)
