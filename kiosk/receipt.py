"""A receipt laid out as an image: wrapped Vietnamese text, rules and a QR code, at the paper's width.

Pure layout with Pillow, no printer: the same image goes to a real printer or to a PNG file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import qrcode
from PIL import Image, ImageDraw, ImageFont

from devicekit.drivers.printer import font_path

MARGIN = 8


@lru_cache(maxsize=64)
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path(bold), size)


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap by measured width; a word longer than a line is cut by characters."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split():
            candidate = f"{line} {word}".strip()
            if font.getlength(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while font.getlength(word) > width:
                cut = len(word)
                while cut > 1 and font.getlength(word[:cut]) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


@dataclass
class Receipt:
    """Blocks stacked top to bottom; `build()` draws them on a white image `width` dots wide."""

    width: int
    blocks: list[tuple] = field(default_factory=list)

    def text(self, text: str, size: int, *, bold: bool = False, align: str = "center", gap: int = 4) -> Receipt:
        self.blocks.append(("text", text, size, bold, align, gap))
        return self

    def rule(self, gap: int = 8) -> Receipt:
        self.blocks.append(("rule", gap))
        return self

    def qr(self, data: str, size: int) -> Receipt:
        self.blocks.append(("qr", data, size))
        return self

    def space(self, height: int) -> Receipt:
        self.blocks.append(("space", height))
        return self

    def _scale(self, size: int) -> int:
        return max(10, round(size * self.width / 576))  # sizes are given for 80 mm paper

    def build(self) -> Image.Image:
        inner = self.width - 2 * MARGIN
        ops: list[tuple] = []
        y = MARGIN
        for block in self.blocks:
            kind = block[0]
            if kind == "text":
                _, text, size, bold, align, gap = block
                font = _font(self._scale(size), bold)
                ascent, descent = font.getmetrics()
                for line in wrap(text, font, inner):
                    ops.append(("text", y, line, font, align))
                    y += ascent + descent
                y += gap
            elif kind == "rule":
                ops.append(("rule", y + block[1]))
                y += 2 * block[1] + 2
            elif kind == "qr":
                img = _qr_image(block[1], min(self._scale(block[2]), inner))
                ops.append(("image", y, img))
                y += img.height + 4
            elif kind == "space":
                y += self._scale(block[1])
        height = y + MARGIN
        image = Image.new("L", (self.width, height), 255)
        draw = ImageDraw.Draw(image)
        for op in ops:
            if op[0] == "text":
                _, ty, line, font, align = op
                w = font.getlength(line)
                x = MARGIN if align == "left" else (self.width - w) / 2
                draw.text((x, ty), line, font=font, fill=0)
            elif op[0] == "rule":
                draw.line((MARGIN, op[1], self.width - MARGIN, op[1]), fill=0, width=2)
            else:
                _, ty, img = op
                image.paste(img, ((self.width - img.width) // 2, ty))
        return image


def _qr_image(data: str, size: int) -> Image.Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=1)
    code.add_data(data)
    code.make(fit=True)
    img = code.make_image(fill_color="black", back_color="white").get_image().convert("L")
    scale = max(1, size // img.width)  # whole-dot modules stay sharp on a thermal head
    return img.resize((img.width * scale, img.height * scale), Image.NEAREST)
