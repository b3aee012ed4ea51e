"""PDFs kept for the archive: PDF/A-2B's identification (XMP `pdfaid`), an sRGB output intent, the real
title and the document language (`/Lang vi-VN`) added to a PDF made by fpdf2 or img2pdf (pikepdf).

What this does not do, and why it says "PDF/A-style": the forms are not tagged (no structure tree), and no
PDF/A validator (veraPDF) runs in the tests; fonts are embedded by fpdf2 (DejaVu), which PDF/A requires.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path


def srgb_icc_path() -> str:
    """An sRGB ICC profile on disk (made once per machine by Pillow's littleCMS)."""
    path = Path(tempfile.gettempdir()) / "motcua-srgb.icc"
    if not path.exists():
        from PIL import ImageCms

        data = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        tmp = path.with_suffix(f".{id(data)}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return str(path)


def archival(data: bytes, *, title: str, lang: str = "vi-VN", author: str = "") -> bytes:
    """`data` with PDF/A-2B identification, an sRGB output intent, its title and language."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.Root.Lang = pikepdf.String(lang)
        pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        if "/OutputIntents" not in pdf.Root:
            icc = pikepdf.Stream(pdf, Path(srgb_icc_path()).read_bytes())
            icc.N = 3
            pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
                Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1,
                OutputConditionIdentifier=pikepdf.String("sRGB"), Info=pikepdf.String("sRGB IEC61966-2.1"),
                DestOutputProfile=icc)])
        pdf.docinfo["/Title"] = pikepdf.String(title)
        if author:
            pdf.docinfo["/Author"] = pikepdf.String(author)
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = title
            meta["dc:language"] = [lang]
            meta["pdfaid:part"] = "2"
            meta["pdfaid:conformance"] = "B"
        out = io.BytesIO()
        pdf.save(out, min_version="1.7")
    return out.getvalue()
