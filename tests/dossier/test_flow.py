"""End to end over a real broker: ticket → intake (guidance, then receipt) → two-agency routing by the
batch timer → return by scanning the printed barcode → the citizen's vote lands on the dossier."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from counter_terminal.core import CounterCore
from counter_terminal.dossier_core import DossierCore
from kiosk.core import KioskCore
from motcua_core.errors import RequestError
from tests.dossier.conftest import AGENCY_1, AGENCY_2, APPLICANT, DossierHub
from tests.support.code128 import read as read_barcode

PROC = "cap-phep-xay-dung-lien-thong"


def pdf_text(path: Path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(str(path)).pages)


def in_order(text: str, parts: list[str]) -> bool:
    """Every part appears, in this order (line breaks of table cells read as spaces)."""
    text = " ".join(text.split())
    pos = -1
    for p in parts:
        nxt = text.find(p, pos + 1)
        if nxt < 0:
            return False
        pos = nxt
    return True


def test_ticket_to_receipt_routing_return_and_vote(dhub: DossierHub, tmp_path: Path, artifacts_dir: Path) -> None:
    h = dhub.h
    kiosk = KioskCore(h.device("kiosk"))
    counter = CounterCore(h.device("counter", counter=1))
    voting = KioskCore(h.device("voting", counter=1))
    desk = DossierCore(counter.session, tmp_path / "printed")

    ticket = kiosk.issue_ticket("HT")
    counter.login("lan1", "1111")
    counter.open()
    assert counter.next()["id"] == ticket["id"]

    found = desk.search("giay phep xay dung lien thong")
    assert found[0]["id"] == PROC

    # An invalid citizen ID is refused with a reason the officer can read; nothing is created.
    with pytest.raises(RequestError) as bad:
        desk.intake(PROC, {**APPLICANT, "cccd": "003090012345"}, [0, 1, 2])
    assert "mã tỉnh 003" in bad.value.message_vi
    assert desk.check_cccd("00109001234") == "Số CCCD không hợp lệ: phải có đúng 12 chữ số (đang có 11)"

    # Two documents missing → supplement request (Mẫu 02, TT 03/2025) listing exactly those, no dossier.
    r = desk.intake(PROC, APPLICANT, [0])
    assert r["complete"] is False
    assert r["missing"] == ["Bản vẽ thiết kế", "Giấy chứng nhận quyền sử dụng đất"]
    text = pdf_text(r["printed"].pdf)
    assert in_order(text, ["Mẫu số 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Hồ sơ của: Nguyễn Văn An",
                           "Nội dung yêu cầu giải quyết", "Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau",
                           "1. Bổ sung: Bản vẽ thiết kế (2 bản)", "2. Bổ sung: Giấy chứng nhận quyền sử dụng đất",
                           "NGƯỜI HƯỚNG DẪN"])
    assert dhub.on_loop(lambda: dhub.db.execute("SELECT COUNT(*) FROM dossiers").fetchone()[0]) == 0

    # Complete → dossier, receipt (form 03) in two copies, code as barcode, QR to the status page.
    r = desk.intake(PROC, APPLICANT, [0, 1, 2], sets=1)
    code = r["code"]
    assert code == "HOAAN-261125-0001"
    assert r["due_at"] == "2026-12-02T17:00+07:00"  # 5 working days: Thu 26 … Wed 2 Dec
    reader = PdfReader(str(r["printed"].pdf))
    assert len(reader.pages) == 2
    page1 = reader.pages[0].extract_text()
    assert "Liên 1" in page1 and "Liên 2" in reader.pages[1].extract_text()
    # The unit is named once, and the citizen learns the result may come by post.
    assert "Bộ phận tiếp nhận và trả kết quả Bộ phận" not in " ".join(page1.split())
    assert "hoặc tại nhà (trụ sở tổ chức) qua dịch vụ bưu chính công ích" in " ".join(page1.split())
    assert in_order(page1, ["Mẫu số 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", f"Mã hồ sơ: {code}",
                            "Tiếp nhận hồ sơ của: Nguyễn Văn An", "Địa chỉ:", "Số điện thoại: 0912345678",
                            "Nội dung yêu cầu giải quyết:", "1. Thành phần hồ sơ nộp gồm:", "Bản vẽ thiết kế — 2 bản",
                            "2. Số lượng hồ sơ: 1 (bộ)", "3. Thời gian giải quyết hồ sơ theo quy định là: 5 ngày",
                            "4. Thời gian nhận hồ sơ: 08 giờ 00 phút, ngày 25 tháng 11 năm 2026",
                            "5. Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 02 tháng 12 năm 2026",
                            "6. Đăng ký nhận kết quả tại:", "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ",
                            "Nguyễn Thị Lan", "Phạm Văn Minh"])
    png = tmp_path / "receipt-page"
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-f", "1", "-l", "1", str(r["printed"].pdf), str(png)],
                   check=True)
    assert read_barcode(Image.open(f"{png}-1.png")) == code, "the A4 receipt's barcode does not scan"
    assert len(r["printed"].images) == 1  # the citizen's slip; the A4 receipt is the official one
    thermal = Image.open(r["printed"].images[0])
    assert thermal.width == 576
    assert thermal.height <= 110 * 8, f"the slip is {thermal.height / 8:.0f} mm long (was about 25 cm a copy)"
    (artifacts_dir / "counter").mkdir(parents=True, exist_ok=True)
    thermal.save(artifacts_dir / "counter" / "receipt-slip.png")
    assert read_barcode(thermal) == code, "the thermal receipt's barcode does not scan"
    import numpy as np

    from devicekit.drivers.camera import decode_qr

    qr = decode_qr(np.array(thermal.convert("RGB")))
    key = dhub.key(code)
    assert r["receipt"]["lookup_key"] == key and len(key) == 6
    assert qr == f"https://motcua.hoaan.example.vn/d/{code}?k={key}"
    assert f"Mã tra cứu: {key}" in " ".join(pdf_text(r["printed"].pdf).split())
    counter.complete()
    assert counter.session.outbox.wait_empty(30)

    # The kiosk sees it, masked; the public API gives the same object.
    look = kiosk.lookup_dossier(code.lower(), key.lower())
    # Received at 08:00 on a working day: sent to agency 1 at once (Decree 118/2025 Art. 18(2)); the
    # system orders the agencies, the officer picks nothing.
    assert look["applicant"] == "Nguyễn V*** A**" and look["status"] == "transferred" and not look["ready"]
    status, api = dhub.public(code)
    assert status == 200 and api == look
    with pytest.raises(RequestError) as nf:
        kiosk.lookup_dossier("HOAAN-261125-0099", key)
    assert nf.value.code == "not_found" and nf.value.message_vi == "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này."

    assert dhub.tick()["moved"] == 0, "nothing is left waiting for a batch"
    assert kiosk.lookup_dossier(code, key)["where"] == AGENCY_1
    t1, t2 = dhub.tokens[AGENCY_1], dhub.tokens[AGENCY_2]
    status, lst = dhub.http("GET", "/api/v1/agency/dossiers", token=t1)
    assert status == 200 and [d["code"] for d in lst["dossiers"]] == [code]
    assert dhub.http("GET", "/api/v1/agency/dossiers", token="wrong")[0] == 401
    # Agency 2 cannot act on a dossier agency 1 holds.
    status, err = dhub.http("POST", f"/api/v1/agency/dossiers/{code}/accept", {}, token=t2)
    assert status == 403 and "không thuộc cơ quan của bạn" in err["error"]["message_vi"]
    # Finishing before accepting is an illegal transition.
    status, err = dhub.http("POST", f"/api/v1/agency/dossiers/{code}/finish", {}, token=t1)
    assert status == 409 and "Không thể thực hiện" in err["error"]["message_vi"]
    assert dhub.http("POST", f"/api/v1/agency/dossiers/{code}/accept", {}, token=t1)[0] == 200
    dhub.set_time("2026-11-26T09:00")
    status, d = dhub.http("POST", f"/api/v1/agency/dossiers/{code}/finish", {"note": "Đủ điều kiện"}, token=t1)
    assert status == 200 and d["status"] == "transferred"  # to the next agency at once
    assert kiosk.lookup_dossier(code, key)["where"] == AGENCY_2
    dhub.http("POST", f"/api/v1/agency/dossiers/{code}/accept", {}, token=t2)
    dhub.set_time("2026-11-27T10:00")
    dhub.http("POST", f"/api/v1/agency/dossiers/{code}/finish", {}, token=t2)
    look = kiosk.lookup_dossier(code, key)
    assert look["ready"] and look["status_vi"] == "Đã có kết quả, mời nhận"
    assert [t["status_vi"] for t in look["timeline"]] == [
        "Tiếp nhận hồ sơ", f"Chuyển đến {AGENCY_1}", f"{AGENCY_1} nhận hồ sơ", f"{AGENCY_1} giải quyết xong",
        f"Chuyển đến {AGENCY_2}", f"{AGENCY_2} nhận hồ sơ", f"{AGENCY_2} giải quyết xong",
        "Chuyển đến Bộ phận tiếp nhận và trả kết quả"]
    ready = dhub.on_loop(lambda: dhub.db.execute(
        "SELECT channel, recipient, body FROM notifications WHERE kind = 'ready' ORDER BY id").fetchall())
    assert [(c, r) for c, r, _ in ready] == [("sms", "0912345678"), ("email", "an.nguyen@example.vn")]
    assert "mời ông (bà) đến Bộ phận một cửa nhận" in ready[0][2]
    status, board = dhub.http("GET", "/api/v1/sites/demo/board")
    assert board["ready"][0]["code"] == code and board["ready"][0]["applicant"] == "Nguyễn V*** A**"
    assert board["today"] == {"finished": 1, "on_time": 1, "rate": 1.0}

    # Control sheet (Mẫu 05): each handover with time, room for the giver's and receiver's signatures,
    # and the dossier code as a barcode.
    # Two days on, the officer signs in again (a sign-in lasts a working day).
    counter.login("lan1", "1111")
    sheet = desk.form(code, "control_sheet")
    text = pdf_text(sheet.pdf)
    assert in_order(text, ["Mẫu số 06", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", code,
                           f"Cơ quan (bộ phận) giải quyết hồ sơ: {AGENCY_1}", AGENCY_2,
                           "NGƯỜI GIAO (Ký và ghi rõ họ tên)", "NGƯỜI NHẬN (Ký và ghi rõ họ tên)",
                           "1. Giao: Bộ phận tiếp nhận và trả kết quả", f"2. Nhận: {AGENCY_1}",
                           "Nguyễn Thị Lan", "Trần Quang Khải",
                           f"1. Giao: {AGENCY_1}", f"2. Nhận: {AGENCY_2}", "Trần Quang Khải",
                           "Lý Thị Mai", "Trước hạn", "2. Nhận: Bộ phận tiếp nhận và trả kết quả"])
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-f", "1", "-l", "1", str(sheet.pdf), str(tmp_path / "ks")],
                   check=True)
    assert read_barcode(Image.open(tmp_path / "ks-1.png")) == code, "the control sheet's barcode does not scan"

    # Return: the citizen comes back, takes a ticket; the officer scans the receipt.
    back = kiosk.issue_ticket("HT")
    assert counter.next()["id"] == back["id"]
    scanned = desk.scan(read_barcode(thermal) + "\r\n")
    assert scanned["code"] == code and scanned["fees_vnd"] == 75000
    with pytest.raises(RequestError) as unpaid:
        desk.give_back(code, fees_paid=False, signed=True)
    assert "thu phí, lệ phí" in unpaid.value.message_vi
    done = desk.give_back(code, fees_paid=True, signed=True)
    assert done["status"] == "returned" and done["timeliness"] == "early"
    counter.complete()
    assert counter.session.outbox.wait_empty(30)
    voting.submit_vote(back["id"], 4)
    assert voting.session.outbox.wait_empty(30)
    row = dhub.on_loop(lambda: dhub.db.execute("SELECT dossier_code, rating FROM votes WHERE ticket_id = ?",
                                               [back["id"]]).fetchone())
    assert tuple(row) == (code, 4)
    with pytest.raises(RequestError) as twice:
        desk.give_back(code, fees_paid=True, signed=True)
    assert twice.value.code == "conflict"


def test_post_return_status_page_and_agency_page(dhub: DossierHub, tmp_path: Path) -> None:
    counter = CounterCore(dhub.h.device("counter", counter=1))
    counter.login("lan1", "1111")
    counter.open()
    desk = DossierCore(counter.session, tmp_path)
    r = desk.intake(PROC, APPLICANT, [0, 1, 2], return_method="post",
                    post_address="Số 12 đường Lê Lợi, thị trấn Hòa An, huyện Hòa An")
    code = r["code"]
    text = " ".join(pdf_text(r["printed"].pdf).split())
    assert "tại nhà (trụ sở tổ chức) qua dịch vụ bưu chính công ích, địa chỉ: Số 12 đường Lê Lợi" in text
    # The status page the QR opens: masked name only.
    status, page = dhub.http("GET", f"/d/{code.lower()}?k={dhub.key(code)}")
    text = page.decode()
    assert status == 200 and "Nguyễn V*** A**" in text and "Nguyễn Văn An" not in text and "0912345678" not in text
    assert "Mã tra cứu in trên giấy hẹn" in dhub.http("GET", "/d/NO-SUCH-0001")[1].decode()  # asks for the key
    assert dhub.http("GET", "/d/NO-SUCH-0001?k=ABC234")[0] == 404
    # The agency page and its API.
    status, html = dhub.http("GET", "/agency")
    assert status == 200 and "Hồ sơ của cơ quan" in html.decode()
    t1 = dhub.tokens[AGENCY_1]
    assert dhub.http("GET", "/api/v1/agency/me", token=t1)[1]["agency"] == AGENCY_1
    dhub.set_time("2026-11-25T10:31")
    dhub.tick()
    status, body = dhub.http("GET", f"/api/v1/agency/dossiers/{code}/control-sheet.pdf", token=t1)
    assert status == 200 and body[:5] == b"%PDF-"
    assert dhub.http("GET", f"/api/v1/agency/dossiers/{code}/control-sheet.pdf")[0] == 401
    for t, agency in (("2026-11-25T10:40", AGENCY_1), ("2026-11-26T10:31", AGENCY_2)):
        dhub.set_time(t)
        dhub.tick()
        tok = dhub.tokens[agency]
        dhub.http("POST", f"/api/v1/agency/dossiers/{code}/accept", {}, token=tok)
        dhub.http("POST", f"/api/v1/agency/dossiers/{code}/finish", {}, token=tok)
    dhub.set_time("2026-11-27T10:31")
    dhub.tick()
    counter.login("lan1", "1111")  # two days on: the officer signs in again (a sign-in lasts a working day)
    # By post: a tracking number instead of a signature.
    e = pytest.raises(RequestError, desk.give_back, code, fees_paid=True).value
    assert "số hiệu bưu gửi" in e.message_vi
    done = desk.give_back(code, fees_paid=True, tracking="ee123456789vn")
    assert done["status"] == "returned" and done["postal_tracking"] == "EE123456789VN"
