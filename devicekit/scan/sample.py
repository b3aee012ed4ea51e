"""Pictures of paper for tests, the benchmark and the demo's camera stand-in: a rendered Vietnamese form,
and that form "photographed" on a desk — turned, in perspective, with a shadow and sensor noise."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
TITLE = "TỜ KHAI ĐĂNG KÝ KHAI SINH"


def _font(size: int, bold: bool = False) -> ImageFont.ImageFont:
    name = "DejaVuSerif-Bold.ttf" if bold else "DejaVuSerif.ttf"
    try:
        return ImageFont.truetype(str(FONT_DIR / name), size)
    except OSError:
        return ImageFont.load_default(size)


def render_form(title: str = TITLE, dpi: int = 100, page: int = 1) -> np.ndarray:
    """An A4 form page (greyscale) with the national heading, a title and filled-in lines."""
    w, h = round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)
    im = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(im)
    s = dpi / 100

    def centre(y: float, text: str, size: int, bold: bool = False) -> None:
        f = _font(round(size * s), bold)
        tw = d.textlength(text, font=f)
        d.text(((w - tw) / 2, y * s), text, font=f, fill=0)

    centre(40, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 15, True)
    centre(62, "Độc lập - Tự do - Hạnh phúc", 14, True)
    d.line((w * 0.36, 84 * s, w * 0.64, 84 * s), fill=0, width=max(1, round(s)))
    centre(130, title, 22, True)
    body = _font(round(13 * s))
    lines = ["Kính gửi: Ủy ban nhân dân xã Hòa An", "Họ, chữ đệm, tên người yêu cầu: Nguyễn Thị Hồng Nhung",
             "Nơi cư trú: thôn Phú Mỹ, xã Hòa An, tỉnh Đắk Lắk", "Giấy tờ tùy thân: CCCD số 066190001234",
             "Quan hệ với người được khai sinh: mẹ", "Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:",
             "Họ, chữ đệm, tên: Trần Minh Khang", "Ngày, tháng, năm sinh: 12/03/2026",
             "Giới tính: Nam     Dân tộc: Kinh     Quốc tịch: Việt Nam",
             "Nơi sinh: Trạm Y tế xã Hòa An", f"Trang {page}"]
    for i, text in enumerate(lines):
        d.text((70 * s, (190 + 34 * i) * s), text, font=body, fill=0)
    d.rectangle((70 * s, 600 * s, w - 70 * s, 760 * s), outline=0, width=max(1, round(2 * s)))
    d.text((w - 330 * s, 800 * s), "Hòa An, ngày 20 tháng 3 năm 2026", font=body, fill=0)
    d.text((w - 280 * s, 830 * s), "NGƯỜI YÊU CẦU", font=_font(round(13 * s), True), fill=0)
    return np.asarray(im)


def photograph(page: np.ndarray, *, angle: float = 12.0, tilt: float = 0.08, shadow: bool = True,
               size: tuple[int, int] = (1600, 1200), seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """`page` lying on a dark desk under a camera: turned by `angle` degrees, seen in perspective
    (`tilt`: how much narrower the far edge looks), a soft shadow across it, noise and a little blur.
    Returns the colour photo (BGR) and where the page's corners landed (tl, tr, br, bl)."""
    rng = np.random.default_rng(seed)
    W, H = size
    ph, pw = page.shape[:2]
    scale = 0.8 * H / ph
    cw, ch = pw * scale, ph * scale
    corners = np.array([[-cw / 2, -ch / 2], [cw / 2, -ch / 2], [cw / 2, ch / 2], [-cw / 2, ch / 2]])
    corners[0, 0] += tilt * cw / 2  # the top edge is further from the camera: narrower
    corners[1, 0] -= tilt * cw / 2
    a = np.deg2rad(angle)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    dst = (corners @ rot.T + [W / 2, H / 2]).astype(np.float32)
    src = np.array([[0, 0], [pw - 1, 0], [pw - 1, ph - 1], [0, ph - 1]], np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    desk = np.full((H, W, 3), (58, 72, 92), np.float32) + rng.normal(0, 6, (H, W, 1))
    paper = cv2.cvtColor(page, cv2.COLOR_GRAY2BGR).astype(np.float32) * np.array([0.97, 0.99, 1.0])
    warped = cv2.warpPerspective(paper, m, (W, H), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.ones((ph, pw), np.float32), m, (W, H), flags=cv2.INTER_AREA)[..., None]
    img = desk * (1 - mask) + warped * mask
    if shadow:  # a soft diagonal shadow (the officer's arm, the camera stand) darkening a third of it
        yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
        ramp = np.clip((xx / W + yy / H - 1.1) * 4, 0, 1)
        img *= (1 - 0.45 * ramp)[..., None]
    img += rng.normal(0, 4, img.shape)
    img = cv2.GaussianBlur(np.clip(img, 0, 255).astype(np.uint8), (3, 3), 0)
    return img, dst


def document_photos(folder: Path, pages: int = 2, title: str = TITLE, seed: int = 1) -> list[Path]:
    """Write `pages` photographed pages of one form to `folder` (the camera stand-in replays them)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(pages):
        photo, _ = photograph(render_form(title, page=i + 1), angle=(-1) ** i * (8 + 5 * i), seed=seed + i)
        p = folder / f"trang-{i + 1:02d}.jpg"
        cv2.imwrite(str(p), photo, [cv2.IMWRITE_JPEG_QUALITY, 90])
        out.append(p)
    return out
