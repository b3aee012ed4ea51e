"""Deadlines over the real hub: at-risk alerts (agency, unit, citizen by e-mail through a real local SMTP
server and SMS through a real local HTTP gateway), the apology with a new date, and how late dossiers
are counted in the weekly report."""

from __future__ import annotations

import asyncio
import json
import threading
from email import message_from_bytes
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader

from counter_terminal.core import CounterCore
from counter_terminal.dossier_core import DossierCore
from hub.notify.senders import load as load_senders
from hub.ops import dossier_tasks, reports
from hub.store.sites import get_site
from motcua_core.errors import RequestError
from tests.dossier.conftest import AGENCY_1, AGENCY_2, APPLICANT, DossierHub, seed
from tests.support.hubproc import InProcessHub
from tests.support.net import free_port

PROC = "cap-phep-xay-dung-lien-thong"


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(message_from_bytes(envelope.content, policy=email_policy))
        return "250 OK"


class SmsGateway(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        SmsGateway.received.append({"auth": self.headers.get("Authorization"), **json.loads(body)})
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"status":"queued"}')

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def world(tmp_path: Path):
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    SmsGateway.received = []
    gw = HTTPServer(("127.0.0.1", free_port()), SmsGateway)
    threading.Thread(target=gw.serve_forever, daemon=True).start()
    tokens = seed(tmp_path)
    (tmp_path / "notify.json").write_text(json.dumps({
        "email": {"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "from": "motcua@hoaan.example.vn"},
        "sms": {"url": f"http://127.0.0.1:{gw.server_port}/send", "token": "secret-sms"}}))
    h = InProcessHub(tmp_path)
    d = DossierHub(h, tokens)
    d.set_time("2026-11-25T08:00")
    h.start()
    yield d, inbox
    h.stop()
    smtp.stop()
    gw.shutdown()


def deliver(d: DossierHub) -> int:
    senders = load_senders(d.h.data)
    return asyncio.run_coroutine_threadsafe(dossier_tasks.deliver(d.h.hub, senders), d.h.thread.loop).result(30)


def test_at_risk_late_apology_and_weekly_counts(world, tmp_path: Path) -> None:
    d, inbox = world
    counter = CounterCore(d.h.device("counter", counter=1))
    counter.login("lan1", "1111")
    counter.open()
    desk = DossierCore(counter.session, tmp_path / "printed")
    applicant = {**APPLICANT, "notify": ["email", "sms"]}
    late_apologised = desk.intake(PROC, applicant, [0, 1, 2])["code"]
    late_silent = desk.intake(PROC, {**applicant, "name": "Trần Thị Bình", "notify": ["email"]}, [0, 1, 2])["code"]
    d.set_time("2026-11-25T10:31")
    d.tick()
    t1 = d.tokens[AGENCY_1]
    for code in (late_apologised, late_silent):
        d.http("POST", f"/api/v1/agency/dossiers/{code}/accept", {}, token=t1)

    # Due Wed 2 Dec 17:00. The alert comes 2 working days ahead (the default), so that the apology can be
    # sent at least 1 day before the deadline (Decree 118/2025, Art. 19(6)): on Mon 30 Nov at 16:55
    # 16 h 05 remain (on track); on Tue 1 Dec at 07:31 under 16 h → at risk, alerted once.
    d.set_time("2026-11-30T16:55")
    assert d.tick()["at_risk"] == 0
    d.set_time("2026-12-01T07:31")
    assert d.tick()["at_risk"] == 2
    assert d.tick()["at_risk"] == 0, "an at-risk alert was sent twice"
    status, lst = d.http("GET", "/api/v1/agency/dossiers", token=t1)
    assert {x["risk"] for x in lst["dossiers"]} == {"at_risk"}
    assert deliver(d) >= 7  # 2×(agency + unit) + 2 e-mails + 1 SMS
    mails = [m for m in inbox.messages if m["To"] == "an.nguyen@example.vn"]
    assert mails and mails[0]["Subject"] == "Hồ sơ sắp đến hạn trả kết quả"
    alert = d.on_loop(lambda: d.db.execute("SELECT body FROM notifications WHERE kind = 'at_risk' AND channel = "
                                           "'agency' ORDER BY id").fetchone()[0])
    assert "chậm nhất 17:00 ngày 01/12/2026" in alert, alert
    assert late_apologised in mails[0].get_content()
    sms = SmsGateway.received
    assert sms == [{"auth": "Bearer secret-sms", "to": "0912345678",
                    "text": sms[0]["text"]}] and late_apologised in sms[0]["text"]

    # The unit issues the apology for one of them, with a new date two working days later (signed in
    # again: a week has passed since the intake, and a sign-in lasts a working day).
    counter.login("lan1", "1111")
    d.set_time("2026-12-01T09:00")
    with pytest.raises(RequestError) as e:
        desk.apologise(late_apologised, "   ", extra_days=2)
    assert "lý do" in e.value.message_vi
    a = desk.apologise(late_apologised, "Cần kiểm tra thực địa bổ sung", extra_days=2)
    assert a["new_due_at"] == "2026-12-04T17:00+07:00"
    text = " ".join(PdfReader(str(a["printed"].pdf)).pages[0].extract_text().split())
    for part in ("VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", "Kính gửi: Ông (bà) Nguyễn Văn An",
                 f"Mã hồ sơ: {late_apologised}", "17 giờ 00 phút, ngày 02 tháng 12 năm 2026",
                 "vì lý do: Cần kiểm tra thực địa bổ sung", "ngày 04 tháng 12 năm 2026", "THỦ TRƯỞNG CƠ QUAN"):
        assert part in text, part
    # The agency at fault speaks and numbers it, not the reception unit.
    assert f"Tuy nhiên đến nay, {AGENCY_1} chưa trả kết quả" in text and "Số: 1/PXL" in text
    assert f"{AGENCY_1} xin lỗi Ông (bà)" in text
    assert d.public(late_apologised)[1]["due_at"] == "2026-12-04T17:00+07:00"
    deliver(d)
    apology_mail = [m for m in inbox.messages if m["Subject"] == "Xin lỗi và hẹn lại ngày trả kết quả"]
    assert len(apology_mail) == 1 and "04/12/2026" in apology_mail[0].get_content()
    # A new date only once; and not on the deadline's own day.
    with pytest.raises(RequestError) as e:
        desk.apologise(late_apologised, "Lại chậm", extra_days=1)
    assert "một lần" in e.value.message_vi
    d.set_time("2026-12-02T08:00")
    counter.login("lan1", "1111")
    with pytest.raises(RequestError) as e:
        desk.apologise(late_silent, "Chậm", extra_days=2)
    assert "chậm nhất 01 ngày trước ngày hết hạn" in e.value.message_vi

    # Past due: the silent one is flagged late without apology to agency and unit.
    d.set_time("2026-12-03T08:00")
    assert d.tick()["late"] == 2
    rows = d.on_loop(lambda: d.db.execute(
        "SELECT dossier_code, channel FROM notifications WHERE kind = 'late' ORDER BY id").fetchall())
    assert [tuple(r) for r in rows] == [(late_silent, "agency"), (late_silent, "unit")]

    # Both finished on 3 Dec, after the second agency (late); the weekly report of 2026-W49 counts them apart.
    for code in (late_apologised, late_silent):
        status, body = d.http("POST", f"/api/v1/agency/dossiers/{code}/finish", {}, token=t1)
        assert status == 200, body
    d.set_time("2026-12-03T10:31")
    assert d.tick()["moved"] == 0, "each went on to agency 2 as soon as agency 1 finished"
    for code in (late_apologised, late_silent):
        d.http("POST", f"/api/v1/agency/dossiers/{code}/accept", {}, token=d.tokens[AGENCY_2])
        status, body = d.http("POST", f"/api/v1/agency/dossiers/{code}/finish", {}, token=d.tokens[AGENCY_2])
        assert status == 200 and body["timeliness"] == "late", body
    rep = d.on_loop(lambda: reports.weekly(d.db, get_site(d.db, "demo"), "2026-W49"))
    t = rep["report"]["total"]
    assert (t["finished"], t["on_time"], t["late"], t["late_with_apology"], t["late_without_apology"]) == \
        (2, 0, 2, 1, 1)
    assert t["on_time_rate"] == 0.0
    assert rep["report"]["by_agency"][AGENCY_1]["late_with_apology"] == 1
    w48 = d.on_loop(lambda: reports.weekly(d.db, get_site(d.db, "demo"), "2026-W48"))["report"]["total"]
    assert w48["received"] == 2 and w48["finished"] == 0
