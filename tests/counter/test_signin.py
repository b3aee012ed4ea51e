"""Officer sign-in over a real broker and hub: what an officer at the counter would see."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from counter_terminal.core import CounterCore
from display_controller.core import DisplayCore
from hub.app import open_data_dir
from hub.store import officers as officer_store
from kiosk.core import KioskCore
from motcua_core.errors import RequestError
from tests.support.hubproc import InProcessHub


def test_pin_login_binds_officer_to_counter_and_shows_on_lobby(hub: InProcessHub) -> None:
    counter = CounterCore(hub.device("counter", counter=1))
    display = DisplayCore(hub.device("display"))
    st = counter.login("lan1", "1111")
    assert st["officer"] == {"id": "nguyen-thi-lan", "name": "Nguyễn Thị Lan", "username": "lan1"}
    assert st["counter"]["officer"] == "nguyen-thi-lan" and st["took_over_from"] is None
    state = display.wait_state(
        lambda s: next(c for c in s["counters"] if c["number"] == 1)["officer"] == "Nguyễn Thị Lan", 5)
    assert state is not None, "lobby never showed the signed-in officer"


def test_wrong_pin_is_refused_with_one_message_and_locks_after_five(hub: InProcessHub) -> None:
    counter = CounterCore(hub.device("counter", counter=1))
    with pytest.raises(RequestError) as unknown:
        counter.login("nobody", "1111")
    with pytest.raises(RequestError) as wrong:
        counter.login("lan1", "9999")
    # The same words whether the name or the PIN was wrong: the terminal reveals no usernames.
    assert unknown.value.message_vi == wrong.value.message_vi == "Tên đăng nhập hoặc mã PIN không đúng."
    for _ in range(3):
        with pytest.raises(RequestError):
            counter.login("lan1", "9999")
    with pytest.raises(RequestError) as fifth:
        counter.login("lan1", "9999")
    assert fifth.value.code == "locked"
    with pytest.raises(RequestError) as after:
        counter.login("lan1", "1111")  # even the right PIN, while locked
    assert after.value.code == "locked" and "5 phút" in after.value.message_vi
    hub.clock.advance(301)
    assert counter.login("lan1", "1111")["officer"]["id"] == "nguyen-thi-lan"


def test_badge_login_takeover_and_one_counter_per_officer(hub: InProcessHub) -> None:
    c1 = CounterCore(hub.device("counter", counter=1))
    c2 = CounterCore(hub.device("counter", counter=2))
    c1.login("lan1", "1111")
    taken = c1.login_badge("CB0002")  # Hùng takes over counter 1 from Lan
    assert taken["officer"]["name"] == "Trần Văn Hùng"
    assert taken["took_over_from"] == {"id": "nguyen-thi-lan", "name": "Nguyễn Thị Lan"}
    c2.login_badge("CB0001")
    moved = c1.login_badge("CB0001")  # Lan moves to counter 1: counter 2 is left without her
    assert moved["officer"]["id"] == "nguyen-thi-lan"
    assert c2.state()["counter"]["officer"] is None
    with pytest.raises(RequestError) as bad:
        c1.login_badge("NOT-A-BADGE")
    assert bad.value.code == "auth_failed" and "Thẻ" in bad.value.message_vi


def test_logout_refused_while_serving_then_allowed(hub: InProcessHub) -> None:
    kiosk = KioskCore(hub.device("kiosk"))
    counter = CounterCore(hub.device("counter", counter=1))
    counter.login("lan1", "1111")
    kiosk.issue_ticket("HT")
    assert counter.next()["number"] == "1001"
    with pytest.raises(RequestError) as err:
        counter.logout()
    assert err.value.code == "conflict" and "đăng xuất" in err.value.message_vi
    counter.complete()
    assert counter.session.outbox.wait_empty(30)
    st = counter.logout()
    assert st["counter"]["officer"] is None and st["counter"]["status"] == "closed"


def test_cli_set_pin_and_pins_never_stored_in_clear(hub: InProcessHub) -> None:
    out = subprocess.run([sys.executable, "-m", "motcua.cli", "hub", "officer", "set-pin", "--data", str(hub.data),
                          "--site", "demo", "tran-van-hung", "--pin", "246810", "--badge", "NEW-BADGE-7"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    bad = subprocess.run([sys.executable, "-m", "motcua.cli", "hub", "officer", "set-pin", "--data", str(hub.data),
                          "--site", "demo", "tran-van-hung", "--pin", "12a4"], capture_output=True, text=True)
    assert bad.returncode == 2 and "4 to 8 digits" in bad.stderr
    counter = CounterCore(hub.device("counter", counter=3))
    assert counter.login("hung2", "246810")["officer"]["id"] == "tran-van-hung"
    with pytest.raises(RequestError):
        counter.login("hung2", "2222")  # the old PIN no longer works
    assert counter.login_badge("NEW-BADGE-7")["officer"]["id"] == "tran-van-hung"
    db = open_data_dir(hub.data)
    rows = db.execute("SELECT pin_hash, badge_hash FROM officers WHERE site_id = 'demo'").fetchall()
    db.conn.close()
    # Each stored value is an scrypt digest in hex (a PIN with its own salt; a badge with the site's): no PIN
    # or badge can be read back from it (a hex digest may well contain "1111" by chance: the test looks at
    # the form of the fields instead).
    stored = [v for row in rows for v in row if v is not None]
    assert stored and all(re.fullmatch(r"scrypt\$\d+\$[0-9a-f]{32}\$[0-9a-f]{64}|s\$[0-9a-f]{64}", v)
                          for v in stored), stored
    assert not any(secret in v for v in stored for secret in ("246810", "NEW-BADGE-7"))


def test_pin_hash_roundtrip() -> None:
    h = officer_store.hash_pin("0042", n=2**10)
    assert officer_store.check_pin("0042", h) and not officer_store.check_pin("0043", h)
    with pytest.raises(ValueError):
        officer_store.hash_pin("12")
