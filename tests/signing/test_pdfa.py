"""Documents kept for the archive are PDF/A-2, checked by an independent validator (tests/support/pdfa.py):
a scan is PDF/A-2b, a form the hub issues PDF/A-2a (its text maps to Unicode), each with its title, the
language vi-VN, XMP, embedded fonts and an sRGB output intent, a form tagged PDF/A-2a (headings, paragraphs,
tables, pictures with alternative text); signing (an incremental update) keeps them
conformant, and pyHanko and poppler's pdfsig still validate the signature. A document missing what PDF/A
requires is refused by the same validator, so the check is not a formality."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from devicekit.scan import pdf, pipeline, sample
from hub.domain import forms, refusals
from motcua_core import archive, signing
from motcua_core.documents import pdf as renderers
from tests.support import pdfa
from tests.support import pki as test_pki

pytest.importorskip("page")


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return test_pki.make(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def rsa_officer(ca):
    """An officer's RSA certificate, as the licensed CAs put on their tokens."""
    holder = test_pki.pki.issue(ca.ca, "Nguyễn Thị Lan", "Trung tâm PVHCC xã Hòa An", use_rsa=True)
    return signing.pkcs12_signer(ca.p12(holder, "rsa-officer"), b"matkhau")


def _scan() -> bytes:
    photo, _ = sample.photograph(sample.render_form(), angle=-6, seed=3)
    return pdf.pages_to_pdf([pipeline.process_photo(photo, dpi=150)], title="Tờ khai đăng ký khai sinh")


def _refusal_sheet() -> bytes:
    head = {"unit_name": "Bộ phận Tiếp nhận và Trả kết quả xã Hòa An", "parent_agency": "Ủy ban nhân dân xã Hòa An",
            "place": "Hòa An", "text": forms.default("refusal")}
    d = refusals.sheet(head, number=4, date="2026-11-25", applicant={"name": "Trần Thị Bình"},
                       procedure="Cấp hộ chiếu phổ thông", agency=head["unit_name"],
                       reasons=["Thủ tục không thuộc thẩm quyền của xã"], by="Nguyễn Thị Lan")
    return archive.archival(renderers.refusal({**d, "code": "HOAAN-261125-0001"}),
                            title="Phiếu từ chối tiếp nhận giải quyết hồ sơ – HOAAN-261125-0001",
                            author="Bộ phận Tiếp nhận và Trả kết quả xã Hòa An", conformance="A")


def _pdfsig(data: bytes, tmp: Path) -> list[str]:
    if shutil.which("pdfsig") is None:
        pytest.skip("poppler-utils not installed")
    f = tmp / "x.pdf"
    f.write_bytes(data)
    out = subprocess.run(["pdfsig", str(f)], capture_output=True, text=True, timeout=60).stdout
    return re.findall(r"Signature Validation: (.+)", out)


def _described(data: bytes) -> dict:
    with pikepdf.open(io.BytesIO(data)) as p:
        meta = p.open_metadata()
        fonts = [f for page in p.pages for f in (page.Resources.get("/Font") or {}).values()]
        return {"title": meta.get("dc:title"), "lang": str(p.Root.Lang), "xmp_lang": meta.get("dc:language"),
                "intent": str(p.Root.OutputIntents[0].OutputConditionIdentifier),
                "icc": len(p.Root.OutputIntents[0].DestOutputProfile.read_bytes()),
                "fonts_embedded": all("/FontFile2" in (f.get("/DescendantFonts") or [f])[0].FontDescriptor
                                      for f in fonts),
                "version": str(p.Root.get("/Version", p.pdf_version))}


def test_a_scan_is_pdfa_2b_signed_or_not(ca, rsa_officer, tmp_path: Path) -> None:
    doc = _scan()
    assert archive.claimed(doc) == "2B" and pdfa.profile_of(doc) == "PDF_A_2B"
    assert pdfa.failures(doc) == []
    d = _described(doc)
    assert d["title"] == "Tờ khai đăng ký khai sinh" and d["lang"] == "vi-VN" and d["xmp_lang"] == {"vi-VN"}
    assert d["intent"] == "sRGB IEC61966-2.1" and d["icc"] > 2000
    signed = signing.sign_pdf(doc, rsa_officer, role="Công chức tiếp nhận", reason="Số hóa hồ sơ tiếp nhận")
    assert pdfa.failures(signed) == [], "the officer's signature broke PDF/A"
    assert _described(signed)["version"] == "1.7"
    v = signing.validate(signed, [ca.ca.cert_pem()])
    assert [(x.intact, x.valid, x.trusted) for x in v] == [(True, True, True)]
    assert _pdfsig(signed, tmp_path) == ["Signature is Valid."]


def test_an_issued_form_is_tagged_pdfa_2a_with_embedded_fonts_and_stays_so_when_signed(ca, rsa_officer,
                                                                                       tmp_path: Path) -> None:
    doc = _refusal_sheet()
    assert archive.claimed(doc) == "2A" and pdfa.failures(doc) == []
    # the structure a screen reader follows: the title a heading, the reasons paragraphs, the barcode a
    # figure with words; poppler reads the same tree
    f = tmp_path / "form.pdf"
    f.write_bytes(doc)
    tree = subprocess.run(["pdfinfo", "-struct-text", str(f)], capture_output=True, text=True, timeout=60).stdout
    lines = [x.strip() for x in tree.splitlines()]
    assert lines[0] == "Document" and "H1 (block)" in lines
    assert lines[lines.index("H1 (block)") + 1] == '"PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"'
    assert '"1. Thủ tục không thuộc thẩm quyền của xã"' in lines and "Figure" in lines
    with pikepdf.open(io.BytesIO(doc)) as p:
        figures = [e for e in p.Root.StructTreeRoot.K[0].K if e.S == "/Figure"]
        assert [str(e.Alt) for e in figures] == ["Mã vạch của mã hồ sơ HOAAN-261125-0001"]
    d = _described(doc)
    assert d["title"].startswith("Phiếu từ chối") and d["lang"] == "vi-VN" and d["fonts_embedded"]
    # the text maps to Unicode: it is found with its diacritics
    text = subprocess.run(["pdftotext", str(f), "-"], capture_output=True, text=True, timeout=60).stdout
    assert "Thủ tục không thuộc thẩm quyền của xã" in " ".join(text.split())
    signed = signing.sign_pdf(doc, rsa_officer, role="Trung tâm Phục vụ hành chính công", reason="Phát hành điện tử")
    assert pdfa.failures(signed) == [], "the centre's signature (its visible block's font) broke PDF/A-2a"
    assert signing.validate(signed, [ca.ca.cert_pem()])[0].intact
    assert _pdfsig(signed, tmp_path) == ["Signature is Valid."]


def test_the_validator_refuses_what_pdfa_forbids() -> None:
    doc = _scan()
    with pikepdf.open(io.BytesIO(doc)) as p:  # no output intent: device colours undefined
        del p.Root["/OutputIntents"]
        out = io.BytesIO()
        p.save(out)
    fails = pdfa.failures(out.getvalue())
    assert any("OUTPUTINTENT" in f or "colour" in f.lower() or "color" in f.lower() for f in fails), fails
    # fpdf2's own output, before motcua_core.archive: no PDF/A identification, U+0000 in a font's mapping
    head = {"unit_name": "Bộ phận", "parent_agency": "UBND", "place": "Hòa An", "text": forms.default("refusal")}
    raw = renderers.refusal(refusals.sheet(head, number=1, date="2026-11-25", applicant={"name": "Trần Thị Bình"},
                                           procedure="Cấp hộ chiếu", agency="Bộ phận", reasons=["Không thuộc thẩm quyền"],
                                           by="Lan"))
    assert archive.claimed(raw) is None
    fails = pdfa.failures(raw, "2u")
    assert any("ID-" in f for f in fails) and any("UNICODE" in f for f in fails)
    with pytest.raises(ValueError):  # an untagged document is never called PDF/A-2a
        archive.archival(pdf.pages_to_pdf([pipeline.process_photo(sample.photograph(sample.render_form())[0])],
                                          title="x"), title="x", conformance="A")
