"""The administrator's commands: catalogue import (with a per-row error report), the calendar check,
the weekly report PDF and the tracking register export."""

from __future__ import annotations

import csv
import json
import random
import subprocess
import time
from pathlib import Path

from pypdf import PdfReader

from hub.app import open_data_dir
from hub.store import catalogue
from hub.store.db import transaction
from motcua.bench.reports import seed as seed_year
from motcua.cli import main
from tests.support.hubproc import InProcessHub, prepare

GOOD = ("thu-tuc-a,1.000001,Cấp bản sao trích lục hộ tịch,tu-phap,commune,UBND cấp xã,1,8000,"
        "\"Tờ khai|1; Giấy tờ tùy thân|1\",,Bản sao trích lục,full,có,")
CSV = "\n".join([
    "id,code,name,field,level,agency,processing_days,fee_vnd,documents,forms,result,online_level,post_return,steps",
    GOOD,
    "thu-tuc-b,1.23,Thủ tục mã sai,tu-phap,commune,UBND cấp xã,3,0,Đơn|1,,,,,",
    "thu-tuc-c,,Thủ tục thời hạn sai,tu-phap,commune,UBND cấp xã,ba ngày,0,Đơn|1,,,,,",
    "thu-tuc-d,,Thủ tục thiếu cơ quan,tu-phap,commune,,3,0,Đơn|1,,,,,",
    "thu-tuc-e,,Liên thông viết sai,tu-phap,commune,UBND cấp xã,3,0,Đơn|1,,,,,\"UBND xã|Thẩm định\"",
    "thu-tuc-f,,Lĩnh vực lạ,linh-vuc-la,commune,UBND cấp xã,3,0,Đơn|1,,,,,",
    GOOD.replace("thu-tuc-a", "thu-tuc-a"),
    "",
])


def test_catalog_import_reports_each_bad_row_and_keeps_the_good(tmp_path: Path, capsys) -> None:
    prepare(tmp_path)
    f = tmp_path / "catalogue.csv"
    f.write_text(CSV, encoding="utf-8")
    rc = main(["hub", "catalog", "import", "--data", str(tmp_path), str(f)])
    out = capsys.readouterr()
    assert rc == 1
    err = out.err
    assert "Nhập danh mục [" in err  # the progress bar
    assert "dòng 3 (thu-tuc-b): mã TTHC quốc gia '1.23' không đúng dạng 1.004873" in err
    assert "dòng 4 (thu-tuc-c): thời hạn (ngày) 'ba ngày' không phải là số" in err
    assert "dòng 5 (thu-tuc-d): thiếu cột bắt buộc agency" in err
    assert "dòng 6 (thu-tuc-e): bước liên thông 1 phải có dạng 'cơ quan|nội dung|số ngày'" in err
    assert "thủ tục thu-tuc-f: lĩnh vực 'linh-vuc-la' chưa có trong danh mục lĩnh vực" in err
    assert "thủ tục thu-tuc-a: mã định danh bị trùng trong tệp" in err
    assert "Đã nhập 1 thủ tục; 6 mục lỗi (không nhập)" in out.out
    db = open_data_dir(tmp_path)
    doc = catalogue.get(db, "thu-tuc-a")
    assert doc["documents"] == [{"name": "Tờ khai", "copies": 1, "kind": "required"},
                                {"name": "Giấy tờ tùy thân", "copies": 1, "kind": "required"}]
    assert doc["post_return"] is True and doc["fee_vnd"] == 8000
    assert catalogue.count(db) == 1


def test_catalog_import_json_bumps_version_and_kiosks_are_told(tmp_path: Path) -> None:
    prepare(tmp_path)
    db = open_data_dir(tmp_path)
    with transaction(db):
        catalogue.load(db, json.loads(catalogue.STARTER.read_text(encoding="utf-8")))
    v1 = catalogue.version(db)
    db.conn.close()
    h = InProcessHub(tmp_path).start()
    try:
        kiosk = h.device("kiosk", start=False)
        configs: list[dict] = []
        kiosk.on_config = configs.append
        kiosk.start()
        assert kiosk.wait_connected(10)
        import urllib.request

        def catalog(since: int) -> dict:
            url = f"http://127.0.0.1:{h.http_port}/api/v1/catalog?since={since}"
            with urllib.request.urlopen(url, timeout=5) as r:
                return json.loads(r.read())

        full = catalog(0)
        assert full["full"] is True and full["version"] == v1 and len(full["procedures"]) == 120
        assert {f["code"] for f in full["fields"]} >= {"tu-phap", "dat-dai"}
        assert catalog(v1)["procedures"] == []
        changed = json.loads(catalogue.STARTER.read_text(encoding="utf-8"))
        changed["procedures"][0]["fee"] = "Miễn lệ phí"
        f = tmp_path / "update.json"
        f.write_text(json.dumps({"procedures": [changed["procedures"][0]]}, ensure_ascii=False), encoding="utf-8")
        assert main(["hub", "catalog", "import", "--data", str(tmp_path), str(f)]) == 0
        delta = catalog(v1)
        assert delta["full"] is False and delta["version"] == v1 + 1
        assert [p["id"] for p in delta["procedures"]] == ["khai-sinh"] and delta["procedures"][0]["fee"] == "Miễn lệ phí"
        # Importing the same file again changes nothing: kiosks download nothing.
        assert main(["hub", "catalog", "import", "--data", str(tmp_path), str(f)]) == 0
        assert catalog(v1 + 1)["procedures"] == [] and catalog(0)["version"] == v1 + 1
        # The device config carries the version (the hub re-publishes configs after an import).
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(c.get("catalog_version") == v1 + 1 for c in configs):
            time.sleep(0.1)
        assert configs[0]["catalog_version"] == v1
        assert any(c.get("catalog_version") == v1 + 1 for c in configs), "kiosk never told of the new catalogue"
    finally:
        h.stop()


def test_calendar_due_without_a_database(capsys, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MOTCUA_DATA", str(tmp_path / "none"))
    assert main(["hub", "calendar", "due", "--received", "2026-02-13T09:00", "--working-days", "3"]) == 0
    assert capsys.readouterr().out.strip() == "Hạn trả kết quả: 25/02/2026 17:00 (Thứ Tư)"
    assert not (tmp_path / "none").exists(), "the national calendar needs no database"
    # A same-day procedure received at 16:30: the same day unless the procedure has a cut-off (15:00 here).
    assert main(["hub", "calendar", "due", "--received", "2026-03-04T16:30", "--working-days", "0"]) == 0
    assert capsys.readouterr().out.strip() == "Hạn trả kết quả: 04/03/2026 17:00 (Thứ Tư)"
    assert main(["hub", "calendar", "due", "--received", "2026-03-04T16:30", "--working-days", "0",
                 "--cutoff", "15:00"]) == 0
    assert capsys.readouterr().out.strip() == "Hạn trả kết quả: 05/03/2026 17:00 (Thứ Năm)"
    assert main(["hub", "calendar", "due", "--received", "13/02/2026", "--working-days", "3"]) == 2
    assert "không hợp lệ" in capsys.readouterr().err
    assert main(["hub", "calendar", "due", "--received", "2026-03-04T09:00", "--working-days", "0",
                 "--cutoff", "3pm"]) == 2
    assert "--cutoff" in capsys.readouterr().err


def test_calendar_due_after_a_supplement(capsys, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MOTCUA_DATA", str(tmp_path / "none"))
    base = ["hub", "calendar", "due", "--received", "2026-03-02T09:00", "--working-days", "5"]
    # Asked on Wed 4/3, completed Mon 9/3 10:00: 5 working days again from the completion → Mon 16/3.
    assert main([*base, "--supplement-sent", "2026-03-04T10:00", "--supplement-completed", "2026-03-09T10:00"]) == 0
    out = capsys.readouterr()
    assert out.out.strip() == "Hạn trả kết quả: 16/03/2026 17:00 (Thứ Hai)" and "tính lại từ đầu" in out.err
    # Asked after the 3 working days: said; completed after 15 days: closed, no due date.
    assert main([*base, "--supplement-sent", "2026-03-06T10:00", "--supplement-completed", "2026-03-09T10:00",
                 "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["due_at"] == "2026-03-16T17:00+07:00" and "sau hạn 03 ngày làm việc" in got["notes"][0]
    assert main([*base, "--supplement-sent", "2026-03-04T10:00", "--supplement-completed", "2026-03-20T09:00"]) == 1
    assert "đã bị đóng (dừng giải quyết) lúc 19/03/2026 17:00" in capsys.readouterr().out
    assert main([*base, "--supplement-sent", "2026-03-04T10:00"]) == 2


def test_calendar_due_uses_the_site_configuration(tmp_path: Path, capsys) -> None:
    prepare(tmp_path)
    cfg = tmp_path / "settings.json"
    cfg.write_text(json.dumps({"calendar": {"days_off": ["2026-03-03"], "hours": [["08:00", "12:00"],
                                                                                 ["13:00", "16:30"]]}}))
    assert main(["hub", "dossier", "settings", "--data", str(tmp_path), "--site", "demo", str(cfg)]) == 0
    capsys.readouterr()
    assert main(["hub", "calendar", "due", "--data", str(tmp_path), "--site", "demo",
                 "--received", "2026-03-02T09:00", "--working-days", "1"]) == 0
    assert capsys.readouterr().out.strip() == "Hạn trả kết quả: 04/03/2026 16:30 (Thứ Tư)"
    cfg.write_text(json.dumps({"calendar": {"hours": [["8h", "12:00"]]}}))
    assert main(["hub", "dossier", "settings", "--data", str(tmp_path), "--site", "demo", str(cfg)]) == 2
    assert "giờ làm việc không hợp lệ" in capsys.readouterr().err


def _history(tmp_path: Path) -> None:
    prepare(tmp_path)
    db = open_data_dir(tmp_path)
    counts = seed_year(db, "demo", 2500, random.Random(7), progress=False)
    # A few votes linked to dossiers returned in the reported week.
    from tests.dossier.conftest import local_ts

    rows = db.execute("SELECT code, officer, returned_at FROM dossiers WHERE returned_at >= ? AND returned_at < ? "
                      "ORDER BY returned_at LIMIT 12", [local_ts("2026-11-16T00:00"),
                                                        local_ts("2026-11-23T00:00")]).fetchall()
    assert len(rows) == 12
    with transaction(db):
        for i, (code, officer, at) in enumerate(rows):
            db.execute("INSERT INTO votes(site_id, ticket_id, counter, officer, service, rating, dossier_code, at, "
                       "reasons) VALUES('demo', ?, 1, ?, 'HT', ?, ?, ?, ?)",
                       [100000 + i, officer, 4 if i % 4 else 1, code, at,
                        "[]" if i % 4 else json.dumps(["waiting_time"] + (["attitude"] if i == 0 else []))])
    db.conn.close()
    assert counts["dossiers"] == 2500


def test_weekly_report_pdf(tmp_path: Path, capsys) -> None:
    _history(tmp_path)
    out = tmp_path / "w47.pdf"
    assert main(["hub", "report", "weekly", "--data", str(tmp_path), "--site", "demo", "--week", "2026-W47",
                 "--pdf", str(out), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    t = rep["report"]["total"]
    assert t["received"] == 50 and t["finished"] > 0
    assert t["late"] + t["open_overdue"] == t["late_with_apology"] + t["late_without_apology"]
    assert sum(v["received"] for v in rep["report"]["by_agency"].values()) == t["received"]
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(str(out)).pages).split())
    parts = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: /BC-", "BÁO CÁO", "tuần 47 năm 2026",
             "(từ 16/11/2026 đến 22/11/2026)", "I. TIẾP NHẬN VÀ PHỤC VỤ THEO SỐ THỨ TỰ", "Không có dữ liệu",
             "II. TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ", f"Hồ sơ tiếp nhận trong kỳ: {t['received']}",
             f"Hồ sơ trễ hạn có văn bản xin lỗi: {t['late_with_apology']}", "Tỷ lệ giải quyết đúng hạn",
             "Biểu đồ: hồ sơ đúng hạn và trễ hạn theo cơ quan", "1. Theo cơ quan giải quyết", "2. Theo lĩnh vực", "3. Theo công chức tiếp nhận",
             "4. Hồ sơ trễ hạn và cơ quan để chậm", "Cơ quan để chậm", "III. MỨC ĐỘ HÀI LÒNG",
             "1. Đánh giá tại quầy, theo công chức", "2. Đánh giá tại quầy, theo cơ quan",
             "4. Lý do chưa hài lòng", "Thời gian chờ lâu 3", "Thái độ phục vụ chưa tốt 1", "Nơi nhận:", "- Lưu: VT."]
    pos = -1
    for p in parts:
        nxt = text.find(p, pos + 1)
        assert nxt > pos, f"{p!r} missing or out of order"
        pos = nxt
    assert "Nguyễn Thị Lan" in text  # satisfaction per officer, by name
    rate = f"{t['on_time_rate'] * 100:.1f}%".replace(".", ",")
    assert f"Tỷ lệ giải quyết đúng hạn: {rate}" in text and "W47" not in text  # decimal comma, no ISO week
    reasons = rep["satisfaction"]["reasons"]  # issue #13: why citizens were not satisfied
    assert [(r["label"], r["count"]) for r in reasons] == [("Thời gian chờ lâu", 3), ("Thái độ phục vụ chưa tốt", 1)]
    assert sum(reasons[0]["by_officer"].values()) == 3
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "w47")], check=True)
    assert (tmp_path / "w47-1.png").exists()
    assert main(["hub", "report", "weekly", "--data", str(tmp_path), "--site", "demo", "--week", "2026-47"]) == 2
    assert "không hợp lệ" in capsys.readouterr().err


def test_register_export_csv_and_pdf(tmp_path: Path, capsys) -> None:
    _history(tmp_path)
    c, p = tmp_path / "so.csv", tmp_path / "so.pdf"
    assert main(["hub", "register", "export", "--data", str(tmp_path), "--site", "demo", "--from", "2026-11-16",
                 "--to", "2026-11-20", "--csv", str(c), "--pdf", str(p)]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("50 hồ sơ trong sổ (") and "quyển" in out
    with c.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    # One book per year and field: the first column names it, TT runs within it (the receipt's number).
    assert rows[0][:5] == ["Quyển số", "TT", "Mã hồ sơ", "Tên TTHC", "Số lượng hồ sơ (bộ)"] and len(rows[0]) == 15
    assert len(rows) == 51 and rows[1][2].startswith("TTHCC-261116-")
    for book in {r[0] for r in rows[1:]}:
        tts = [int(r[1]) for r in rows[1:] if r[0] == book]
        assert tts == sorted(tts) and len(set(tts)) == len(tts), book
    assert int(rows[1][1]) > 1, "TT restarted at 1 for a mid-November week: it is the export's row index"
    text = " ".join(PdfReader(str(p)).pages[0].extract_text().split())
    assert "SỔ THEO DÕI HỒ SƠ" in text and "Cơ quan chủ trì giải quyết" in text and rows[1][2] in text
    assert f"Quyển số: {rows[1][0]}" in text and "Mẫu số 07" in text


def test_catalog_import_replace_withdraws_what_the_file_no_longer_lists(tmp_path: Path, capsys) -> None:
    prepare(tmp_path)
    db = open_data_dir(tmp_path)
    with transaction(db):
        catalogue.load(db, json.loads(catalogue.STARTER.read_text(encoding="utf-8")))
    v1 = catalogue.version(db)
    starter = json.loads(catalogue.STARTER.read_text(encoding="utf-8"))
    keep = starter["procedures"][:3]
    broken = {**starter["procedures"][3], "documents": []}  # a bad entry is reported, not withdrawn
    f = tmp_path / "small.json"
    f.write_text(json.dumps({"procedures": [*keep, broken]}, ensure_ascii=False), encoding="utf-8")
    assert main(["hub", "catalog", "import", "--data", str(tmp_path), "--replace", str(f)]) == 1
    out = capsys.readouterr().out
    assert "đã rút 116 thủ tục không còn trong tệp" in out
    delta = catalogue.changes_since(db, v1)
    assert delta["version"] == v1 + 1 and len(delta["removed"]) == 116 and delta["procedures"] == []
    assert catalogue.count(db) == 4 and catalogue.get(db, broken["id"]) is not None


def test_dossier_form_reprint(tmp_path: Path, capsys) -> None:
    _history(tmp_path)
    db = open_data_dir(tmp_path)
    code = db.execute("SELECT code FROM dossiers WHERE apologies > 0 LIMIT 1").fetchone()[0]
    db.conn.close()
    out = tmp_path / "f.pdf"
    assert main(["hub", "dossier", "form", "--data", str(tmp_path), "--site", "demo", code, "--form", "apology",
                 "--pdf", str(out)]) == 0
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in PdfReader(str(out)).pages[0].extract_text()
    assert main(["hub", "dossier", "form", "--data", str(tmp_path), "--site", "demo", code, "--form", "06",
                 "--pdf", str(out)]) == 0
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in PdfReader(str(out)).pages[0].extract_text()
    assert main(["hub", "dossier", "form", "--data", str(tmp_path), "--site", "demo", "TTHCC-200101-0001",
                 "--form", "01", "--pdf", str(out)]) == 2
    assert "Không tìm thấy hồ sơ có mã này." in capsys.readouterr().err
