"""Paper in, digital out, end to end over a real broker and hub: the officer scans two documents with the
document camera (a stand-in replaying photographed pages) and marks the third as already held as data;
the receipt lists them and carries the VietQR for the fees; the scans reach the hub in chunks, signed by the
officer; the agency's specialist downloads them (and nobody else); the result is scanned at return,
signed by the centre with its document code, and the citizen downloads it with the receipt's key only."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from counter_terminal.core import CounterCore
from counter_terminal.dossier_core import DossierCore
from counter_terminal.scan_desk import ScanDesk
from devicekit.scan import sample, source
from hub import signing_keys
from hub.ops import dossier_files
from hub.store import dossiers as dossier_store
from hub.store.db import transaction
from motcua_core import signing, vietqr
from tests.dossier.conftest import AGENCY_1, AGENCY_2, APPLICANT, SETTINGS, DossierHub, local_ts
from tests.support import pdfa
from tests.support import pki as test_pki

PROC = "cap-phep-xay-dung-lien-thong"
BANK = {"bin": "970436", "account": "0071000123456", "name": "Vietcombank", "account_name": "TT PVHCC HOA AN"}


def _text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def _pdfsig_ok(data: bytes, tmp: Path) -> list[str]:
    f = tmp / "check.pdf"
    f.write_bytes(data)
    out = subprocess.run(["pdfsig", str(f)], capture_output=True, text=True, timeout=60).stdout
    return re.findall(r"Signature Validation: (.+)", out)


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils not installed")
def test_scan_sign_upload_download_result(dhub: DossierHub, tmp_path: Path, artifacts_dir: Path) -> None:
    artifacts = artifacts_dir
    h = dhub.h
    dhub.on_loop(lambda: _with_bank(dhub))
    ca = test_pki.make(tmp_path / "pki")
    counter = CounterCore(h.device("counter", counter=1))
    counter.login("lan1", "1111")
    desk = DossierCore(counter.session, tmp_path / "printed")
    photos = tmp_path / "camera"
    sample.document_photos(photos / "a", pages=2, title="ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG")
    sample.document_photos(photos / "b", pages=1, title="BẢN VẼ THIẾT KẾ", seed=7)
    for p in sorted((photos / "a").glob("*")) + [next((photos / "b").glob("*"))]:
        p.rename(photos / f"{len(list(photos.glob('*.jpg'))):02d}-{p.name}")
    officer = signing.pkcs12_signer(ca.p12(ca.officer, "officer"), b"matkhau")
    scan = ScanDesk(counter.session, source.make_source({"type": "files", "dir": str(photos), "dpi": 150}),
                    tmp_path / "scans", signer=officer)

    # document 0: two pages; document 2 (land-use certificate) already held as data; document 1 not yet
    assert scan.capture(0) == 1 and scan.capture(0) == 2
    scan.finish(0, "Đơn đề nghị cấp giấy phép xây dựng")
    scan.mark_reused(2, "csdl-quoc-gia")
    r = desk.intake(PROC, APPLICANT, scan.handed_in(), options=scan.intake_options())
    # only the drawing is missing: the document the state holds is not asked for on paper
    assert r["complete"] is False and r["missing"] == ["Bản vẽ thiết kế"]

    assert scan.capture(1) == 1
    scan.finish(1, "Bản vẽ thiết kế")
    r = desk.intake(PROC, APPLICANT, scan.handed_in(), options=scan.intake_options())
    code = r["code"]
    assert (scan.folder.stat().st_mode & 0o777) == 0o700
    assert all((p.stat().st_mode & 0o777) == 0o600 for p in scan.folder.glob("*.pdf"))
    receipt = _text(r["printed"].pdf.read_bytes())
    if artifacts:  # the receipt as printed, to look at (VietQR block above the signatures)
        subprocess.run(["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", "-singlefile", str(r["printed"].pdf),
                        str(artifacts / "receipt-scanned-vietqr")], check=True)
    assert "Đơn đề nghị cấp giấy phép xây dựng" in receipt and "đã số hóa (2 trang)" in receipt
    assert "đã có dữ liệu điện tử, không nộp bản giấy" in receipt
    assert f"Nội dung: {code}" in receipt and "75.000 đồng" in receipt
    # the receipt's VietQR is the one for this dossier's fees, on the A4 form and the 80 mm copy alike
    payload = vietqr.payload(BANK["bin"], BANK["account"], 75000, code)
    assert r["receipt"]["transfer"]["payload"] == payload
    import cv2

    thermal = cv2.imread(str(r["printed"].images[-1]))
    found = cv2.QRCodeDetector().detectAndDecodeMulti(thermal)[1]
    assert payload in found, found

    # upload: the first chunk answered, then the rest through the durable outbox
    first = scan.send_chunk(code, scan.done[0], 0)
    assert first["complete"] is (scan.done[0].size <= 32 * 1024)
    assert scan.upload(code) >= 2
    assert counter.session.outbox.wait_empty(30)
    files = desk.scan(code)["electronic"]
    scans = [f for f in files["files"] if f["kind"] == "scan"]
    assert [(f["doc_index"], f["pages"], f["complete"]) for f in scans] == [(0, 2, True), (1, 1, True)]
    assert files["reused"] == [{"doc_index": 2, "name": "Giấy chứng nhận quyền sử dụng đất", "source": "csdl-quoc-gia"}]

    # the citizen's electronic receipt: PDF/A-style, titled, in Vietnamese, signed by the centre
    key = dhub.key(code)
    status, signed_receipt = dhub.http("GET", f"/d/{code}/giay-hen?k={key}")
    assert status == 200, signed_receipt
    roots = dhub.on_loop(lambda: signing_keys.trust_roots(dhub.db))
    v = signing.validate(signed_receipt, roots)
    assert len(v) == 1 and v[0].intact and v[0].valid and v[0].trusted
    assert _pdfsig_ok(signed_receipt, tmp_path) == ["Signature is Valid."]
    meta = PdfReader(io.BytesIO(signed_receipt))
    assert meta.metadata.title.startswith("Giấy tiếp nhận hồ sơ") and code in meta.metadata.title
    assert str(meta.trailer["/Root"]["/Lang"]) == "vi-VN"
    assert "pdfaid" in meta.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert pdfa.profile_of(signed_receipt) == "PDF_A_2A" and pdfa.failures(signed_receipt) == []
    assert dhub.http("GET", f"/d/{code}/giay-hen")[0] == 400

    # the agency's specialist downloads the officer-signed scan; no token, no file
    t1 = dhub.tokens[AGENCY_1]
    status, data = dhub.http("GET", f"/api/v1/agency/dossiers/{code}/files/{scans[0]['id']}", token=t1)
    assert status == 200 and data == scan.done[0].path.read_bytes()
    assert pdfa.profile_of(data) == "PDF_A_2B" and pdfa.failures(data) == []
    v = signing.validate(data, [ca.ca.cert_pem()])
    assert [(x.signer, x.intact, x.valid, x.trusted) for x in v] == [("Nguyễn Thị Lan", True, True, True)]
    assert dhub.http("GET", f"/api/v1/agency/dossiers/{code}/files/{scans[0]['id']}")[0] == 401
    assert dhub.http("GET", f"/api/v1/agency/dossiers/{code}/files/999999", token=t1)[0] == 404
    # an agency the dossier does not pass through sees nothing of it

    from hub.store import specialists

    def _other() -> str:
        with transaction(dhub.db):
            return specialists.add(dhub.db, site_id="demo", specialist_id="vh-1", agency="Phòng Văn hóa – Thông tin",
                                   name="Đinh Văn Tú", now=dhub.h.clock())[1]

    other = dhub.on_loop(_other)
    status, body = dhub.http("GET", f"/api/v1/agency/dossiers/{code}/files/{scans[0]['id']}", token=other)
    assert status in (403, 404) and b"%PDF" not in (body if isinstance(body, bytes) else b"")  # the rule may hide it

    # the control sheet (signed by the centre) lists what the dossier holds electronically
    status, sheet = dhub.http("GET", f"/api/v1/agency/dossiers/{code}/control-sheet.pdf", token=t1)
    assert status == 200 and signing.validate(sheet, roots)[0].intact
    assert pdfa.profile_of(sheet) == "PDF_A_2A" and pdfa.failures(sheet) == []  # tagged, its table too
    sheet_text = _text(sheet)
    assert "Bản điện tử: Đơn đề nghị cấp giấy phép xây dựng (2 trang" in sheet_text
    assert "Đã có dữ liệu điện tử: Giấy chứng nhận quyền sử dụng đất" in sheet_text

    # processing by both agencies (as in test_flow), then the result comes back to the counter
    dhub.set_time("2026-11-25T10:31")
    dhub.tick()
    # the console's agency list (the same API) names the files it links to
    status, queue = dhub.http("GET", "/api/v1/agency/dossiers", token=t1)
    listed = next(d for d in queue["dossiers"] if d["code"] == code)["files"]
    assert [(f["id"], f["pages"]) for f in listed] == [(scans[0]["id"], 2), (scans[1]["id"], 1)]
    t2 = dhub.tokens[AGENCY_2]
    dhub.http("POST", f"/api/v1/agency/dossiers/{code}/accept", {}, token=t1)
    dhub.http("POST", f"/api/v1/agency/dossiers/{code}/finish", {}, token=t1)
    dhub.set_time("2026-11-25T16:01")
    dhub.tick()
    dhub.http("POST", f"/api/v1/agency/dossiers/{code}/accept", {}, token=t2)
    dhub.http("POST", f"/api/v1/agency/dossiers/{code}/finish", {}, token=t2)
    dhub.set_time("2026-11-26T10:31")
    counter.login("lan1", "1111")
    dhub.tick()
    assert desk.scan(code)["status"] == "ready"

    # the citizen pays by transfer; the officer records its reference; the result is scanned and returned
    paid = counter.session.request("dossier.payment", {"code": code, "reference": "FT26330123456",
                                                      "token": counter.session.officer_token})
    assert paid["payment"]["reference"] == "FT26330123456" and paid["payment"]["amount_vnd"] == 75000
    sample.document_photos(photos / "kq", pages=1, title="GIẤY PHÉP XÂY DỰNG", seed=11)
    next((photos / "kq").glob("*")).rename(photos / "99-ket-qua.jpg")
    scan.signer = None  # the paper result is the agency's; the hub signs the electronic copy as the centre
    scan.capture(-1)
    scan.scan_result(code, "Giấy phép xây dựng")
    assert counter.session.outbox.wait_empty(30)
    desk.give_back(code, fees_paid=False, signed=True)  # the recorded transfer is the payment
    result = _signed_result(desk, code)
    assert result["complete"] and result["doc_code"] == "001090012345.KQ.1.009999"

    # the register marks it
    from hub.ops import reports
    from hub.store import sites as site_store

    books = dhub.on_loop(lambda: reports.register_books(dhub.db, site_store.get_site(dhub.db, "demo"),
                                                        date(2026, 11, 25), date(2026, 11, 26)))
    row = next(r for b in books for r in b["rows"] if r[1] == code)
    assert "Kết quả điện tử 001090012345.KQ.1.009999" in row[-1]

    # the citizen downloads it from the phone page with the receipt's key, and not without it
    status, page = dhub.http("GET", f"/d/{code}?k={key}")
    assert "001090012345.KQ.1.009999" in page.decode() and f"/d/{code}/ket-qua?k={key}" in page.decode()
    status, pdf = dhub.http("GET", f"/d/{code}/ket-qua?k={key}")
    assert status == 200 and pdf[:5] == b"%PDF-"
    v = signing.validate(pdf, roots)
    assert len(v) == 1 and v[0].intact and v[0].valid and v[0].trusted and v[0].covers_whole
    assert "(tự cấp)" in v[0].signer  # no licensed certificate installed: the hub's own, and it says so
    assert _pdfsig_ok(pdf, tmp_path) == ["Signature is Valid."]
    assert pdfa.profile_of(pdf) == "PDF_A_2B" and pdfa.failures(pdf) == []  # kept for the archive as PDF/A
    assert dhub.http("GET", f"/d/{code}/ket-qua")[0] == 400
    assert dhub.http("GET", f"/d/{code}/ket-qua?k=ZZZZZZ")[0] == 404

    # the 766 digitisation figures of the day
    counts = dhub.on_loop(lambda: dossier_files.digitisation_counts(
        dhub.db, "demo", local_ts("2026-11-25T00:00"), local_ts("2026-11-27T00:00")))
    assert {k: counts[k] for k in ("received", "documents_attached", "reused_dossiers", "reused_documents",
                                   "returned", "results_electronic")} == {
        "received": 1, "documents_attached": 1, "reused_dossiers": 1, "reused_documents": 1, "returned": 1,
        "results_electronic": 1}
    assert counts["results_electronic_rate"] == 100.0
    # … as the 766 report of the month shows them

    rep = dhub.on_loop(lambda: reports.index766(dhub.db, site_store.get_site(dhub.db, "demo"), "2026-11", dhub.h.clock()))
    dg = rep["figures"]["digitisation"]
    assert (dg["dossiers_attached"], dg["results_returned"], dg["results_electronic"]) == (1, 1, 1)
    assert dg["results_electronic_rate"] == 1.0 and dg["documents_electronic"] == 1  # the land-use certificate


def _signed_result(desk: DossierCore, code: str) -> dict:
    """The result's file once the hub has signed it (its signing runs in the background, within seconds)."""
    import time

    deadline = time.monotonic() + 30
    while True:
        files = desk.scan(code)["electronic"]["files"]
        result = next((f for f in files if f["kind"] == "result"), None)
        if (result and result["doc_code"]) or time.monotonic() > deadline:
            return result
        time.sleep(0.3)


def _with_bank(dhub: DossierHub) -> None:
    with transaction(dhub.db):
        dossier_store.set_settings(dhub.db, "demo", {**SETTINGS, "bank": BANK})


def test_free_procedure_has_no_fee_step(dhub: DossierHub, tmp_path: Path) -> None:
    dhub.on_loop(lambda: _with_bank(dhub))
    counter = CounterCore(dhub.h.device("counter", counter=1))
    counter.login("lan1", "1111")
    desk = DossierCore(counter.session, tmp_path / "printed")
    r = desk.intake("dang-ky-lai-khai-sinh", APPLICANT, [0, 1, 2])
    assert r["receipt"]["fees_vnd"] == 0 and r["receipt"]["transfer"] is None
    assert "VietQR" not in _text(r["printed"].pdf.read_bytes())
    from motcua_core.errors import RequestError

    with pytest.raises(RequestError) as e:
        counter.session.request("dossier.payment", {"code": r["code"], "reference": "FT1234",
                                                    "token": counter.session.officer_token})
    assert e.value.message_vi == "Thủ tục này không thu phí, lệ phí."
    # and at return nothing is asked about fees: a same-day birth registration is returned at once
    spot = desk.intake("khai-sinh", APPLICANT, [0, 1, 3])
    assert spot["on_spot"] is True
    assert desk.give_back(spot["code"], fees_paid=False, signed=True)["status"] == "returned"


def test_a_chunk_that_does_not_fit_is_refused_and_nothing_kept(dhub: DossierHub, tmp_path: Path) -> None:
    counter = CounterCore(dhub.h.device("counter", counter=1))
    counter.login("lan1", "1111")
    desk = DossierCore(counter.session, tmp_path / "printed")
    data = b"%PDF-1.4 " + b"x" * 40000
    import hashlib

    sha = hashlib.sha256(data).hexdigest()
    r = desk.intake(PROC, APPLICANT, [0, 1, 2], options={"scans": [{"doc": 0, "sha256": sha, "size": len(data),
                                                                    "pages": 1}]})
    from motcua_core.errors import RequestError

    send = lambda seq, chunk: counter.session.request("dossier.upload", {  # noqa: E731
        "code": r["code"], "sha256": sha, "seq": seq, "data": __import__("base64").b64encode(chunk).decode()})
    with pytest.raises(RequestError) as e:
        send(0, data[:1000])  # a first chunk must be 32 KB
    assert "Kích thước" in e.value.message_vi
    with pytest.raises(RequestError):
        send(5, data[:1000])
    with pytest.raises(RequestError):  # a file nobody declared
        counter.session.request("dossier.upload", {"code": r["code"], "sha256": "0" * 64, "seq": 0, "data": "AA=="})
    assert send(0, data[:32768])["missing"] == [1]
    assert send(0, data[:32768])["missing"] == [1]  # sent twice, kept once
    assert send(1, data[32768:])["complete"] is True
    got = dhub.on_loop(lambda: dossier_files.listing(dhub.db, r["code"]))["files"][0]
    assert got["complete"] and got["size"] == len(data)
