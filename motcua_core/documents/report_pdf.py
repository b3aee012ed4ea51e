"""Reports over any period as an official document (Decree 30/2020/NĐ-CP, Appendix I: the format of
administrative documents): A4 with margins of 20 mm top and bottom, 30 mm left, 15 mm right; the issuing
body (its parent above it) beside the national motto; "Số: 05/BC-…" under the body and the place and date
in italics under the motto; the title; the content; "Nơi nhận:" bottom left and the signature block
(position, name) bottom right; page numbers centred in the top margin from the second page.

A figure that has no data is printed "—" or "Không có dữ liệu", never judged: no target is "not met" when
nothing was counted. `period_report(d)` takes what hub.ops.reports.period_report builds.
"""

from __future__ import annotations

from fpdf.enums import XPos, YPos

from motcua_core.documents.codes import font_file, vn_date
from motcua_core.documents.pdf import Doc

NL = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
NO_DATA = "Không có dữ liệu"
TARGET_ON_TIME = 0.98  # dossiers on time (the provincial plans' 98 %)
STAMP_MM = 24  # the PAdES block (motcua_core.signing) sits this high above the bottom edge's 12.7 mm


class OfficialDoc(Doc):
    """A4 in the decree's margins, with the page number centred in the top margin from page 2."""

    def __init__(self) -> None:
        super().__init__("A4")
        self.add_font("DejaVuSerif", "I", font_file(serif=True, italic=True))
        self.add_font("DejaVuSerif", "BI", font_file(bold=True, serif=True, italic=True))
        self.set_margins(30, 20, 15)
        self.set_auto_page_break(True, margin=20)
        self.set_title("Báo cáo")
        self.set_lang("vi")

    def header(self) -> None:
        if self.page_no() > 1:
            self.set_font("DejaVuSerif", "", 11)
            self.set_xy(self.l_margin, 9)
            self.cell(self.w - self.l_margin - self.r_margin, 6, str(self.page_no()), align="C")
            self.set_xy(self.l_margin, self.t_margin)

    @property
    def width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def para(self, text: str, size: float = 11, style: str = "", align: str = "J", h: float | None = None) -> None:
        self.set_font("DejaVuSerif", style, size)
        self.multi_cell(0, h or size * 0.5, text, align=align, **NL)

    def section(self, text: str) -> None:
        if self.get_y() > self.h - self.b_margin - 30:  # a heading never alone at a page's foot
            self.add_page()
        self.ln(2)
        self.para(text, 11.5, "B", "L")
        self.ln(0.5)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%".replace(".", ",")


def _dur(s: float | None) -> str:
    """Seconds as a leader reads a wait: '7 phút', '1 giờ 05 phút', '—' when nothing was measured."""
    if s is None:
        return "—"
    m = round(s / 60)
    return f"{m} phút" if m < 60 else f"{m // 60} giờ {m % 60:02d} phút"


def _header(doc: OfficialDoc, d: dict) -> None:
    """Issuing body and its number on the left, the motto and the place and date on the right."""
    left_w, right_w = doc.width * 0.45, doc.width * 0.55
    x0, y0 = doc.l_margin, doc.get_y()
    doc.set_font("DejaVuSerif", "", 10)
    doc.set_xy(x0, y0)
    doc.multi_cell(left_w, 5, (d.get("parent_agency") or "").upper(), align="C", **NL)
    doc.set_font("DejaVuSerif", "B", 10)
    doc.set_x(x0)
    doc.multi_cell(left_w, 5, (d.get("unit_name") or "").upper(), align="C", **NL)
    rule_y = doc.get_y() + 0.8
    doc.line(x0 + left_w * 0.35, rule_y, x0 + left_w * 0.65, rule_y)
    left_end = rule_y + 2
    doc.set_xy(x0 + left_w, y0)
    doc.set_font("DejaVuSerif", "B", 10)
    doc.multi_cell(right_w, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    doc.set_font("DejaVuSerif", "B", 11)
    motto = "Độc lập - Tự do - Hạnh phúc"
    doc.multi_cell(right_w, 5.5, motto, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    mw = doc.get_string_width(motto)
    ry = doc.get_y() + 0.8
    doc.line(x0 + left_w + (right_w - mw) / 2, ry, x0 + left_w + (right_w + mw) / 2, ry)
    right_end = ry + 2
    y = max(left_end, right_end) + 1
    doc.set_xy(x0, y)
    doc.set_font("DejaVuSerif", "", 11)
    doc.multi_cell(left_w, 5.5, d.get("number_line") or "Số:       /BC", align="C")
    doc.set_xy(x0 + left_w, y)
    doc.set_font("DejaVuSerif", "I", 11)
    doc.multi_cell(right_w, 5.5, vn_date(d.get("date"), d.get("place", "")), align="C", **NL)
    doc.ln(5)


def _title(doc: OfficialDoc, d: dict) -> None:
    doc.para("BÁO CÁO", 14, "B", "C", 7)
    doc.para(f"Kết quả tiếp nhận, giải quyết thủ tục hành chính và phục vụ người dân, doanh nghiệp "
             f"{d['period_label'][:1].lower()}{d['period_label'][1:]}", 12, "B", "C", 6)
    if d.get("kind") != "range":
        doc.para(d.get("span_label") or "", 11, "I", "C", 5.5)
    doc.ln(1)
    rule = 40
    doc.line(doc.l_margin + (doc.width - rule) / 2, doc.get_y(), doc.l_margin + (doc.width + rule) / 2, doc.get_y())
    doc.ln(4)


def _lines(doc: OfficialDoc, text: str, width: float) -> int:
    """How many lines `text` takes in a cell `width` wide (the font set now), words kept whole."""
    n, line = 1, 0.0
    space = doc.get_string_width(" ")
    for word in str(text).split():
        w = doc.get_string_width(word)
        if line and line + space + w > width - 2:
            n, line = n + 1, w
        else:
            line += (space if line else 0) + w
    return n


def _numeric(value: object) -> bool:
    return isinstance(value, int | float) or str(value)[:1].isdigit() or str(value) == "—"


def _table(doc: OfficialDoc, widths: tuple, heads: tuple, rows: list[tuple], size: float = 9,
           label: str | None = None) -> None:
    """A table under its label, kept on one page when it fits one (else started where its head and three
    rows fit), its head row repeated on each page; text left, figures centred."""
    scale = min(1.0, doc.width / sum(widths))
    widths = tuple(x * scale for x in widths)
    lh = size * 0.5 + 0.6
    doc.set_font("DejaVuSerif", "B", size)
    head_h = max(_lines(doc, h, w) for h, w in zip(heads, widths, strict=True)) * lh + 1
    doc.set_font("DejaVuSerif", "", size)
    row_hs = [max(_lines(doc, str(c), w) for c, w in zip(r, widths, strict=True)) * lh + 1 for r in rows]
    label_h = 7 if label else 0
    room = doc.h - doc.b_margin - doc.get_y()
    whole = label_h + head_h + sum(row_hs) + 4
    if whole > room and (whole <= doc.h - doc.t_margin - doc.b_margin or label_h + head_h + sum(row_hs[:3]) > room):
        doc.add_page()
    if label:
        doc.para(label, 10.5, "B", "L")
    if not rows:
        doc.para(f"{NO_DATA}.", 10, "I", "L")
        return
    doc.set_font("DejaVuSerif", "B", size)
    with doc.table(col_widths=widths, width=sum(widths), text_align="CENTER", line_height=lh, repeat_headings=1,
                   align="LEFT") as table:
        r = table.row()
        for h in heads:
            r.cell(h)
        doc.set_font("DejaVuSerif", "", size)
        for row in rows:
            r = table.row()
            for c in row:
                r.cell(str(c), align="CENTER" if _numeric(c) else "LEFT")
    doc.ln(1.5)


QUEUE_HEADS = ("", "Số đã cấp", "Đã phục vụ", "Vắng mặt", "Chờ trung bình", "Chờ lâu nhất", "Gọi đúng hạn")
QUEUE_W = (51, 17, 17, 16, 20, 20, 24)


def _queue_row(name: str, v: dict) -> tuple:
    return (name, v["issued"], v["served"], v["no_show"], _dur(v["avg_wait_s"]), _dur(v["longest_wait_s"]),
            _pct(v["on_time_rate"]))


def _queue(doc: OfficialDoc, q: dict) -> None:
    doc.section("I. TIẾP NHẬN VÀ PHỤC VỤ THEO SỐ THỨ TỰ")
    t = q["total"]
    if not t["issued"]:
        doc.para(f"{NO_DATA}: không có số thứ tự nào được cấp trong kỳ.", 11, "", "L")
        return
    doc.para(f"Tổng số thứ tự đã cấp: {t['issued']}; đã phục vụ: {t['served']}; vắng mặt: {t['no_show']}. "
             f"Thời gian chờ trung bình: {_dur(t['avg_wait_s'])}; lâu nhất: {_dur(t['longest_wait_s'])}. "
             f"Tỷ lệ được gọi trong thời gian chờ mục tiêu của dịch vụ: {_pct(t['on_time_rate'])}.", 11)
    doc.ln(1)
    for key, label in (("by_service", "1. Theo dịch vụ"), ("by_counter", "2. Theo quầy"),
                       ("by_officer", "3. Theo công chức")):
        _table(doc, QUEUE_W, QUEUE_HEADS, [_queue_row(x["name"], x) for x in q[key]], 8.5, label)
    _table(doc, QUEUE_W, ("Giờ", *QUEUE_HEADS[1:]), [_queue_row(x["name"], x) for x in q["by_hour"]], 8.5,
           "4. Theo giờ trong ngày (giờ lấy số)")
    targets = q.get("targets_min") or {}
    note = ("Gọi đúng hạn: số được gọi trong thời gian chờ mục tiêu của dịch vụ (mặc định 15 phút"
            + (f"; đặt riêng: {', '.join(f'{k} {v} phút' for k, v in sorted(targets.items()))}" if targets else "")
            + ") trên số đã được gọi và số chờ quá mục tiêu mà chưa được gọi.")
    doc.para(note, 8.5, "I", "L", 4)


def _chart(doc: OfficialDoc, by_agency: dict) -> None:
    """Horizontal bars per agency, on time (green) and late (red), the 15 with most dossiers decided or
    due; the counts written at each bar's end (the figures, not only the colours)."""
    items = sorted(((k, v) for k, v in by_agency.items() if v["finished"] or v["open_overdue"]),
                   key=lambda kv: -(kv[1]["finished"] + kv[1]["open_overdue"]))[:15]
    if not items:
        return
    h = 4.2
    if doc.get_y() + 6 + len(items) * (h + 0.6) + 8 > doc.h - doc.b_margin:  # label, bars, legend together
        doc.add_page()
    doc.para("Biểu đồ: hồ sơ đúng hạn và trễ hạn theo cơ quan", 10.5, "B", "L")
    top = max(v["on_time"] + v["late"] + v["open_overdue"] for _, v in items) or 1
    label_w = 62
    bar_w = doc.width - label_w - 24
    for name, v in items:
        y = doc.get_y()
        doc.set_font("DejaVuSerif", "", 7.5)
        doc.set_xy(doc.l_margin, y)
        doc.cell(label_w, h, name if doc.get_string_width(name) < label_w - 2 else name[:40] + "…")
        x = doc.l_margin + label_w
        on_w = bar_w * v["on_time"] / top
        late_w = bar_w * (v["late"] + v["open_overdue"]) / top
        doc.set_fill_color(46, 139, 87)
        if on_w:
            doc.rect(x, y + 0.7, on_w, h - 1.4, style="F")
        doc.set_fill_color(200, 40, 40)
        if late_w:
            doc.rect(x + on_w, y + 0.7, late_w, h - 1.4, style="F")
        doc.set_xy(x + on_w + late_w + 1, y)
        doc.cell(22, h, f"{v['on_time']} / {v['late'] + v['open_overdue']}")
        doc.set_y(y + h + 0.6)
    y = doc.get_y() + 1
    doc.set_font("DejaVuSerif", "", 7.5)
    for i, (rgb, text) in enumerate((((46, 139, 87), "Đúng hạn"), ((200, 40, 40), "Trễ hạn (số bên phải: đúng hạn / "
                                                                                "trễ hạn)"))):
        x = doc.l_margin + label_w + i * 28
        doc.set_fill_color(*rgb)
        doc.rect(x, y + 0.5, 4, 3, style="F")
        doc.set_xy(x + 5, y)
        doc.cell(60, 4, text)
    doc.set_fill_color(255, 255, 255)  # tables after the chart must not inherit the bar colour
    doc.set_y(y + 6)


DOSSIER_HEADS = ("", "Tiếp nhận", "Đã giải quyết", "Đúng hạn", "Trễ hạn", "Trễ có xin lỗi", "Trễ không xin lỗi",
                 "Tỷ lệ đúng hạn")
DOSSIER_W = (49, 16, 18, 16, 16, 18, 18, 19)


def _dossiers(doc: OfficialDoc, d: dict) -> None:
    doc.section("II. TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH")
    t, ev = d["report"]["total"], d["dossier_events"]
    rate = t["on_time_rate"]
    judged = ("không có hồ sơ giải quyết trong kỳ để đánh giá" if rate is None
              else f"chỉ tiêu ≥ 98%: {'đạt' if rate >= TARGET_ON_TIME else 'chưa đạt'}")
    lines = [
        f"Hồ sơ tiếp nhận trong kỳ: {t['received']}.",
        f"Hồ sơ đã giải quyết: {t['finished']}, trong đó đúng hạn: {t['on_time']}, trễ hạn: {t['late']}; "
        f"đến hạn trong kỳ nhưng chưa giải quyết xong: {t['open_overdue']}.",
        f"Hồ sơ trễ hạn có văn bản xin lỗi: {t['late_with_apology']}; không có: {t['late_without_apology']}.",
        f"Hồ sơ đang giải quyết cuối kỳ: {ev['in_progress_at_end']}.",
        f"Yêu cầu bổ sung, hoàn thiện hồ sơ: {ev['supplement_requests']}; từ chối tiếp nhận tại Bộ phận một cửa: "
        f"{ev['refused_at_intake']}; cơ quan từ chối giải quyết: {ev['refused_by_agency']}; "
        f"dừng giải quyết: {ev['stopped']}; công dân rút hồ sơ: {ev['withdrawn']}.",
    ]
    for line in lines:
        doc.para(f"- {line}", 11)
    doc.para(f"- Tỷ lệ giải quyết đúng hạn: {_pct(rate)} ({judged}).", 11, "B")
    doc.ln(1)
    _chart(doc, d["report"]["by_agency"])
    for key, label in (("by_agency", "1. Theo cơ quan giải quyết"), ("by_field", "2. Theo lĩnh vực"),
                       ("by_officer", "3. Theo công chức tiếp nhận")):
        _table(doc, DOSSIER_W, DOSSIER_HEADS,
               [(name, v["received"], v["finished"], v["on_time"], v["late"] + v["open_overdue"],
                 v["late_with_apology"], v["late_without_apology"], _pct(v["on_time_rate"]))
                for name, v in d["report"][key].items()], 8.5, label)
    late = d["report"].get("late_dossiers") or []
    if not late:
        doc.para("4. Hồ sơ trễ hạn và cơ quan để chậm", 10.5, "B", "L")
        doc.para("Không có hồ sơ trễ hạn trong kỳ.", 10, "I", "L")
    else:
        _table(doc, (44, 50, 50, 26), ("Mã hồ sơ", "Cơ quan chủ trì", "Cơ quan để chậm", "Văn bản xin lỗi"),
               [(x["code"], x["lead_agency"], x["late_agency"], "Có" if x["apology"] else "Không") for x in late], 8.5,
               "4. Hồ sơ trễ hạn và cơ quan để chậm")


SAT_HEADS = ("", "Số lượt", "Hài lòng trở lên", "Tỷ lệ hài lòng")


def _satisfaction(doc: OfficialDoc, sat: dict) -> None:
    doc.section("III. MỨC ĐỘ HÀI LÒNG")
    parts = (("by_officer", "1. Đánh giá tại quầy, theo công chức"),
             ("by_agency", "2. Đánh giá tại quầy, theo cơ quan (hồ sơ gắn với lượt đánh giá; không có hồ sơ: "
                           "Bộ phận một cửa)"),
             ("handling_by_agency", "3. Đánh giá việc giải quyết hồ sơ, theo cơ quan"))
    for key, label in parts:
        rows = sat.get(key) or {}
        _table(doc, (95, 20, 27, 28), SAT_HEADS,
               [(name, v["votes"], v["satisfied"], _pct(v["rate"])) for name, v in rows.items()], 8.5, label)
    reasons = sat.get("reasons") or []
    if not reasons:
        doc.para("4. Lý do chưa hài lòng", 10.5, "B", "L")
        doc.para("Không có ý kiến chưa hài lòng trong kỳ.", 10, "I", "L")
    else:
        _table(doc, (65, 18, 87), ("Lý do", "Số lượt", "Công chức được đánh giá"),
               [(r["label"], r["count"], ", ".join(f"{n} ({c})" for n, c in
                                                   sorted(r["by_officer"].items(), key=lambda x: -x[1])))
                for r in reasons], 8.5, "4. Lý do chưa hài lòng")


def _index766(doc: OfficialDoc, ix: dict) -> None:
    if doc.get_y() > doc.h - doc.b_margin - 80:  # the section, its sentence and its table together
        doc.add_page()
    doc.section("IV. CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP (Quyết định số 766/QĐ-TTg)")
    p = ix["figures"]["progress"]
    doc.para(f"Hồ sơ tiếp nhận hoặc giải quyết trong kỳ: {p['in_scope']} (tiếp nhận trong kỳ {p['received']}, kỳ "
             f"trước chuyển sang {p['carried_over']}); đúng hạn: {p['on_time']}; trễ hạn: {p['late']}.", 11)
    _table(doc, (120, 50), ("Chỉ tiêu", "Giá trị"), [(x["label"], _pct(x["value"])) for x in ix["formulas"]], 9)
    doc.para("Công thức tính của từng chỉ tiêu và các nhóm chỉ số hệ thống không tính được: xem Báo cáo chỉ số 766 "
             "của cùng kỳ.", 8.5, "I", "L", 4)


def _closing(doc: OfficialDoc, d: dict) -> None:
    """Nơi nhận on the left, the signature block on the right, kept together on one page with room under
    the name for the digital signature's block."""
    recipients = d.get("recipients") or ["- Lưu: VT."]
    signer = d.get("signer") or {}
    need = max(8 + 4.6 * len(recipients), 44) + STAMP_MM
    if doc.get_y() + need > doc.h - doc.b_margin:
        doc.add_page()
    doc.ln(6)
    y = doc.get_y()
    left_w, right_w = doc.width * 0.5, doc.width * 0.5
    doc.set_font("DejaVuSerif", "BI", 11)
    doc.set_xy(doc.l_margin, y)
    doc.cell(left_w, 5.5, "Nơi nhận:", **NL)
    doc.set_font("DejaVuSerif", "", 10)
    for line in recipients:
        doc.set_x(doc.l_margin)
        doc.multi_cell(left_w - 4, 4.6, line, align="L", **NL)
    x = doc.l_margin + left_w
    doc.set_xy(x, y)
    doc.set_font("DejaVuSerif", "B", 11.5)
    doc.multi_cell(right_w, 5.5, signer.get("title") or "THỦ TRƯỞNG ĐƠN VỊ", align="C",
                   new_x=XPos.LEFT, new_y=YPos.NEXT)
    doc.set_font("DejaVuSerif", "I", 9.5)
    doc.multi_cell(right_w, 5, "(Ký số)" if d.get("number") else "(Ký, ghi rõ họ tên)", align="C",
                   new_x=XPos.LEFT, new_y=YPos.NEXT)
    doc.set_xy(x, doc.get_y() + 16)
    doc.set_font("DejaVuSerif", "B", 11.5)
    doc.multi_cell(right_w, 5.5, signer.get("name") or "", align="C", **NL)


def period_report(d: dict) -> bytes:
    """The report of a period (hub.ops.reports.period_report) in the official layout."""
    doc = OfficialDoc()
    doc.set_title(f"Báo cáo {d['period_label']}")
    doc.set_author(d.get("unit_name") or "")
    doc.add_page()
    _header(doc, d)
    _title(doc, d)
    _queue(doc, d["queue"])
    _dossiers(doc, d)
    _satisfaction(doc, d.get("satisfaction") or {})
    if d.get("index766"):
        _index766(doc, d["index766"])
    _closing(doc, d)
    return bytes(doc.output())
