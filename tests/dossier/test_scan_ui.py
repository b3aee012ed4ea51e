"""The counter's scanning panel at 800×480 on Xvfb, against a real hub, with a document-camera stand-in
replaying photographed pages: two pages of the application form, the drawing, and the land-use
certificate marked as already held as data; the intake sends them and the scans reach the hub.
Screenshots in test-artifacts/counter/scan-*.png."""

from __future__ import annotations

import time
from pathlib import Path

from devicekit.scan import sample
from hub.ops import dossier_files
from kiosk.core import KioskCore
from tests.dossier.conftest import DossierHub
from tests.support.kivyrun import KivyRun
from tests.ui.conftest import device_file


def test_scanning_panel_scans_marks_and_uploads(dhub: DossierHub, xvfb, artifacts_dir: Path, tmp_path: Path) -> None:
    h = dhub.h
    KioskCore(h.device("kiosk")).issue_ticket("HT")
    photos = tmp_path / "camera"
    photos.mkdir()
    for n, (title, pages, seed) in enumerate((("ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG", 2, 1),
                                              ("BẢN VẼ THIẾT KẾ", 1, 9))):
        for p in sample.document_photos(tmp_path / f"doc{n}", pages=pages, title=title, seed=seed):
            p.rename(photos / f"{n}-{p.name}")
    config = device_file(h, "counter", counter=1,
                         hardware={"docscan": {"type": "files", "dir": str(photos), "dpi": 150}})
    run = KivyRun("counter_terminal.app:make_test_app", [str(config)], [
        {"keys": "lan1"}, {"tap": "pin"}, {"keys": "1111"}, {"tap": "login"},
        {"wait_text": ["header", "Nguyễn Thị Lan"]},
        {"tap": "act:next"}, {"wait_text": ["current", "1001"]},
        {"tap": "open:intake"}, {"wait_text": ["intake_header", "số 1001"]},
        {"text": ["intake_search", "giay phep xay dung lien thong"], "enter": True},
        {"wait": "proc:cap-phep-xay-dung-lien-thong"}, {"tap": "proc:cap-phep-xay-dung-lien-thong"},
        {"wait": "doc:2"},
        {"text": ["intake_name", "Nguyễn Văn An"]}, {"text": ["intake_cccd", "001090012345"]},
        {"text": ["intake_phone", "0912345678"]}, {"text": ["intake_address", "Số 12 Lê Lợi, Hòa An"]},
        {"tap": "intake_scan"}, {"wait": "scan_header"},
        {"tap": "scan_finish:0"}, {"wait_text": ["scan_message", "Chưa chụp trang nào"]},
        {"tap": "scan_capture:0"}, {"wait_text": ["scan_message", "Đã chụp trang 1"]},
        {"screenshot": "scan-page-1"},
        {"tap": "scan_capture:0"}, {"wait_text": ["scan_message", "Đã chụp trang 2"]},
        {"tap": "scan_finish:0"}, {"wait_text": ["scan_message", "Đã tạo tệp PDF (2 trang"]},
        {"tap": "scan_capture:1"}, {"wait_text": ["scan_message", "Đã chụp trang 1 của: Bản vẽ"]},
        {"tap": "scan_finish:1"}, {"wait_text": ["scan_doc:1", "đã số hóa: 1 trang"]},
        {"tap": "scan_reused:2"}, {"wait_text": ["scan_doc:2", "đã có dữ liệu điện tử"]},
        {"tap": "scan_capture:1"}, {"wait_text": ["scan_message", "Không có ảnh mới"]},
        {"screenshot": "scan-panel"}, {"state": "panel"},
        {"tap": "scan_close"}, {"wait_text": ["doc:2", "\u2611"]},
        {"screenshot": "scan-intake-ticked"},
        {"tap": "intake_submit"}, {"wait_text": ["intake_message", "Đã tiếp nhận HOAAN-261125-0001"]},
        {"screenshot": "scan-intake-done"}, {"state": "done"},
        {"mark": "taken"}, {"await": "uploaded"},
        # the dossier came back with its result: photograph it at return, hand it over
        {"tap": "intake_back"}, {"wait": "act:next"},
        {"tap": "logout"}, {"wait": "login"}, {"keys": "lan1"}, {"tap": "pin"}, {"keys": "1111"}, {"tap": "login"},
        {"wait_text": ["header", "Nguyễn Thị Lan"]},
        {"tap": "open:return"}, {"wait": "return_code"}, {"text": ["return_code", "hoaan-261125-0001"], "enter": True},
        {"wait_text": ["return_message", "Kết quả đã sẵn sàng"]},
        {"tap": "return_scan"}, {"wait_text": ["return_message", "Đã chụp trang 1 của kết quả"]},
        {"taps": ["return_fees", "return_signed"]}, {"wait_text": ["return_signed", "[x]"]},
        {"screenshot": "scan-return-result"},
        {"tap": "return_submit"}, {"wait_text": ["return_message", "Đã trả kết quả hồ sơ HOAAN-261125-0001"]},
        {"mark": "returned"}, {"await": "end"},
        # looked up again: the electronic result and its way to the citizen's data store (not configured here)
        {"text": ["return_code", "hoaan-261125-0001"], "enter": True},
        {"wait_text": ["return_details", "Kết quả điện tử 001090012345.KQ.1.009999"]},
        {"screenshot": "scan-return-datastore"}, {"state": "datastore"},
    ], xvfb.env(), artifacts_dir / "counter", tmp_path / "ui-scan", size=(800, 480), timeout=300).start()
    run.wait_mark("taken", timeout=180)
    code = "HOAAN-261125-0001"
    deadline = time.monotonic() + 60
    files: list[dict] = []
    while time.monotonic() < deadline:
        files = dhub.on_loop(lambda: dossier_files.listing(dhub.db, code))["files"]
        if len(files) == 2 and all(f["complete"] for f in files):
            break
        time.sleep(0.5)
    # both agencies finish; the result is back at the counter two days on
    from tests.dossier.conftest import AGENCY_1, AGENCY_2

    for at, agency in (("2026-11-25T10:31", AGENCY_1), ("2026-11-26T10:31", AGENCY_2)):
        dhub.set_time(at)
        dhub.tick()
        dhub.http("POST", f"/api/v1/agency/dossiers/{code}/accept", {}, token=dhub.tokens[agency])
        dhub.http("POST", f"/api/v1/agency/dossiers/{code}/finish", {}, token=dhub.tokens[agency])
    dhub.set_time("2026-11-27T10:31")
    dhub.tick()
    sample.document_photos(tmp_path / "kq", pages=1, title="GIẤY PHÉP XÂY DỰNG", seed=21)[0].rename(
        photos / "9-ket-qua.jpg")
    run.go("uploaded")
    run.wait_mark("returned", timeout=180)
    deadline = time.monotonic() + 60
    e_result = None
    while time.monotonic() < deadline and e_result is None:
        e_result = dhub.on_loop(lambda: dhub.db.execute(
            "SELECT doc_code FROM dossier_files WHERE code = ? AND kind = 'result' AND doc_code IS NOT NULL",
            [code]).fetchone())
        time.sleep(0.5)
    run.go("end")
    result = run.finish()
    assert e_result == ("001090012345.KQ.1.009999",)
    status, pdf = dhub.http("GET", f"/d/{code}/ket-qua?k={dhub.key(code)}")
    assert status == 200 and pdf[:5] == b"%PDF-"
    assert [(f["doc_index"], f["pages"], f["complete"]) for f in files] == [(0, 2, True), (1, 1, True)]
    reused = dhub.on_loop(lambda: dossier_files.listing(dhub.db, code))["reused"]
    assert [r["doc_index"] for r in reused] == [2]
    assert "Không có ảnh mới" in result["states"]["panel"]["scan_message"]
    assert "Đang chờ gửi: máy chủ chưa được cấu hình" in result["states"]["datastore"]["return_details"]
    assert result["states"]["datastore"]["return_message"] == "Hồ sơ đã trả kết quả."
    for name in ("scan-page-1", "scan-panel", "scan-intake-done"):
        assert (artifacts_dir / "counter" / f"{name}.png").is_file()
