"""Retire instead of delete, over the real hub and real devices: a retired service leaves the kiosk and the
counters that served it while its tickets stay readable; a retired counter leaves the dashboard and its
terminal is refused; a retired officer cannot sign in; each comes back when restored; what would strand a
citizen is refused in Vietnamese; every step is in the audit log. Also the officers' list (Vietnamese
order, agency, counters) and the pick-lists' data."""

from __future__ import annotations

import time

import pytest

from counter_terminal.core import CounterCore
from kiosk.core import KioskCore
from motcua_core.collation import vi_key
from motcua_core.errors import RequestError
from tests.support.hubproc import InProcessHub
from tests.web.conftest import Client

RETIRE = "/api/v1/sites/demo/retire"


def until(pred, timeout: float = 30.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def codes(kiosk: KioskCore) -> set[str]:
    return {s["code"] for s in kiosk.services}


def test_a_retired_service_leaves_the_kiosk_and_counters_and_comes_back(console: InProcessHub,
                                                                        client: Client) -> None:
    client.sign_in("quantri")
    kiosk = KioskCore(console.device("kiosk"))
    assert until(lambda: "KD" in codes(kiosk))
    ticket = kiosk.issue_ticket("KD")
    # A citizen waits for KD: retiring it would strand them.
    status, body = client.call("POST", RETIRE, {"kind": "service", "key": "KD"})
    assert status == 409 and body["error"]["message_vi"].startswith("Còn 1 người đang chờ dịch vụ KD")
    # Counter 3 serves only CT: retiring CT would leave it serving nothing.
    status, body = client.call("POST", RETIRE, {"kind": "service", "key": "CT"})
    assert status == 409 and "Quầy 3 chỉ phục vụ dịch vụ CT" in body["error"]["message_vi"]
    counter = CounterCore(console.device("counter", counter=6))
    counter.login("lan1", "1111")
    counter.open()
    assert counter.next()["number"] == ticket["number"]
    counter.complete()
    status, body = client.call("POST", RETIRE, {"kind": "service", "key": "KD"})
    assert status == 200 and body == {"kind": "service", "key": "KD", "name": "Đăng ký kinh doanh", "retired": True}
    assert until(lambda: "KD" not in codes(kiosk))
    with pytest.raises(RequestError):
        kiosk.issue_ticket("KD")
    cfg = client.call("GET", "/api/v1/sites/demo/config")[1]
    assert next(c for c in cfg["counters"] if c["number"] == 6)["services"] == ["NV"]
    assert [s["code"] for s in cfg["retired"]["services"]] == ["KD"]
    # Its history stays: the served ticket's page still names it.
    status, page = client.call("GET", f"/t/demo/{ticket['id']}")
    assert status == 200 and ticket["number"] in page
    assert client.call("POST", RETIRE, {"kind": "service", "key": "KD"})[1]["error"]["message_vi"] == \
        "Dịch vụ KD đã ngừng rồi."
    status, body = client.call("POST", RETIRE, {"kind": "service", "key": "KD", "retired": False})
    assert status == 200 and body["retired"] is False
    assert until(lambda: "KD" in codes(kiosk))
    assert kiosk.issue_ticket("KD")["number"]
    actions = [r["action"] for r in client.call("GET", "/api/v1/sites/demo/audit?action=service")[1]["entries"]]
    assert actions[:2] == ["service.restore", "service.retire"]


def test_a_retired_counter_leaves_the_dashboard_and_its_terminal_is_refused(console: InProcessHub,
                                                                           client: Client) -> None:
    client.sign_in("quantri")
    counter = CounterCore(console.device("counter", counter=4))
    counter.login("lan1", "1111")
    counter.open()
    status, body = client.call("POST", RETIRE, {"kind": "counter", "key": "4"})
    assert status == 409 and body["error"]["message_vi"] == "Quầy 4 đang mở; hãy đóng quầy trước khi ngừng."
    counter.close()
    status, body = client.call("POST", RETIRE, {"kind": "counter", "key": "4"})
    assert status == 200 and body["retired"] is True
    board = client.call("GET", "/api/v1/sites/demo/dashboard")[1]
    assert 4 not in [c["number"] for c in board["counters"]]
    with pytest.raises(RequestError) as refused:
        counter.open()
    assert "Quầy 4 đã ngừng hoạt động" in refused.value.message_vi
    cfg = client.call("GET", "/api/v1/sites/demo/config")[1]
    assert [c["number"] for c in cfg["retired"]["counters"]] == [4]
    assert 4 not in [c["number"] for c in cfg["counters"]]
    # No citizen can be sent to it from another counter.
    other = CounterCore(console.device("counter", counter=1))
    other.login("hung2", "2222")
    other.open()
    KioskCore(console.device("kiosk")).issue_ticket("HT")
    other.next()
    with pytest.raises(RequestError) as refused:
        other.transfer(to_counter=4)
    assert refused.value.message_vi == "Không có quầy số 4."
    # No new device can be registered for it.
    status, body = client.call("POST", "/api/v1/sites/demo/devices", {"role": "counter", "counter": 4})
    assert status == 404
    assert client.call("POST", RETIRE, {"kind": "counter", "key": "4", "retired": False})[0] == 200
    counter.open()
    board = client.call("GET", "/api/v1/sites/demo/dashboard")[1]
    assert next(c for c in board["counters"] if c["number"] == 4)["status"] == "open"


def test_a_retired_officer_cannot_sign_in_until_restored(console: InProcessHub, client: Client) -> None:
    client.sign_in("quantri")
    counter = CounterCore(console.device("counter", counter=2))
    counter.login("trang3", "3333")
    assert client.call("POST", RETIRE, {"kind": "officer", "key": "le-thu-trang"})[0] == 200
    with pytest.raises(RequestError):
        counter.open()  # signed out at once
    with pytest.raises(RequestError):
        counter.login("trang3", "3333")
    row = next(o for o in client.call("GET", "/api/v1/sites/demo/officers")[1]["officers"] if o["id"] == "le-thu-trang")
    assert row["active"] is False
    # The site's configuration document says so too (a copy loaded elsewhere, a rebuild, keeps them retired).
    doc = next(o for o in client.call("GET", "/api/v1/sites/demo/config")[1]["officers"] if o["id"] == "le-thu-trang")
    assert doc["active"] is False
    # A retired officer can still be edited from the list (their name, agency): they stay retired.
    status, body = client.call("POST", "/api/v1/sites/demo/officers", {"id": "le-thu-trang", "name": "Lê Thu Trang"})
    assert status == 200
    with pytest.raises(RequestError):
        counter.login("trang3", "3333")
    assert client.call("POST", RETIRE, {"kind": "officer", "key": "le-thu-trang", "retired": False})[0] == 200
    assert counter.login("trang3", "3333")["officer"]["id"] == "le-thu-trang"
    rows = client.call("GET", "/api/v1/sites/demo/audit?action=officer.re")[1]["entries"]
    assert [r["action_vi"] for r in rows] == ["Khôi phục cán bộ", "Cán bộ ngừng làm việc"]
    assert all(r["target"] == "le-thu-trang" for r in rows)


def test_the_officers_list_in_vietnamese_order_with_agency_and_counters(console: InProcessHub,
                                                                        client: Client) -> None:
    client.sign_in("quantri")
    cfg = client.call("GET", "/api/v1/sites/demo/config")[1]
    agencies = cfg["agencies"]
    assert agencies and agencies == sorted(agencies, key=vi_key)
    assert client.call("POST", "/api/v1/sites/demo/officers",
                       {"id": "dang-van-an", "name": "Đặng Văn An", "agency": agencies[0]})[0] == 200
    assert client.call("POST", "/api/v1/sites/demo/officers", {"id": "do-thi-be", "name": "Đỗ Thị Bé"})[0] == 200
    assert client.call("POST", "/api/v1/sites/demo/officers", {"id": "duong-van-em", "name": "Dương Văn Em"})[0] == 200
    kiosk = KioskCore(console.device("kiosk"))
    kiosk.issue_ticket("HT")
    counter = CounterCore(console.device("counter", counter=1))
    counter.login("lan1", "1111")
    counter.open()
    counter.next()
    counter.complete()
    rows = client.call("GET", "/api/v1/sites/demo/officers")[1]["officers"]
    names = [o["name"] for o in rows]
    assert names == sorted(names, key=vi_key)
    assert names.index("Dương Văn Em") < names.index("Đặng Văn An") < names.index("Đỗ Thị Bé")  # đ after d
    an = next(o for o in rows if o["id"] == "dang-van-an")
    assert an["agency"] == agencies[0] and an["active"] is True
    # The agency goes with the site's configuration document: kept when another officer is saved.
    assert client.call("POST", "/api/v1/sites/demo/officers", {"id": "do-thi-be", "name": "Đỗ Thị Bé Hai"})[0] == 200
    assert next(o for o in client.call("GET", "/api/v1/sites/demo/config")[1]["officers"]
                if o["id"] == "dang-van-an")["agency"] == agencies[0]
    lan = next(o for o in rows if o["id"] == "nguyen-thi-lan")
    assert lan["counters"] == [1] and lan["signed_in_at"] == 1 and lan["username"] == "lan1"


def test_only_administrators_retire_and_a_bad_request_is_explained(console: InProcessHub, client: Client) -> None:
    client.sign_in("kythuat")
    assert client.call("POST", RETIRE, {"kind": "service", "key": "KD"})[0] == 403
    assert client.call("GET", "/api/v1/sites/demo/officers")[0] == 403
    client.sign_in("quantri")
    status, body = client.call("POST", RETIRE, {"kind": "bàn", "key": "1"})
    assert status == 400 and body["error"]["message_vi"] == "Hãy chọn dịch vụ, quầy hoặc cán bộ cần ngừng hay khôi phục."
    assert client.call("POST", RETIRE, {"kind": "counter", "key": "99"})[0] == 404


def test_accounts_show_roles_in_vietnamese(console: InProcessHub, client: Client) -> None:
    client.sign_in("quantri")
    body = client.call("GET", "/api/v1/console/accounts")[1]
    by = {a["username"]: a for a in body["accounts"]}
    assert by["quantri"]["role_vi"] == "Quản trị viên" and by["kythuat"]["role_vi"] == "Kỹ thuật viên"
    assert by["buudien"]["role_vi"] == "Nhân viên bưu điện" and by["chuyenvien"]["role_en"] == "Specialist"
    assert {r["role"] for r in body["roles"]} >= {"admin", "leader", "specialist", "technician", "post"}
