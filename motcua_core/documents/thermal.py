"""Forms for the counter's 80 mm thermal printer: the same content as the PDF forms, laid out as one
Pillow raster 576 dots wide (Vietnamese is printed as an image: thermal printers have no code page for
it). The counter hands the image to devicekit.drivers.printer (real: ESC/POS; simulated: PNG)."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from motcua_core.documents.codes import barcode_image, font_file, qr_image, vn_datetime

WIDTH = 576
MARGIN = 12


class Sheet:
    def __init__(self) -> None:
        self.parts: list[Image.Image] = []

    def _font(self, size: int, bold: bool) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(font_file(bold=bold), size)

    def text(self, text: str, size: int = 22, bold: bool = False, center: bool = False) -> None:
        font = self._font(size, bold)
        lines: list[str] = []
        for para in text.split("\n"):
            words, cur = para.split(), ""
            for w in words:
                trial = f"{cur} {w}".strip()
                if font.getlength(trial) <= WIDTH - 2 * MARGIN:
                    cur = trial
                else:
                    if cur:
                        lines.append(cur)
                    cur = w
            lines.append(cur)
        h = int(size * 1.3)
        img = Image.new("L", (WIDTH, h * len(lines) + 4), 255)
        d = ImageDraw.Draw(img)
        for i, line in enumerate(lines):
            x = (WIDTH - font.getlength(line)) / 2 if center else MARGIN
            d.text((x, i * h + 2), line, font=font, fill=0)
        self.parts.append(img)

    def rule(self) -> None:
        img = Image.new("L", (WIDTH, 12), 255)
        ImageDraw.Draw(img).line([(MARGIN, 6), (WIDTH - MARGIN, 6)], fill=0, width=2)
        self.parts.append(img)

    def image(self, im: Image.Image, width: int | None = None) -> None:
        """Centre an image; width=None keeps its pixels (a barcode must keep whole-dot modules)."""
        im = im.convert("L")
        if width is not None:
            im = im.resize((width, int(im.height * width / im.width)), Image.Resampling.NEAREST)
        canvas = Image.new("L", (WIDTH, im.height + 8), 255)
        canvas.paste(im, ((WIDTH - im.width) // 2, 4))
        self.parts.append(canvas)

    def render(self) -> Image.Image:
        h = sum(p.height for p in self.parts) + 40
        out = Image.new("L", (WIDTH, h), 255)
        y = 10
        for p in self.parts:
            out.paste(p, (0, y))
            y += p.height
        return out.convert("1", dither=Image.Dither.NONE)


def _head(s: Sheet, d: dict) -> None:
    s.text(d["parent_agency"].upper(), 18, True, True)
    s.text(d["unit_name"].upper(), 18, True, True)
    s.text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc", 17, False, True)
    s.rule()


def receipt(d: dict, copy_label: str = "Liên 2: Giao khách hàng") -> Image.Image:
    """Form 03 on 80 mm paper (print twice: the unit's copy and the citizen's)."""
    s = Sheet()
    a = d["applicant"]
    _head(s, d)
    s.text("GIẤY TIẾP NHẬN HỒ SƠ\nVÀ HẸN TRẢ KẾT QUẢ", 26, True, True)
    s.text(f"Số: {d['register_no']}/TNHS — ({copy_label})", 18, False, True)
    s.image(barcode_image(d["code"], module_width=0.25, height_mm=9, dpi=203))  # 2 dots per module
    s.text(f"Mã hồ sơ: {d['code']}", 26, True, True)
    if d.get("lookup_key"):
        s.text(f"Mã tra cứu: {d['lookup_key']}", 24, True, True)
    s.text(f"Tiếp nhận hồ sơ của: {a['name']}")
    if a.get("address"):
        s.text(f"Địa chỉ: {a['address']}")
    s.text(f"Số điện thoại: {a.get('phone') or ''}  Email: {a.get('email') or ''}", 20)
    s.text(f"Nội dung yêu cầu giải quyết: {d['procedure']}")
    s.text("1. Thành phần hồ sơ nộp gồm:")
    for i, item in enumerate(d["documents"], 1):
        s.text(f"  {i}) {item['name']} ({item.get('copies', 1)} bản)", 19)
    s.text(f"2. Số lượng hồ sơ: {d['sets']} (bộ)")
    limit = (f"{d['processing_hours']:g} giờ làm việc" if d.get("processing_hours") is not None
             else f"{d['processing_days']:g} ngày làm việc")
    s.text(f"3. Thời gian giải quyết theo quy định: {limit}")
    s.text(f"4. Thời gian nhận hồ sơ: {vn_datetime(d['received_at'])}")
    s.text(f"5. Thời gian trả kết quả: {vn_datetime(d['due_at'])}", 23, True)
    where = "Bộ phận tiếp nhận và trả kết quả" if d["return_method"] == "counter" else \
        f"qua bưu chính công ích: {d.get('post_address')}"
    s.text(f"6. Đăng ký nhận kết quả tại: {where}")
    s.text(f"Vào Sổ theo dõi hồ sơ, Quyển số: {d['received_at'][:4]}, Số thứ tự: {d['register_no']}", 19)
    s.text(f"Người tiếp nhận: {d.get('officer') or ''}", 20)
    c = d.get("complaints") or {}
    if c.get("name") or c.get("phone"):
        s.text(f"Phản ánh, kiến nghị: {c.get('name', '')} – {c.get('position', '')}, ĐT {c.get('phone', '')}", 18)
    s.rule()
    s.text("Tra cứu tình trạng hồ sơ:", 19, False, True)
    s.image(qr_image(d["status_url"], box=5), 220)
    return s.render()


def guidance(d: dict) -> Image.Image:
    """Form 01 on 80 mm paper: everything missing, in one go."""
    s = Sheet()
    a = d["applicant"]
    _head(s, d)
    s.text("PHIẾU HƯỚNG DẪN\nHOÀN THIỆN HỒ SƠ", 26, True, True)
    s.text(f"Hồ sơ của: {a['name']}")
    s.text(f"Nội dung yêu cầu giải quyết: {d['procedure']['name']}")
    if a.get("address"):
        s.text(f"Địa chỉ: {a['address']}")
    s.text(f"Số điện thoại: {a.get('phone') or ''}  Email: {a.get('email') or ''}", 20)
    s.text("Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:", 22, True)
    for i, m in enumerate(d["missing"], 1):
        s.text(f"{i}. Bổ sung: {m}", 21)
    c = d.get("contact") or {}
    s.text(f"Nếu có vướng mắc, ông (bà) liên hệ {c.get('name') or '.....'}, số điện thoại "
           f"{c.get('phone') or '.....'} để được hướng dẫn./.", 19)
    s.text(f"NGƯỜI HƯỚNG DẪN\n{c.get('name') or ''}", 20, True, True)
    return s.render()


def apology(d: dict) -> Image.Image:
    """The apology with a new date, for a citizen at the counter (the signed A4 PDF is the record)."""
    s = Sheet()
    a = d["applicant"]
    _head(s, d)
    s.text("PHIẾU XIN LỖI VÀ HẸN LẠI\nNGÀY TRẢ KẾT QUẢ", 26, True, True)
    s.text(f"Kính gửi: Ông (bà) {a['name']}", 22, True)
    s.text(f"Mã hồ sơ: {d['code']} — {d['procedure']}")
    s.text(f"Hẹn trả kết quả: {vn_datetime(d['due_at'])}")
    s.text(f"Lý do chậm: {d['reason']}")
    s.text(f"Xin lỗi ông (bà); kết quả sẽ được trả vào {vn_datetime(d['new_due_at'])}.", 23, True)
    s.text("Xin trân trọng cảm ơn sự hợp tác của Ông (bà)./.", 20)
    return s.render()
