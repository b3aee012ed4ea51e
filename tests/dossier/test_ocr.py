"""The scans' searchable copies, over a real broker and hub: a form with known Vietnamese text is
photographed, replayed by the camera stand-in, scanned and signed at the counter, uploaded; the hub adds
the text layer in the background (OCRmyPDF, Tesseract `vie`) and the specialist downloads a copy in which
pdftotext finds the words with their diacritics, PDF/A-2u and signed by the centre, while the officer's
scan stays byte for byte what the counter sent. A document recognition cannot read keeps its scan and
says why."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from counter_terminal.core import CounterCore
from counter_terminal.dossier_core import DossierCore
from counter_terminal.scan_desk import ScanDesk, ScannedDoc
from devicekit.scan import sample, source
from hub import signing_keys
from hub.ops import ocr
from motcua_core import signing
from tests.dossier.conftest import AGENCY_1, APPLICANT, DossierHub
from tests.support import pdfa
from tests.support import pki as test_pki

PROC = "cap-phep-xay-dung-lien-thong"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(ocr.unavailable() is not None, reason=str(ocr.unavailable())),
              pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")]


def _files(desk: DossierCore, code: str, until, timeout: float = 240) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        files = [f for f in desk.scan(code)["electronic"]["files"] if f["kind"] == "scan"]
        if until(files) or time.monotonic() > deadline:
            return files
        time.sleep(1)


def _born_digital(path: Path) -> ScannedDoc:
    """A document that came as a PDF with its own text (not a picture): recognition refuses to read it."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", "", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf.set_font("DejaVu", size=14)
    pdf.cell(text="Bản vẽ thiết kế (tệp điện tử)")
    data = bytes(pdf.output())
    path.write_bytes(data)
    return ScannedDoc(1, "Bản vẽ thiết kế", path, hashlib.sha256(data).hexdigest(), len(data), 1)


def test_a_scanned_page_becomes_searchable_in_vietnamese(dhub: DossierHub, tmp_path: Path) -> None:
    ca = test_pki.make(tmp_path / "pki")
    counter = CounterCore(dhub.h.device("counter", counter=1))
    counter.login("lan1", "1111")
    desk = DossierCore(counter.session, tmp_path / "printed")
    sample.document_photos(tmp_path / "camera", pages=1, title="ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG")
    officer = signing.pkcs12_signer(ca.p12(ca.officer, "officer"), b"matkhau")
    scan = ScanDesk(counter.session, source.make_source({"type": "files", "dir": str(tmp_path / "camera")}),
                    tmp_path / "scans", signer=officer)
    scan.capture(0)
    scan.finish(0, "Đơn đề nghị cấp giấy phép xây dựng")
    scan.done[1] = _born_digital(scan.folder / "ban-ve.pdf")
    scan.mark_reused(2, "csdl-quoc-gia")
    r = desk.intake(PROC, APPLICANT, scan.handed_in(), options=scan.intake_options())
    code = r["code"]
    scan.upload(code)
    assert counter.session.outbox.wait_empty(30)

    files = _files(desk, code, lambda fs: len(fs) == 2 and all(f["ocr_state"] for f in fs))
    by_doc = {f["doc_index"]: f for f in files}
    assert by_doc[0]["ocr_state"] == "done", by_doc[0]
    assert by_doc[0]["ocr_s"] > 0  # seconds per page, kept for the figures
    assert by_doc[1]["ocr_state"] == "failed" and "không phải ảnh quét" in by_doc[1]["ocr_note"], by_doc[1]

    t1 = dhub.tokens[AGENCY_1]
    base = f"/api/v1/agency/dossiers/{code}/files"
    status, copy = dhub.http("GET", f"{base}/{by_doc[0]['id']}?copy=ocr", token=t1)
    assert status == 200 and copy[:5] == b"%PDF-"
    f = tmp_path / "searchable.pdf"
    f.write_bytes(copy)
    text = " ".join(subprocess.run(["pdftotext", str(f), "-"], capture_output=True, text=True, timeout=60).stdout.split())
    assert "ĐƠN ĐỀ NGHỊ" in text and "GIẤY PHÉP XÂY DỰNG" in text, text[:400]
    assert "Nguyễn" in text or "Việt Nam" in text, text[:400]
    # the copy is PDF/A-2u and signed by the centre; the officer's scan is untouched and still validates
    assert pdfa.profile_of(copy) == "PDF_A_2U" and pdfa.failures(copy) == []
    roots = dhub.on_loop(lambda: signing_keys.trust_roots(dhub.db))
    v = signing.validate(copy, roots)
    assert len(v) == 1 and v[0].intact and v[0].valid and v[0].trusted
    out = subprocess.run(["pdfsig", str(f)], capture_output=True, text=True, timeout=60).stdout
    assert "Signature Validation: Signature is Valid." in out, out
    status, original = dhub.http("GET", f"{base}/{by_doc[0]['id']}", token=t1)
    assert original == scan.done[0].path.read_bytes()
    assert [x.signer for x in signing.validate(original, [ca.ca.cert_pem()])] == ["Nguyễn Thị Lan"]
    # the document recognition could not read: its file is there, its copy is not, and the reason is said
    status, kept = dhub.http("GET", f"{base}/{by_doc[1]['id']}", token=t1)
    assert status == 200 and kept == scan.done[1].path.read_bytes()
    status, body = dhub.http("GET", f"{base}/{by_doc[1]['id']}?copy=ocr", token=t1)
    assert status == 404 and "lớp văn bản" in body["error"]["message_vi"]
    # the specialist's list says which copies exist
    status, queue = dhub.http("GET", "/api/v1/agency/dossiers", token=t1)
    listed = {x["id"]: x for x in next(d for d in queue["dossiers"] if d["code"] == code)["files"]}
    assert listed[by_doc[0]["id"]]["ocr"] == "done" and listed[by_doc[1]["id"]]["ocr"] == "failed"
    # … and so does the console's agency page, in a real browser (screenshot web/agency-files-ocr.png)
    from selenium.webdriver.common.by import By

    from tests.support.browser import Browser
    from tests.web.conftest import PASSWORD, add_account

    add_account(dhub.h.data, "cv-kinhte", "specialist", "demo", AGENCY_1)
    with Browser() as b:
        b.sign_in(f"http://127.0.0.1:{dhub.h.http_port}", "cv-kinhte", PASSWORD)
        b.wait(lambda d: "bản tìm kiếm được chữ" in d.find_element(By.ID, "agency-list").text)
        shown = b.driver.find_element(By.ID, "agency-list").text
        link = b.driver.find_element(By.LINK_TEXT, "bản tìm kiếm được chữ").get_attribute("href")
        b.shot("agency-files-ocr")
    assert "không nhận dạng được chữ: Tệp đã có chữ điện tử (không phải ảnh quét)" in shown, shown
    assert "OCRmyPDF" not in shown  # the program's own words go to the log, not to the specialist
    assert link.endswith(f"/files/{by_doc[0]['id']}?copy=ocr")


def test_a_hub_stopping_mid_recognition_leaves_the_scan_waiting(tmp_path: Path) -> None:
    """The OCR child ended from outside (the hub stopping) is not the scan's fault: nothing is recorded,
    so the scan is read again on the next start, never marked as unreadable."""
    import threading

    from devicekit.scan import pdf, pipeline

    photo, _ = sample.photograph(sample.render_form(), angle=5)
    scan = pdf.pages_to_pdf([pipeline.process_photo(photo)], title="Tờ khai")
    job = {"file": {"id": 1, "code": "X", "name": "Tờ khai", "pages": 1}, "data": scan, "data_dir": tmp_path,
           "unit": "Trung tâm", "place": ""}
    out: dict = {}
    t = threading.Thread(target=lambda: out.update(ocr.make_copy(job)))
    t.start()
    deadline = time.monotonic() + 30
    while not ocr._running and time.monotonic() < deadline:
        time.sleep(0.05)
    ocr.stop_all()
    t.join(60)
    assert out["state"] == "interrupted" and out["data"] is None
