"""Reports over any period over a real hub (its Mosquitto, SQLite, the counter's and the tablet's MQTT verbs,
the HTTP API, the CLI): the figures are computed here from the tickets, votes and dossiers this test made,
on a clock set to known moments (never today's date), and compared with the report and the dashboard; the
period's edges are the site's midnights (Asia/Ho_Chi_Minh), a quarter spans Tết; numbered reports take the
site's series of the year with no gap and no reuse, signed; the PDF pages are rendered and kept."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from counter_terminal.core import CounterCore
from counter_terminal.dossier_core import DossierCore
from hub.cli import tokens as token_cli
from hub.domain import periods
from motcua_core import clock as wallclock
from tests.dossier.conftest import AGENCY_1, AGENCY_2, APPLICANT, DossierHub, local_ts

PROC = "cap-phep-xay-dung-lien-thong"  # 5 working days, two agencies
MIN = 60


def _token(dhub: DossierHub, capsys, role: str) -> str:
    args = argparse.Namespace(data=dhub.h.data, role=role, site="demo", agency=None, name=f"{role} thử")
    assert token_cli.cmd_token_add(args) == 0
    return json.loads(capsys.readouterr().out)["token"]


def _text(pdf: bytes) -> str:
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


MM = 72 / 25.4  # points per millimetre
STAMP = (595.28 - 36 - 230, 841.89 - 36 - 62)  # the signature's visible block (motcua_core.signing), bottom right


def outside_margins(path: Path) -> list[str]:
    """Words printed outside the decree's margins (30 mm left, 15 mm right, 20 mm top and bottom): the
    page number in the top margin and the signature's own block excepted."""
    import re

    box = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True).stdout
    bad = []
    for page, body in enumerate(box.split("<page ")[1:], 1):
        for x0, y0, x1, y1, word in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                                               r'yMax="([\d.]+)">([^<]*)</word>', body):
            x0, y0, x1, y1 = map(float, (x0, y0, x1, y1))
            if x0 >= STAMP[0] and y0 >= STAMP[1]:
                continue
            page_number = y1 < 20 * MM and word == str(page)
            if x0 < 30 * MM - 1 or x1 > 595.28 - 15 * MM + 1 or (not page_number and (
                    y0 < 20 * MM - 1 or y1 > 841.89 - 20 * MM + 1)):
                bad.append(f"page {page}: {word!r} at ({x0:.0f}, {y0:.0f})–({x1:.0f}, {y1:.0f})")
    return bad


def test_pure_periods_and_their_labels() -> None:
    p = periods.parse("2027-Q1")
    assert (p.kind, p.first, p.last, p.label) == ("quarter", date(2027, 1, 1), date(2027, 3, 31), "Quý I năm 2027")
    assert periods.parse("2026-w53").first == date(2026, 12, 28) and periods.parse("2026-W53").label == "Tuần 53 năm 2026"
    assert periods.parse("2026-H2").label == "6 tháng cuối năm 2026" and periods.parse("2026-h1").last == date(2026, 6, 30)
    r = periods.parse("03/11/2026..02/12/2026")
    assert (r.kind, r.spec, r.label) == ("range", "2026-11-03..2026-12-02", "Từ ngày 03/11/2026 đến ngày 02/12/2026")
    assert periods.containing("quarter", date(2027, 2, 8)).spec == "2027-Q1"
    for bad in ("2026-Q5", "Q1", "31/02/2026..01/03/2026", "2026-H3", ""):
        with pytest.raises(ValueError, match="không hợp lệ"):
            periods.parse(bad)
    with pytest.raises(ValueError, match="sau hoặc bằng"):
        periods.parse("02/12/2026..01/12/2026")


def test_reports_of_any_period_match_the_records_and_the_dashboard(dhub: DossierHub, tmp_path: Path, capsys,
                                                                   artifacts_dir: Path) -> None:
    from motcua.cli import main

    kiosk = dhub.h.device("kiosk")
    c1, c2 = CounterCore(dhub.h.device("counter", counter=1)), CounterCore(dhub.h.device("counter", counter=2))
    tablet = dhub.h.device("voting", counter=1)
    for c, user, pin in ((c1, "lan1", "1111"), (c2, "hung2", "2222")):
        c.login(user, pin)
        c.open()
        dhub.morning_sign_in.append((c, user, pin))
    desk = DossierCore(c1.session, tmp_path / "printed")
    leader, officer = _token(dhub, capsys, "leader"), _token(dhub, capsys, "officer")

    made: list[dict] = []  # what this test did, to compute the figures from

    def visit(service: str, counter: CounterCore, issued: str, called: str, done: str | None, *,
              vote: tuple[int, list[str]] | None = None, between=None) -> dict:  # noqa: ANN001
        dhub.set_time(issued)
        t = kiosk.request("ticket.issue", {"service": service})["ticket"]
        dhub.set_time(called)
        assert counter.next()["id"] == t["id"]
        if between is not None:
            between()
        if done is None:
            counter.skip()
        else:
            dhub.set_time(done)
            counter.session.request("counter.complete", {"ticket_id": t["id"], "token": counter.session.officer_token})
            counter.current = None
            if vote is not None:
                tablet.request("vote.submit", {"ticket_id": t["id"], "rating": vote[0], "reasons": vote[1]})
        # the ticket's own record: the hub's clock runs on between the test's steps, by milliseconds
        at, first_called = dhub.on_loop(lambda: dhub.db.execute(
            "SELECT issued_at, first_called_at FROM tickets WHERE id = ?", [t["id"]]).fetchone())
        assert abs(at - local_ts(issued)) < 5 and abs(first_called - local_ts(called)) < 5
        made.append({"service": service, "issued": at, "called": first_called,
                     "status": "no_show" if done is None else "done", "vote": vote})
        return t

    # The last minutes of 2026 and the first of 2027 (00:05 in Vietnam is still 31/12 in UTC).
    visit("HT", c1, "2026-12-31T23:30", "2026-12-31T23:35", "2026-12-31T23:40", vote=(4, []))
    visit("HT", c1, "2027-01-01T00:05", "2027-01-01T00:25", "2027-01-01T00:30", vote=(1, ["waiting_time"]))
    # Papers refused at the counter (no dossier), then a dossier finished on time by both agencies.
    dhub.set_time("2027-01-04T08:00")
    desk.refuse("Trần Thị Bình", ["Thửa đất không thuộc địa bàn quản lý của xã Hòa An"], request="Cấp phép xây dựng")
    first = desk.intake(PROC, APPLICANT, [0, 1, 2])["code"]
    t1, t2 = dhub.tokens[AGENCY_1], dhub.tokens[AGENCY_2]
    dhub.set_time("2027-01-05T09:00")
    for token in (t1, t2):
        assert dhub.http("POST", f"/api/v1/agency/dossiers/{first}/accept", {}, token=token)[0] == 200
        assert dhub.http("POST", f"/api/v1/agency/dossiers/{first}/finish", {}, token=token)[0] == 200
    # A citizen who did not answer the call on a day of Tết (Mon 8/2/2027), served by counter 2.
    visit("CT", c2, "2027-02-08T09:00", "2027-02-08T09:05", None)
    # After Tết: a dossier received at the counter while a ticket is served; the agency asks for a supplement.
    second: list[str] = []
    visit("HT", c1, "2027-02-15T08:00", "2027-02-15T08:10", "2027-02-15T08:20", vote=(4, []),
          between=lambda: second.append(desk.intake(PROC, APPLICANT, [0, 1, 2])["code"]))
    # The dashboard of that day and the report of that one day say the same.
    dash = dhub.http("GET", "/api/v1/sites/demo/dashboard", token=leader)[1]["totals"]
    status, day = dhub.http("GET", "/api/v1/sites/demo/reports/period.json?from=15/02/2027&to=15/02/2027", token=leader)
    assert status == 200, day
    for k in ("issued", "served", "no_show", "avg_wait_s", "longest_wait_s", "on_time_rate"):
        assert day["queue"]["total"][k] == dash[k], k
    assert day["queue"]["total"]["issued"] == 1 and abs(day["queue"]["total"]["avg_wait_s"] - 10 * MIN) <= 5
    # The quarter asked now, before its end: the dossier just received falls due later in it, not late yet.
    now_q1 = dhub.http("GET", "/api/v1/sites/demo/reports/period.json?period=2027-Q1", token=leader)[1]
    assert (now_q1["report"]["total"]["received"], now_q1["report"]["total"]["open_overdue"]) == (2, 0)
    dhub.set_time("2027-02-16T09:00")
    assert dhub.http("POST", f"/api/v1/agency/dossiers/{second[0]}/accept", {}, token=t1)[0] == 200
    assert dhub.http("POST", f"/api/v1/agency/dossiers/{second[0]}/supplement", {"reason": "Bổ sung bản vẽ mặt bằng"},
                     token=t1)[0] == 200
    # The last minutes of the quarter, and the first of the next.
    visit("HT", c1, "2027-03-31T23:50", "2027-03-31T23:52", "2027-03-31T23:55")
    visit("HT", c1, "2027-04-01T00:01", "2027-04-01T00:03", "2027-04-01T00:06")
    dhub.set_time("2027-04-02T09:00")

    # --- the figures, computed from what was made --------------------------------------------------
    s, e = local_ts("2027-01-01T00:00"), local_ts("2027-04-01T00:00")
    mine = [m for m in made if s <= m["issued"] < e]
    waits = [m["called"] - m["issued"] for m in mine]
    want = {"issued": len(mine), "served": sum(m["status"] == "done" for m in mine),
            "no_show": sum(m["status"] == "no_show" for m in mine), "avg_wait_s": round(sum(waits) / len(waits)),
            "longest_wait_s": round(max(waits)), "on_time_rate": round(sum(w <= 15 * MIN for w in waits) / len(waits), 3)}
    assert {k: want[k] for k in ("issued", "served", "no_show", "on_time_rate")} == {
        "issued": 4, "served": 3, "no_show": 1, "on_time_rate": 0.75}  # the test's own arithmetic, stated once
    assert abs(want["avg_wait_s"] - 555) <= 5 and abs(want["longest_wait_s"] - 1200) <= 5

    status, q1 = dhub.http("GET", "/api/v1/sites/demo/reports/period.json?period=2027-Q1", token=leader)
    assert status == 200, q1
    q = q1["queue"]
    assert {k: q["total"][k] for k in want} == want
    assert {x["key"]: x["issued"] for x in q["by_service"]} == {"HT": 3, "CT": 1}
    assert {x["key"]: (x["issued"], x["no_show"]) for x in q["by_counter"]} == {"1": (3, 0), "2": (1, 1)}
    assert {x["name"]: x["issued"] for x in q["by_officer"]} == {"Nguyễn Thị Lan": 3, "Trần Văn Hùng": 1}
    assert [(x["name"], x["issued"]) for x in q["by_hour"]] == [("0h–1h", 1), ("8h–9h", 1), ("9h–10h", 1),
                                                                ("23h–24h", 1)]
    # Dossiers: received, refused at intake (counted now), the supplement request, the one still open.
    t, ev = q1["report"]["total"], q1["dossier_events"]
    assert (t["received"], t["finished"], t["on_time"]) == (2, 1, 1)
    assert (ev["refused_at_intake"], ev["supplement_requests"], ev["in_progress_at_end"]) == (1, 1, 1)
    # Satisfaction: the same votes by officer and by agency (a vote with no dossier is about the unit).
    votes = [m["vote"] for m in mine if m["vote"]]
    sat = q1["satisfaction"]
    assert sum(v["votes"] for v in sat["by_officer"].values()) == len(votes) == 2
    assert sum(v["votes"] for v in sat["by_agency"].values()) == len(votes)
    assert sum(v["satisfied"] for v in sat["by_agency"].values()) == sum(r >= 3 for r, _ in votes) == 1
    assert [(r["label"], r["count"]) for r in sat["reasons"]] == [("Thời gian chờ lâu", 1)]
    # The 766 figures go with a quarter; its on-time counts agree with the dossier section's.
    assert q1["index766"]["figures"]["progress"]["received"] == t["received"]

    # The quarter before holds the last ticket of 2026 only; a week across the new year holds both.
    q4 = dhub.http("GET", "/api/v1/sites/demo/reports/period.json?period=2026-Q4", token=leader)[1]
    assert q4["queue"]["total"]["issued"] == 1 and q4["queue"]["total"]["served"] == 1
    w53 = dhub.http("GET", "/api/v1/sites/demo/reports/period.json?period=2026-W53", token=leader)[1]
    assert w53["queue"]["total"]["issued"] == 2 and w53["period_label"] == "Tuần 53 năm 2026" and not w53["index766"]
    # Nothing in a month with no activity: no data, not "not met".
    status, raw = dhub.http("GET", "/api/v1/sites/demo/reports/period.pdf?period=2026-10", token=leader)
    empty = _text(raw)
    assert "Không có dữ liệu" in empty and "chưa đạt" not in empty and "không có hồ sơ giải quyết trong kỳ" in empty

    # --- refusals ---------------------------------------------------------------------------------
    assert dhub.http("GET", "/api/v1/sites/demo/reports/period.json?period=2027-Q1", token=officer)[0] == 403
    assert dhub.http("GET", "/api/v1/sites/demo/reports/period.json?period=2027-Q1")[0] == 401
    status, err = dhub.http("GET", "/api/v1/sites/demo/reports/period.json?period=Q1-2027", token=leader)
    assert status == 400 and "không hợp lệ" in err["error"]["message_vi"]
    status, err = dhub.http("GET", "/api/v1/sites/demo/reports/period.json?from=31/03/2027&to=01/01/2027", token=leader)
    assert status == 400 and "sau hoặc bằng" in err["error"]["message_vi"]

    # --- CSV for Excel ---------------------------------------------------------------------------------
    status, csv_raw = dhub.http("GET", "/api/v1/sites/demo/reports/period.csv?period=2027-Q1", token=leader)
    assert status == 200 and csv_raw[:3] == b"\xef\xbb\xbf"
    csv_text = csv_raw.decode("utf-8-sig")
    total_row = next(line for line in csv_text.splitlines() if ",tổng cộng,,4," in line)
    assert "Quý I năm 2027" in csv_text and total_row.startswith(",tổng cộng,,4,3,1,9.") and total_row.endswith(",75.0")

    # --- numbered reports: the series of the year, no gap, no reuse, signed -------------------------
    dhub.set_time("2027-04-02T10:00")
    body = {"period": "2027-Q1", "recipients": ["Ủy ban nhân dân xã Hòa An (để báo cáo)", "Văn phòng UBND xã"],
            "signer_title": "Giám đốc", "signer_name": "Nguyễn Văn Bình"}
    status, one = dhub.http("POST", "/api/v1/sites/demo/reports/issued", body, token=leader)
    assert status == 201, one
    status, two = dhub.http("POST", "/api/v1/sites/demo/reports/issued", {"period": "2027-03"}, token=leader)
    assert (one["year"], one["number"], two["number"]) == (2027, 1, 2)
    assert one["number_line"].startswith("Số: 01/BC-")
    assert dhub.http("POST", "/api/v1/sites/demo/reports/issued", {"period": "2027-Q1"}, token=officer)[0] == 403
    assert dhub.http("POST", "/api/v1/sites/demo/reports/issued", {"period": "bad"}, token=leader)[0] == 400
    listed = dhub.http("GET", "/api/v1/sites/demo/reports/issued", token=leader)[1]["reports"]
    assert [r["number"] for r in listed] == [2, 1]
    status, signed = dhub.http("GET", one["pdf"], token=leader)
    assert status == 200 and signed[:5] == b"%PDF-"
    again = dhub.http("GET", one["pdf"], token=leader)[1]
    assert again == signed  # the issued document is kept, not made again
    assert dhub.http("GET", "/api/v1/sites/demo/reports/issued/2027/9.pdf", token=leader)[0] == 404
    from hub import signing_keys
    from motcua_core import signing
    from tests.support.pdfa import failures

    assert failures(signed) == []  # PDF/A-2 as it claims, by an independent validator, signature included
    checks = signing.validate(signed, signing_keys.trust_roots(dhub.db))
    assert checks and all(c.intact and c.valid and c.trusted for c in checks)
    text = _text(signed)
    for part in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", one["number_line"],
                 "Hòa An, ngày 02 tháng 04 năm 2027", "BÁO CÁO", "quý I năm 2027",
                 "(từ 01/01/2027 đến 31/03/2027)", "I. TIẾP NHẬN VÀ PHỤC VỤ THEO SỐ THỨ TỰ",
                 "Tổng số thứ tự đã cấp: 4; đã phục vụ: 3; vắng mặt: 1", "Tỷ lệ được gọi trong thời gian chờ mục tiêu "
                 "của dịch vụ: 75,0%", "từ chối tiếp nhận tại Bộ phận một cửa: 1", "III. MỨC ĐỘ HÀI LÒNG",
                 "IV. CHỈ SỐ PHỤC VỤ NGƯỜI DÂN", "Nơi nhận:", "- Ủy ban nhân dân xã Hòa An (để báo cáo);",
                 "- Lưu: VT.", "GIÁM ĐỐC", "Nguyễn Văn Bình"):
        assert part in text, part
    assert "Chưa có đánh giá" not in text
    pages = PdfReader(io.BytesIO(signed)).pages
    assert len(pages) >= 2 and pages[1].extract_text().strip().startswith("2")  # numbered from page 2
    out = artifacts_dir / "reports"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bao-cao-2027-Q1-so-01.pdf").write_bytes(signed)
    (out / "bao-cao-2026-10-trong.pdf").write_bytes(raw)
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(out / "bao-cao-2027-Q1-so-01.pdf"), str(out / "quy-1-2027")],
                   check=True)
    assert outside_margins(out / "bao-cao-2027-Q1-so-01.pdf") == []
    assert outside_margins(out / "bao-cao-2026-10-trong.pdf") == []
    subprocess.run(["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", str(out / "bao-cao-2026-10-trong.pdf"),
                    str(out / "thang-10-2026-trong")], check=True)

    # --- the command line: the same figures, and the next number of the series ------------------------
    assert main(["hub", "report", "period", "--data", str(dhub.h.data), "--site", "demo", "--from", "01/01/2027",
                 "--to", "31/03/2027", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert {k: cli["queue"]["total"][k] for k in want} == want and cli["period_label"].startswith("Từ ngày 01/01/2027")
    pdf_path = tmp_path / "q1.pdf"
    assert main(["hub", "report", "issue", "--data", str(dhub.h.data), "--site", "demo", "--period", "2027-Q1",
                 "--pdf", str(pdf_path)]) == 0
    # The CLI runs on the machine's clock: in 2027 the series goes on at 03, in any other year it starts at 01.
    cli_year = datetime.fromtimestamp(wallclock.time(), ZoneInfo("Asia/Ho_Chi_Minh")).year
    assert f"Số: {3 if cli_year == 2027 else 1:02d}/BC-BPTNTKQ" in capsys.readouterr().out
    assert pdf_path.read_bytes()[:5] == b"%PDF-"
    # Signed with the director's own certificate (PKCS#12) rather than the centre's; a wrong passphrase
    # takes no number.
    from motcua_core import pki

    ca = pki.make_ca("CA thử nghiệm (tự cấp)")
    director = pki.issue(ca, "Nguyễn Văn Bình", "Bộ phận Tiếp nhận và Trả kết quả huyện Hòa An")
    p12 = tmp_path / "giam-doc.p12"
    p12.write_bytes(director.pkcs12(b"mat-khau-ky", [ca.cert]))
    base = ["hub", "report", "issue", "--data", str(dhub.h.data), "--site", "demo", "--period", "2027-Q1",
            "--p12", str(p12), "--signer-title", "Giám đốc", "--signer-name", "Nguyễn Văn Bình"]
    import os

    os.environ["MOTCUA_P12_PASSPHRASE"] = "sai"
    try:
        assert main([*base, "--pdf", str(tmp_path / "x.pdf")]) == 2
        assert "sai mật khẩu" in capsys.readouterr().err
        os.environ["MOTCUA_P12_PASSPHRASE"] = "mat-khau-ky"
        assert main([*base, "--pdf", str(tmp_path / "gd.pdf")]) == 0
    finally:
        del os.environ["MOTCUA_P12_PASSPHRASE"]
    # the next number after the CLI's first: the refused attempt took none
    assert f"Số: {4 if cli_year == 2027 else 2:02d}/BC-BPTNTKQ" in capsys.readouterr().out
    by_director = signing.validate((tmp_path / "gd.pdf").read_bytes(), [ca.cert_pem()])
    assert [(v.signer, v.intact and v.valid and v.trusted) for v in by_director] == [("Nguyễn Văn Bình", True)]
    kept = tmp_path / "so-01.pdf"
    assert main(["hub", "report", "issued", "--data", str(dhub.h.data), "--site", "demo", "--year", "2027",
                 "--number", "1", "--pdf", str(kept)]) == 0
    assert kept.read_bytes() == signed  # the same document the console gave, not a new one
    assert main(["hub", "report", "issued", "--data", str(dhub.h.data), "--site", "demo"]) == 0
    listing = capsys.readouterr().out
    assert "Số: 02/BC-BPTNTKQ" in listing and "Báo cáo quý I năm 2027" in listing
    assert main(["hub", "report", "period", "--data", str(dhub.h.data), "--site", "demo", "--period", "2027-Q9"]) == 2
    assert "không hợp lệ" in capsys.readouterr().err
