"""PDFs kept for the archive (Decree 118/2025 Art. 22(6)) made PDF/A-2: the identification in XMP
(`pdfaid`), XMP and the document information agreeing, an sRGB output intent, the real title and the
document language (`/Lang vi-VN`), every font embedded (fpdf2 embeds DejaVu) with a Unicode mapping for
each glyph used. Applied to what fpdf2 (forms, receipts, notices) and img2pdf (scans) produce.

Conformance claimed: `A` (PDF/A-2a: tagged — motcua_core.documents.tagging — and mapped to Unicode) for
the forms the hub issues, `U` (PDF/A-2u: text that maps to Unicode, so it can be searched) for the scans'
OCR copies, `B` (PDF/A-2b) for image-only scans. The tests check every kind of document with an
independent validator (tests/support/pdfa.py, docs/dossiers.md).

Signatures are added afterwards as incremental updates (motcua_core.signing), which PDF/A-2 allows.
"""

from __future__ import annotations

import io
import re
import zlib
from pathlib import Path

# ICC v2 sRGB profiles from Debian packages (icc-profiles-free, then Ghostscript's); Pillow's littleCMS
# makes a v4 one as a last resort, which PDF/A-2 also accepts.
ICC_PROFILES = ("/usr/share/color/icc/sRGB.icc", "/usr/share/color/icc/ghostscript/srgb.icc")
_icc: bytes | None = None


def srgb_icc() -> bytes:
    """The bytes of an sRGB ICC profile for the output intent."""
    global _icc
    if _icc is None:
        for p in ICC_PROFILES:
            if Path(p).is_file():
                _icc = Path(p).read_bytes()
                break
        else:
            from PIL import ImageCms

            _icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return _icc


_BAD_UNICODE = re.compile(rb"^<[0-9A-Fa-f]+>\s*<(0000|FEFF|FFFE)>\s*$", re.I | re.M)


def _fix_to_unicode(pdf) -> None:
    """fpdf2 maps glyph 0 (.notdef, never drawn) to U+0000, which PDF/A-2u forbids: drop that entry."""
    import pikepdf

    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != pikepdf.Name.Font or "/ToUnicode" not in obj:
            continue
        cmap = obj.ToUnicode.read_bytes()
        fixed, n = _BAD_UNICODE.subn(b"", cmap)
        if not n:
            continue

        def recount(m: re.Match) -> bytes:
            entries = len(re.findall(rb"^<[0-9A-Fa-f]+>\s*<", m.group(2), re.M))
            return str(entries).encode() + b" beginbfchar" + m.group(2) + b"endbfchar"

        fixed = re.sub(rb"(\d+) beginbfchar(.*?)endbfchar", recount, fixed, flags=re.S)
        obj.ToUnicode.write(fixed)


def _no_cr_before_endstream(pdf) -> None:
    """A stream whose data ends in a carriage return reads, to a PDF/A validator, as one byte shorter
    than its /Length (CR + the writer's LF look like the end-of-line before `endstream`): about one
    compressed stream in 256. Each such Flate stream is compressed again at another level (same content,
    other bytes) until its last byte is not CR."""
    import zlib

    import pikepdf

    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream) or obj.read_raw_bytes()[-1:] != b"\r":
            continue
        if obj.get("/Filter") not in (None, pikepdf.Name.FlateDecode) or "/DecodeParms" in obj:
            raise ValueError(f"stream {obj.objgen} ends in CR and is not plain Flate: cannot make it PDF/A")
        decoded = obj.read_bytes()  # (an uncompressed one is compressed)
        for level in (9, 8, 7, 6, 5, 4, 3, 2, 1, 0):
            raw = zlib.compress(decoded, level)
            if raw[-1:] != b"\r":
                obj.write(raw, filter=pikepdf.Name.FlateDecode)
                break


def unicode_clean(data: bytes) -> bytes:
    """`data` (an fpdf2 PDF) with every glyph's Unicode mapping acceptable to PDF/A-2u; for pieces that
    end up inside an archived document, such as a signature's visible block."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        _fix_to_unicode(pdf)
        _no_cr_before_endstream(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=False)
    return out.getvalue()


def archival(data: bytes, *, title: str, lang: str = "vi-VN", author: str = "", conformance: str = "U") -> bytes:
    """`data` as PDF/A-2 (`conformance` "A", "U" or "B"): identified, with its title, author and language,
    an sRGB output intent and XMP matching the document information. "A" only for a tagged document."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        if conformance == "A" and "/StructTreeRoot" not in pdf.Root:
            raise ValueError("PDF/A-2a needs a tagged document (a structure tree)")
        pdf.Root.Lang = pikepdf.String(lang)
        pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        icc = pikepdf.Stream(pdf, zlib.compress(srgb_icc(), 9))
        icc.Filter = pikepdf.Name.FlateDecode
        icc.N = 3
        pdf.Root.OutputIntents = pikepdf.Array([pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1,
            OutputConditionIdentifier=pikepdf.String("sRGB IEC61966-2.1"), Info=pikepdf.String("sRGB IEC61966-2.1"),
            RegistryName=pikepdf.String("http://www.color.org"), DestOutputProfile=icc))])
        _fix_to_unicode(pdf)
        pdf.docinfo["/Title"] = pikepdf.String(title)
        if author:
            pdf.docinfo["/Author"] = pikepdf.String(author)
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta.load_from_docinfo(pdf.docinfo)
            meta["dc:title"] = title
            meta["dc:language"] = [lang]
            meta["pdfaid:part"] = "2"
            meta["pdfaid:conformance"] = conformance
        _no_cr_before_endstream(pdf)
        # Streams written as they are now (compressing at save could end one in CR), and no object or
        # cross-reference streams: qpdf compresses those at save, and one ending in CR failed a copy's
        # PDF/A check about once in a few hundred (OCRmyPDF's output has them); a classic xref table
        # has no stream to end so, and pyHanko's signature then appends a table too.
        out = io.BytesIO()
        pdf.save(out, min_version="1.7", deterministic_id=True, compress_streams=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue()


def claimed(data: bytes) -> str | None:
    """The PDF/A level a file claims in its XMP ("2B", "2U", …), or None."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        meta = pdf.open_metadata()
        part, conf = meta.get("pdfaid:part"), meta.get("pdfaid:conformance")
    return f"{part}{conf or ''}".upper() if part else None
