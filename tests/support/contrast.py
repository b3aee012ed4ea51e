"""Text contrast measured on a screenshot: for each widget, its background (the commonest colour in its
box) against its text (the colour, among those covering a real share of the box, farthest from it), by
the WCAG 2 contrast ratio. Rendered pixels, not declared colours: what a citizen actually sees."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from PIL import Image


def _lin(c: float) -> float:
    c /= 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: tuple[float, float, float]) -> float:
    r, g, b = (_lin(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def box_contrast(img: Image.Image, box: tuple[int, int, int, int]) -> float | None:
    """The contrast of the text in `box` (left, top, right, bottom), or None when it holds no text."""
    crop = img.crop(box).convert("RGB")
    pixels = list(crop.getdata())
    if len(pixels) < 50:
        return None
    buckets: dict[tuple[int, int, int], list] = {}
    counts: Counter = Counter()
    for p in pixels:
        key = (p[0] // 12, p[1] // 12, p[2] // 12)
        counts[key] += 1
        buckets.setdefault(key, []).append(p)
    bg_key = counts.most_common(1)[0][0]
    bg = tuple(sum(v[i] for v in buckets[bg_key]) / len(buckets[bg_key]) for i in range(3))
    enough = max(12, int(0.002 * len(pixels)))
    best = None
    for key, n in counts.items():
        if key == bg_key or n < enough:
            continue
        colour = tuple(sum(v[i] for v in buckets[key]) / n for i in range(3))
        r = ratio(bg, colour)
        best = r if best is None or r > best else best
    return best


def low_contrast(png: Path, bounds: dict[str, list[float]], minimum: float = 4.5,
                 skip: tuple[str, ...] = ()) -> dict[str, float]:
    """Widgets (by test id) whose text contrast is under `minimum`."""
    img = Image.open(png)
    height = img.height
    out = {}
    for tid, b in bounds.items():
        if tid == "_window" or tid.startswith(skip) or b[4] <= 0:
            continue
        x, y, w, h = b[:4]
        r = box_contrast(img, (int(x) + 2, int(height - y - h) + 2, int(x + w) - 2, int(height - y) - 2))
        if r is not None and r < minimum:
            out[tid] = round(r, 2)
    return out
