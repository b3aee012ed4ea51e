"""A citizen looks a dossier up on the province's public page with the receipt's code and key, whichever
commune received it — also while that commune's link is cut (the province answers from its copy)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

from counter_terminal.core import CounterCore
from devicekit.session import DeviceSession
from tests.support.hubproc import register
from tests.support.province import province

APPLICANT = {"name": "Nguyễn Văn An", "cccd": "001090012345", "phone": "0912345678",
             "address": "Số 12 đường Lê Lợi"}


def _procedure(pid: str) -> dict:
    from hub.store import catalogue

    doc = json.loads(catalogue.STARTER.read_text(encoding="utf-8"))
    return next(p for p in doc["procedures"] if p["id"] == pid)


def _lookup(port: int, code: str, key: str) -> tuple[int, dict]:
    url = f"http://127.0.0.1:{port}/api/v1/province/dossiers/{code}?key={key}"
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_lookup_at_the_province_by_code_and_key(tmp_path: Path) -> None:
    p = province(tmp_path, 1, with_catalogue=True)
    try:
        a = p.communes[0]
        cfg = register(a.data, "counter", a.proc.mqtt_port, counter=1, site=a.site, request_timeout_s=10.0)
        import time

        time.sleep(1.5)
        session = DeviceSession(cfg)
        session.start()
        assert session.wait_connected(30)
        try:
            counter = CounterCore(session)
            counter.login("lan1", "1111")
            counter.open()
            docs = list(range(len(_procedure("nhan-cha-me-con")["documents"])))
            r = session.request("dossier.intake", {"token": session.officer_token, "procedure": "nhan-cha-me-con",
                                                   "applicant": APPLICANT, "documents": docs})
            assert r.get("complete"), r
        finally:
            session.stop()
        code, key = r["code"], r["lookup_key"]
        p.wait_caught_up(a, 30)
        a.cut()  # the commune's link is down: the province answers from its copy
        status, view = _lookup(p.proc.http_port, code, key)
        assert status == 200, view
        assert view["code"] == code and view["received_by"] == f"Xã {a.site}" and view["status_vi"]
        assert view["applicant"] != APPLICANT["name"]  # masked
        assert _lookup(p.proc.http_port, code, "2345")[0] == 200  # the CCCD's last digits
        status, wrong = _lookup(p.proc.http_port, code, "SAIMA123")
        assert status == 404 and "Không tìm thấy" in wrong["error"]["message_vi"]
        with urllib.request.urlopen(f"http://127.0.0.1:{p.proc.http_port}/tra-cuu", timeout=10) as page:
            assert "Tra cứu hồ sơ" in page.read().decode()
    finally:
        p.stop()
