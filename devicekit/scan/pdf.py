"""The pages of one document → one PDF.

img2pdf puts each page in as the image it already is (JPEG for greyscale, CCITT Group 4 for black and
white: no re-encoding, so it is fast and small — about 30–60 KB for a B/W A4 page at 200 dpi, well under
the 300 KB a page may take) and declares each page's real size from its dpi; motcua_core.archive makes
it PDF/A-2b (identification, sRGB output intent, title, language /Lang vi-VN). OCR is not done here: it
is slow on a Raspberry Pi class terminal; the hub adds the text layer after the upload (hub.ops.ocr).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np

from devicekit.scan.pipeline import Page
from motcua_core import archive
from motcua_core import clock as wallclock

JPEG_QUALITY = 60


def encode_page(page: Page) -> bytes:
    """One page as the image bytes img2pdf embeds unchanged."""
    from PIL import Image

    im = Image.fromarray(np.ascontiguousarray(page.image))
    buf = io.BytesIO()
    if page.mode == "bw":
        im.convert("1").save(buf, format="TIFF", compression="group4", dpi=(page.dpi, page.dpi))
    else:
        im.save(buf, format="JPEG", quality=JPEG_QUALITY, optimize=True, dpi=(page.dpi, page.dpi))
    return buf.getvalue()


def pages_to_pdf(pages: Sequence[Page], *, title: str, author: str = "", now: datetime | None = None) -> bytes:
    """A PDF/A-2b document of `pages`, titled `title` (the document's name in the checklist), in
    Vietnamese. `now` is the creation date written in it (tests pass a fixed one)."""
    import img2pdf

    if not pages:
        raise ValueError("a document needs at least one page")
    when = now or wallclock.now(UTC)
    raw = img2pdf.convert([encode_page(p) for p in pages], title=title, author=author or None,
                          creator="motcua", producer="motcua (img2pdf, pikepdf)", creationdate=when,
                          moddate=when, with_pdfrw=False)
    return archive.archival(raw, title=title, author=author, conformance="B")
