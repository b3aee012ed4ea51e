"""Barcode (Code 128, what counter scanners read) and QR (status page) images for printed forms."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import Image

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu",)


@lru_cache(maxsize=8)
def font_file(bold: bool = False, serif: bool = False, italic: bool = False) -> str:
    """A TrueType font with Vietnamese glyphs (Debian: fonts-dejavu-core; the italic serif, where asked
    and installed, from fonts-dejavu-extra: upright otherwise)."""
    style = ("Bold" if bold else "") + (("Italic" if serif else "Oblique") if italic else "")
    name = ("DejaVuSerif" if serif else "DejaVuSans") + (f"-{style}" if style else "") + ".ttf"
    for d in FONT_DIRS:
        p = Path(d) / name
        if p.exists():
            return str(p)
    if italic:
        return font_file(bold, serif)
    raise FileNotFoundError(f"{name} not found: install the Debian package fonts-dejavu-core")


def barcode_image(code: str, module_width: float = 0.3, height_mm: float = 10, dpi: int = 300) -> Image.Image:
    import barcode
    from barcode.writer import ImageWriter

    return barcode.get("code128", code, writer=ImageWriter()).render(
        {"write_text": False, "module_width": module_width, "module_height": height_mm, "quiet_zone": 2.5,
         "dpi": dpi})


def qr_image(text: str, box: int = 6) -> Image.Image:
    import qrcode

    q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box, border=2)
    q.add_data(text)
    q.make(fit=True)
    return q.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


def vn_datetime(iso: str | None) -> str:
    """'2026-11-23T09:05+07:00' → '09 giờ 05 phút, ngày 23 tháng 11 năm 2026' (the forms' wording)."""
    if not iso:
        return "..... giờ ..... phút, ngày ..... tháng ..... năm ....."
    d, t = iso[:10], iso[11:16]
    return f"{t[:2]} giờ {t[3:5]} phút, ngày {d[8:10]} tháng {d[5:7]} năm {d[:4]}"


def vn_date(iso: str | None, place: str = "") -> str:
    if not iso:
        return f"{place or '.....'}, ngày ..... tháng ..... năm ....."
    return f"{place or '.....'}, ngày {iso[8:10]} tháng {iso[5:7]} năm {iso[:4]}"


class _Blanks(dict):
    """Placeholders an office's wording names but the form does not have print as dots, not crash."""

    def __missing__(self, key: str) -> str:
        return "....."


def fill(template: str, **values: object) -> str:
    """A template line of a form (hub/data/forms/*.json) with its {placeholders} filled."""
    return template.format_map(_Blanks({k: ("" if v is None else v) for k, v in values.items()}))
