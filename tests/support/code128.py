"""Read a Code 128 barcode from a printed image, as a counter's scanner would: one scan line across the
bars, widths in modules, symbols looked up in the Code 128 table. Tests use it to prove the printed
receipt carries a readable dossier code (OpenCV's detector does not read Code 128)."""

from __future__ import annotations

from PIL import Image

# Code 128 bar/space widths (modules) of symbol values 0..106, from the standard.
_PATTERNS = (  # noqa: SIM905 (a table reads better as one string)
    "212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212 112232 122132 "
    "122231 113222 123122 123221 223211 221132 221231 213212 223112 312131 311222 321122 321221 312212 "
    "322112 322211 212123 212321 232121 111323 131123 131321 112313 132113 132311 211313 231113 231311 "
    "112133 112331 132131 113123 113321 133121 313121 211331 231131 213113 213311 213131 311123 311321 "
    "331121 312113 312311 332111 314111 221411 431111 111224 111422 121124 121421 141122 141221 112214 "
    "112412 122114 122411 142112 142211 241211 221114 413111 241112 134111 111242 121142 121241 114212 "
    "124112 124211 411212 421112 421211 212141 214121 412121 111143 111341 131141 114113 114311 411113 "
    "411311 113141 114131 311141 411131 211412 211214 211232 2331112"
).split()
_LOOKUP = {p[:6]: v for v, p in enumerate(_PATTERNS)}


def _runs(row: list[int]) -> list[int]:
    out, cur, n = [], row[0], 0
    for px in row:
        if px == cur:
            n += 1
        else:
            out.append(n)
            cur, n = px, 1
    out.append(n)
    return out


def read(image: Image.Image) -> str | None:
    """The text of the first Code 128 barcode (code sets B and C) found on any scan line, or None."""
    im = image.convert("L")
    w, h = im.size
    px = im.load()
    for y in range(0, h, 3):
        row = [1 if px[x, y] < 128 else 0 for x in range(w)]
        if sum(row) < 30:
            continue
        for segment in _segments(row):
            text = _symbols(_runs(segment))
            if text is not None:
                return text
    return None


def _segments(row: list[int], gap: int = 24) -> list[list[int]]:
    """Black-started stretches of a scan line separated by wide white gaps (a barcode's quiet zone keeps
    it apart from a QR code or text on the same line)."""
    out, start, white = [], None, 0
    for x, v in enumerate(row):
        if v:
            if start is None:
                start = x
            white = 0
        elif start is not None:
            white += 1
            if white >= gap:
                out.append(row[start:x - white + 1])
                start, white = None, 0
    if start is not None:
        out.append(row[start:len(row) - white])
    return out


def _symbols(runs: list[int]) -> str | None:
    if len(runs) < 19 or (len(runs) - 7) % 6:
        return None
    values = []
    for i in range(0, len(runs) - 7, 6):
        sym = runs[i:i + 6]
        module = sum(sym) / 11  # every symbol is 11 modules wide: measure each on its own
        values.append(_LOOKUP.get("".join(str(max(1, min(4, round(r / module)))) for r in sym)))
    if None in values or values[0] not in (104, 105):  # Start B / Start C
        return None
    data, check = values[1:-1], values[-1]
    if (values[0] + sum(v * (i + 1) for i, v in enumerate(data))) % 103 != check:
        return None
    return _decode(values[0], data)


def _decode(start: int, data: list[int]) -> str:
    """Code sets B (text) and C (digit pairs), switching with codes 99 (to C) and 100 (to B)."""
    out, mode = [], "B" if start == 104 else "C"
    for v in data:
        if mode == "B":
            if v == 99:
                mode = "C"
            else:
                out.append(chr(v + 32))
        elif v == 100:
            mode = "B"
        else:
            out.append(f"{v:02d}")
    return "".join(out)
