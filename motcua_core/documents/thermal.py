"""Forms for the counter's 80 mm thermal printer: the same content as the PDF forms, laid out as one
Pillow raster 576 dots wide (Vietnamese is printed as an image: thermal printers have no code page for
it). The counter hands the image to devicekit.drivers.printer (real: ESC/POS; simulated: PNG)."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from motcua_core.documents.codes import barcode_image, fill, font_file, qr_image, vn_date
from motcua_core.documents.content import (
    apology_values,
    qr_target,
    receipt_lines,
    refusal_lines,
    transfer_lines,
)

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


def _signature(s: Sheet, title: str, name: str) -> None:
    """A signature block: title, the customary '(Ký và ghi rõ họ tên)', blank room, the printed name."""
    s.text(title, 20, True, True)
    s.text("(Ký và ghi rõ họ tên)", 17, False, True)
    s.parts.append(Image.new("L", (WIDTH, 90), 255))
    s.text(name or " ", 20, False, True)


def _dateline(s: Sheet, d: dict, iso: str | None) -> None:
    s.text(vn_date(iso, d.get("place", "")), 18, False, True)


def receipt(d: dict, copy_label: str | None = None) -> Image.Image:
    """The receipt on 80 mm paper (print twice: the unit's copy and the citizen's), the same lines as the
    A4 form, both signatures, the code as barcode and the status link as QR."""
    t, a = d["text"], d["applicant"]
    s = Sheet()
    _head(s, d)
    s.text(t["title"], 26, True, True)
    s.text(f"{fill(t['number'], register_no=d['register_no'])} — ({copy_label or t['copy_citizen']})", 18,
           False, True)
    _dateline(s, d, d.get("received_at"))
    s.image(barcode_image(d["code"], module_width=0.25, height_mm=9, dpi=203))  # 2 dots per module
    s.text(fill(t["code"], code=d["code"]), 26, True, True)
    if d.get("lookup_key"):
        s.text(fill(t["lookup_key"], lookup_key=d["lookup_key"]), 24, True, True)
    for style, text in receipt_lines(d):
        s.text(f"  {text}" if style == "i" else text, {"i": 19, "b": 23, "s": 18}.get(style, 22), style == "b")
    _signature(s, t["sign_left"], a["name"])
    _signature(s, t["sign_right"], d.get("officer") or "")
    c = d.get("complaints") or {}
    if c.get("name") or c.get("phone"):
        s.text(fill(t["complaints"], name=c.get("name", ""), position=c.get("position", ""),
                    phone=c.get("phone", "")), 18)
    s.text(t["note"], 16)
    s.rule()
    s.text("Tra cứu tình trạng hồ sơ:", 19, False, True)
    s.image(qr_image(qr_target(d), box=5), 220)
    if d.get("transfer"):  # the fees by bank transfer (VietQR): any Vietnamese bank app pays it
        s.rule()
        for line in transfer_lines(d):
            s.text(line, 18)
        s.image(qr_image(d["transfer"]["payload"], box=4), 240)
    return s.render()


DOTS_PER_MM = 8  # 203 dpi


def receipt_slip(d: dict) -> Image.Image:
    """The citizen's slip on 80 mm paper, about 10 cm instead of 25: what they need to come back — the code
    (barcode and lookup key), the procedure, the date the result is due and where, the status QR. The
    official receipt, both copies signed, is the A4 form (motcua_core.documents.pdf.receipt)."""
    from motcua_core.documents.codes import vn_datetime

    t, a = d["text"], d["applicant"]
    s = Sheet()
    s.text(d["unit_name"].upper(), 17, True, True)
    s.text(t["title"], 19, True, True)  # 21 px bold ran into the right margin on 80 mm paper
    s.image(barcode_image(d["code"], module_width=0.25, height_mm=7, dpi=203))
    s.text(d["code"], 26, True, True)
    if d.get("lookup_key"):
        s.text(fill(t["lookup_key"], lookup_key=d["lookup_key"]), 20, True, True)
    s.text(f"Số thứ tự: {d['register_no']}", 18, False, True)  # the register's row, as on the A4 form
    s.text(f"{a['name']} · {d['procedure']}", 19)
    s.text(f"Hẹn trả: {vn_datetime(d['due_at'])}", 22, True)
    s.text("Nhận tại quầy" if d["return_method"] == "counter" else f"Gửi qua bưu chính: {d.get('post_address') or ''}",
           18)
    qr = qr_image(qr_target(d), box=4)
    row = Image.new("L", (WIDTH, 150), 255)
    row.paste(qr.convert("L").resize((140, 140), Image.Resampling.NEAREST), (MARGIN, 5))
    note = ImageDraw.Draw(row)
    font = ImageFont.truetype(font_file(bold=False), 17)
    for i, line in enumerate(("Quét mã để tra cứu tình trạng hồ sơ.", "Giấy tiếp nhận chính thức (khổ A4)",
                              "đã được giao cho ông/bà.")):
        note.text((MARGIN + 155, 20 + i * 26), line, font=font, fill=0)
    s.parts.append(row)
    if d.get("transfer"):  # the fees by bank transfer (VietQR), as on the A4 form: any bank app pays it
        s.rule()
        for line in transfer_lines(d):
            s.text(line, 18)
        s.image(qr_image(d["transfer"]["payload"], box=4), 240)
    return s.render()


def guidance(d: dict) -> Image.Image:
    """The supplement request on 80 mm paper: everything missing, in one go."""
    t, a = d["text"], d["applicant"]
    s = Sheet()
    _head(s, d)
    s.text(t["title"], 24, True, True)
    _dateline(s, d, d.get("date"))
    vals = {"applicant_name": a["name"], "procedure": d["procedure"]["name"], "address": a.get("address") or "",
            "phone": a.get("phone") or "", "email": a.get("email") or ""}
    for key in ("applicant", "request", "address", "contact"):
        s.text(fill(t[key], **vals), 21)
    s.text(t["missing"], 22, True)
    for i, m in enumerate(d["missing"], 1):
        s.text(fill(t["missing_item"], i=i, item=m), 21)
    c = d.get("contact") or {}
    s.text(fill(t["help"], contact_name=c.get("name") or ".....", contact_phone=c.get("phone") or "....."), 19)
    _signature(s, t["sign_right"], c.get("name") or "")
    return s.render()


def apology(d: dict) -> Image.Image:
    """The apology with a new date for the citizen at the counter: the agency at fault, its number, the
    date and its head's signature, as on the A4 record."""
    t = d["text"]
    s = Sheet()
    s.text(d["parent_agency"].upper(), 18, True, True)
    s.text(d["agency"].upper(), 18, True, True)
    s.text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc", 17, False, True)
    s.rule()
    s.text(t["title"], 24, True, True)
    s.text(fill(t["number"], number=d["number"]), 19, False, True)
    _dateline(s, d, d.get("date"))
    s.image(barcode_image(d["code"], module_width=0.25, height_mm=9, dpi=203))
    vals = apology_values(d)
    s.text(fill(t["to"], **vals), 22, True)
    s.text(fill(t["code"], **vals), 20)
    for key in ("received", "due", "reason"):
        s.text(fill(t[key], **vals), 20)
    s.text(fill(t["apology"], **vals), 22, True)
    s.text(t["thanks"], 20)
    _signature(s, (d.get("head_title") or t["sign_right"]).upper(), d.get("head_name") or "")
    return s.render()


def refusal(d: dict) -> Image.Image:
    """The refusal sheet on 80 mm paper, every reason listed; the barcode only when a dossier exists."""
    t = d["text"]
    s = Sheet()
    _head(s, d)
    s.text(t["title"], 24, True, True)
    s.text(fill(t["number"], number=d["number"]), 19, False, True)
    _dateline(s, d, d.get("date"))
    if d.get("code"):
        s.image(barcode_image(d["code"], module_width=0.25, height_mm=9, dpi=203))
    for line in refusal_lines(d):
        s.text(line, 21)
    s.text(t["closing"], 20)
    _signature(s, t["sign_right"], d.get("by") or "")
    return s.render()
