"""A document camera's photo → the page alone, upright, flat and legible (OpenCV; pure functions on
numpy arrays, no camera, no files).

Steps: find the sheet (the largest bright four-sided shape), undo the perspective, correct the small
skew left, then even out the lighting (a shadow across the desk) and keep greyscale or black and white.
A page lying sideways is turned to portrait, and an upside-down page is turned round when its text says
so (`upside_down`); a sheet turned by about a quarter either way comes out portrait but may be upside
down when its text is too sparse to tell.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

A4_MM = (210.0, 297.0)
MODES = ("gray", "bw")


class NoPageFound(ValueError):
    """No sheet of paper in the picture: the officer is asked to place the document under the camera."""


@dataclass(frozen=True)
class Page:
    image: np.ndarray  # uint8, one channel
    mode: str  # "gray" | "bw"
    dpi: int
    quad: np.ndarray | None  # the sheet's corners in the photo (tl, tr, br, bl), None for a flatbed scan


def _gray(img: np.ndarray) -> np.ndarray:
    return img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def order_corners(pts: np.ndarray) -> np.ndarray:
    """Four points as top-left, top-right, bottom-right, bottom-left of the photo."""
    pts = pts.reshape(4, 2).astype(np.float32)
    c = pts.mean(axis=0)
    ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])
    pts = pts[np.argsort(ang)]  # clockwise on screen (y down), starting near −180°: the left-most
    # the top-left is the corner with the smallest x + y; rotate the cycle to start there
    start = int(np.argmin(pts.sum(axis=1)))
    return np.roll(pts, -start, axis=0)


def find_page(img: np.ndarray, min_area: float = 0.15) -> np.ndarray:
    """Corners (tl, tr, br, bl) of the sheet: the largest bright region that is near enough a quadrilateral.
    Raises NoPageFound when nothing covers `min_area` of the picture."""
    g = _gray(img)
    scale = 800.0 / max(g.shape)
    small = cv2.resize(g, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else g.copy()
    scale = min(scale, 1.0)
    blur = cv2.GaussianBlur(small, (5, 5), 0)
    # The sheet's outline by its edges, not by brightness: a shadow can darken part of the paper below a
    # global threshold, but the paper's edge against the desk stays sharp.
    edges = cv2.dilate(cv2.Canny(blur, 30, 90), np.ones((3, 3), np.uint8))
    mask = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        raise NoPageFound("no page in the picture")
    best = max(contours, key=lambda c: cv2.contourArea(cv2.convexHull(c)))
    if cv2.contourArea(cv2.convexHull(best)) < min_area * small.shape[0] * small.shape[1]:
        raise NoPageFound("no page in the picture")
    hull = cv2.convexHull(best)
    peri = cv2.arcLength(hull, True)
    quad = None
    for eps in (0.02, 0.03, 0.04, 0.06):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            quad = approx
            break
    if quad is None:  # a dog-ear or a finger on the edge: the smallest rectangle around it
        quad = cv2.boxPoints(cv2.minAreaRect(hull))
    quad = _refine(order_corners(np.asarray(quad, np.float32)), best.reshape(-1, 2).astype(np.float32))
    # the dilated edge lies a pixel or two outside the paper: pull the corners in by that much
    centre = quad.mean(axis=0)
    quad = centre + (quad - centre) * (1 - 2.5 / max(np.ptp(quad, axis=0)))
    return quad / scale


def _refine(quad: np.ndarray, outline: np.ndarray) -> np.ndarray:
    """Corners as the crossings of straight lines fitted to the outline along each side (the polygon's
    own vertices sit a few pixels inside a corner the blur has rounded)."""
    lines = []
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        ab = b - a
        length = float(np.linalg.norm(ab))
        if length < 1:
            return quad
        t = ((outline - a) @ ab) / (length * length)
        rel = outline - a
        dist = np.abs(ab[0] * rel[:, 1] - ab[1] * rel[:, 0]) / length
        near = outline[(t > 0.15) & (t < 0.85) & (dist < max(4.0, 0.02 * length))]
        if len(near) < 5:
            return quad
        vx, vy, x0, y0 = cv2.fitLine(near, cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0]), np.array([vx, vy])))
    out = []
    for i in range(4):  # corner i joins side i-1 and side i
        (p, d), (q, e) = lines[i - 1], lines[i]
        m = np.array([d, -e]).T
        if abs(np.linalg.det(m)) < 1e-6:
            return quad
        t = np.linalg.solve(m, q - p)[0]
        out.append(p + t * d)
    refined = np.array(out, np.float32)
    return refined if np.abs(refined - quad).max() < 0.05 * max(np.ptp(quad, axis=0)) else quad


def rectify(img: np.ndarray, quad: np.ndarray, dpi: int, paper_mm: tuple[float, float] = A4_MM) -> np.ndarray:
    """The sheet seen from straight above. A sheet whose measured proportions are near `paper_mm`
    gets exactly that size at `dpi`; a landscape sheet is turned a quarter so the page is portrait."""
    tl, tr, br, bl = quad
    w = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    h = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    if w > h:  # lying sideways: start the page at the corner that makes it portrait (top = left edge)
        tl, tr, br, bl = bl, tl, tr, br
        w, h = h, w
    ratio = h / w
    pw, ph = paper_mm
    if abs(ratio - ph / pw) < 0.12:
        out_w, out_h = round(pw / 25.4 * dpi), round(ph / 25.4 * dpi)
    else:  # another size (a card, a certificate): keep its proportions, width as A4's at this dpi
        out_w = round(pw / 25.4 * dpi)
        out_h = round(out_w * ratio)
    dst = np.array([[0, 0], [out_w - 1, 0], [out_w - 1, out_h - 1], [0, out_h - 1]], np.float32)
    m = cv2.getPerspectiveTransform(np.array([tl, tr, br, bl], np.float32), dst)
    return cv2.warpPerspective(img, m, (out_w, out_h), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)


def skew_angle(gray: np.ndarray, limit: float = 5.0) -> float:
    """The small rotation (degrees, counter-clockwise, as `rotate` takes it) that makes the text lines
    horizontal: the angle whose row profile of ink is sharpest (lines and gaps clearly apart), searched
    coarse then fine within ±`limit`."""
    small = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    ink = (small < 128).astype(np.float32)
    if ink.sum() < 50:
        return 0.0
    h, w = ink.shape
    centre = (w / 2, h / 2)

    def score(a: float) -> float:
        m = cv2.getRotationMatrix2D(centre, a, 1.0)
        rot = cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_NEAREST)
        rows = rot.sum(axis=1)
        return float(np.square(np.diff(rows)).sum())

    best = max(np.arange(-limit, limit + 0.01, 0.5), key=score)
    fine = max(np.arange(best - 0.5, best + 0.51, 0.1), key=score)
    return float(fine)


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def clean(gray: np.ndarray, mode: str = "bw") -> np.ndarray:
    """Even out the light (divide by the paper's own brightness, estimated without the ink), then keep
    greyscale with a white background, or black and white (Otsu on the evened page)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    # the paper's brightness varies slowly: estimate it at a quarter of the size (16 times less work)
    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    k = max(5, (min(small.shape) // 40) | 1)
    background = cv2.medianBlur(cv2.dilate(small, np.ones((3, 3), np.uint8)), k)
    background = cv2.resize(background, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    even = cv2.divide(gray, background, scale=255)
    if mode == "gray":
        # stretch: paper to white, ink kept dark
        lo = float(np.percentile(even, 1))
        out = np.clip((even.astype(np.float32) - lo) * (255.0 / max(250.0 - lo, 1.0)), 0, 255)
        return out.astype(np.uint8)
    _, bw = cv2.threshold(even, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return bw


def erase_edges(page: np.ndarray, fraction: float = 0.01) -> np.ndarray:
    """White over a thin band at the edges (a scanner's edge erase): the desk a corner's pixel of error
    leaves, never text (forms keep margins of 15 mm and more)."""
    out = page.copy()
    m = max(1, round(fraction * min(page.shape[:2])))
    out[:m, :], out[-m:, :], out[:, :m], out[:, -m:] = 255, 255, 255, 255
    return out


def upside_down(page: np.ndarray) -> bool:
    """Is the text upside down? In each text line, Vietnamese puts far more ink above the body of the
    letters (capitals, ascenders and the tone and vowel marks) than below it (g, p, q, y): a page whose
    lines carry clearly more ink below than above is upside down. Undecided (few lines, no clear
    difference) means no."""
    ink = (page < 128).astype(np.float32)
    rows = ink.sum(axis=1)
    inline = rows > max(2.0, 0.01 * page.shape[1])
    above = below = 0.0
    lines = 0
    i, h = 0, len(rows)
    while i < h:
        if not inline[i]:
            i += 1
            continue
        j = i
        while j < h and inline[j]:
            j += 1
        prof = rows[i:j]
        if 8 <= j - i <= 200:  # a line of text, not a rule or a box
            core = np.flatnonzero(prof > 0.5 * prof.max())
            above += float(prof[:core[0]].sum())
            below += float(prof[core[-1] + 1:].sum())
            lines += 1
        i = j
    return lines >= 3 and below > 1.6 * above


def _upright(flat: np.ndarray) -> np.ndarray:
    """Turned round when upside down (judged at about 100 dpi: enough for lines of text, and quick)."""
    f = min(1.0, 1200.0 / max(flat.shape))
    small = cv2.resize(flat, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else flat
    return flat[::-1, ::-1].copy() if upside_down(clean(small, "bw")) else flat


def process_photo(img: np.ndarray, *, mode: str = "bw", dpi: int = 200) -> Page:
    """One photographed sheet → one clean page (see the module's steps)."""
    quad = find_page(img)
    flat = _gray(rectify(img, quad, dpi))
    flat = _upright(rotate(flat, skew_angle(flat)))
    return Page(erase_edges(clean(flat, mode)), mode, dpi, quad)


def process_scan(img: np.ndarray, *, mode: str = "bw", dpi: int = 200) -> Page:
    """A flatbed/feeder page (already flat and cropped by the scanner): deskew, turn upright, clean."""
    g = _gray(img)
    return Page(clean(_upright(rotate(g, skew_angle(g))), mode), mode, dpi, None)
