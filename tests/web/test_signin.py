"""Console sign-in over the real hub: sessions, CSRF, lockout with backoff, password change and reset."""

from __future__ import annotations

from hub.ops.accounts import CONSOLE_SITE
from hub.store import signin
from tests.web.conftest import PASSWORD, Client


def _locked_until(console, username: str) -> float | None:  # noqa: ANN001
    """Until when `username` is locked for sign-ins from this machine (the test client's address)."""
    return signin.failures(console.hub.db, CONSOLE_SITE, f"console:{username}@127.0.0.1")[2]


def test_sign_in_session_and_sign_out(client: Client) -> None:
    status, body = client.call("GET", "/api/v1/console/me")
    assert status == 401 and body["error"]["message_vi"] == "Cần đăng nhập."
    status, body = client.sign_in("lanhdao")
    assert status == 200 and body["account"]["role"] == "leader"
    cookie = next(c for c in client.jar if c.name == "motcua_session")
    assert cookie.has_nonstandard_attr("HttpOnly") and cookie.get_nonstandard_attr("SameSite") == "Strict"
    status, me = client.call("GET", "/api/v1/console/me")
    assert status == 200 and me["id"] == "lanhdao" and me["site"] == "demo"
    status, kpis = client.call("GET", "/api/v1/sites/demo/kpis")
    assert status == 200 and "by_officer" in kpis
    # An unsafe request without the CSRF token is refused even with the cookie (a forged form).
    status, body = client.call("POST", "/logout", csrf=False)
    assert status == 401 or status == 403
    status, _ = client.call("POST", "/logout")
    assert status == 200
    status, _ = client.call("GET", "/api/v1/sites/demo/kpis")
    assert status == 401


def test_wrong_passwords_lock_with_growing_backoff(client: Client, console) -> None:  # noqa: ANN001
    for _ in range(5):
        status, body = client.sign_in("lanhdao", "sai-mat-khau-123")
        assert status == 401 and body["error"]["message_vi"] == "Sai tên đăng nhập hoặc mật khẩu."
    # The fifth failure locked the account: even the right password waits now.
    status, body = client.sign_in("lanhdao")
    assert status == 423 and "tạm khóa" in body["error"]["message_vi"]
    first = _locked_until(console, "lanhdao") - console.clock()
    assert 25 < first <= 30
    console.clock.advance(31)
    assert client.sign_in("lanhdao", "sai-mat-khau-123")[0] == 401  # sixth failure: twice as long
    second = _locked_until(console, "lanhdao") - console.clock()
    assert 55 < second <= 60
    console.clock.advance(61)
    assert client.sign_in("lanhdao")[0] == 200
    assert _locked_until(console, "lanhdao") is None  # a sign-in clears the count
    # An unknown user is told the same thing as a wrong password.
    status, body = Client(client.base).sign_in("khongco")
    assert status == 401 and body["error"]["message_vi"] == "Sai tên đăng nhập hoặc mật khẩu."


def test_password_change_and_admin_reset(client: Client) -> None:
    client.sign_in("kythuat")
    other = Client(client.base)
    other.sign_in("kythuat")  # a second session (another browser)
    status, body = client.call("POST", "/api/v1/console/password", {"old": PASSWORD, "new": "ngắn"})
    assert status == 400 and "ít nhất 10" in body["error"]["message_vi"]
    status, body = client.call("POST", "/api/v1/console/password", {"old": "sai-mat-khau", "new": "mat-khau-moi-2026"})
    assert status == 401 and body["error"]["message_vi"] == "Mật khẩu hiện tại không đúng."
    status, _ = client.call("POST", "/api/v1/console/password", {"old": PASSWORD, "new": "mat-khau-moi-2026"})
    assert status == 200
    assert client.call("GET", "/api/v1/console/me")[0] == 200  # this session stays
    assert other.call("GET", "/api/v1/console/me")[0] == 401  # the other one ended
    assert Client(client.base).sign_in("kythuat")[0] == 401  # the old password no longer works

    admin = Client(client.base)
    admin.sign_in("quantri")
    # Only an administrator resets; the technician may not.
    status, _ = client.call("POST", "/api/v1/console/accounts/lanhdao/reset", {"password": "tam-thoi-2026-x"})
    assert status == 403
    status, body = admin.call("POST", "/api/v1/console/accounts/kythuat/reset", {"password": "tam-thoi-2026-x"})
    assert status == 200 and body["must_change"] is True
    assert client.call("GET", "/api/v1/console/me")[0] == 401  # the reset ended the user's sessions
    fresh = Client(client.base)
    assert fresh.sign_in("kythuat", "tam-thoi-2026-x")[0] == 200
    status, body = fresh.call("GET", "/api/v1/health/detail")
    assert status == 403 and body["error"]["message_vi"] == "Hãy đổi mật khẩu trước khi tiếp tục."
    assert fresh.call("POST", "/api/v1/console/password", {"old": "tam-thoi-2026-x", "new": "cua-toi-2026-ok"})[0] == 200
    assert fresh.call("GET", "/api/v1/health/detail")[0] == 200


def test_cross_site_sign_in_is_refused(client: Client) -> None:
    status, body = client.call("POST", "/login", {"username": "lanhdao", "password": PASSWORD},
                               headers={"Origin": "http://evil.example"})
    assert status == 403


def test_dashboard_data_for_a_leader(client: Client, console) -> None:  # noqa: ANN001
    from counter_terminal.core import CounterCore
    from kiosk.core import KioskCore

    kiosk = KioskCore(console.device("kiosk"))
    counter = CounterCore(console.device("counter", counter=1))
    kiosk.issue_ticket("HT")
    kiosk.issue_ticket("HT")
    counter.login("lan1", "1111")
    counter.open()
    called = counter.next()
    client.sign_in("lanhdao")
    status, d = client.call("GET", "/api/v1/sites/demo/dashboard")
    assert status == 200
    c1 = next(c for c in d["counters"] if c["number"] == 1)
    assert c1["status"] == "open" and c1["ticket"] == called["number"] and c1["officer"] == "Nguyễn Thị Lan"
    ht = next(s for s in d["services"] if s["code"] == "HT")
    assert ht["waiting"] == 1 and ht["service_level"] == 1.0 and ht["wait_target_s"] == 900
    assert sum(n for _, n in d["charts"]["arrivals_by_hour"]) == 2
    assert d["officers"][0]["name"] == "Nguyễn Thị Lan"
    assert "total" in d["dossiers"] and isinstance(d["dossiers"]["at_risk"], list)
    status, csv_text = client.call("GET", "/api/v1/sites/demo/reports/weekly.csv")
    assert status == 200 and csv_text.startswith("\ufeffBÁO CÁO,Tuần ") and "I. Số thứ tự" in csv_text
    assert ",tổng cộng,,2," in csv_text  # the two tickets of today's dashboard, in the week's queue section
    status, _ = client.call("GET", "/api/v1/sites/demo/register.csv?from=2026-12-01&to=bad")
    assert status == 400
    req_pdf = client.opener.open(client.base + "/api/v1/sites/demo/reports/weekly.pdf", timeout=10)
    assert req_pdf.read(4) == b"%PDF"
