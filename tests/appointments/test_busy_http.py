"""Another process holding the database's write lock (a CLI command, a backup) must not turn a citizen's
booking into "500 Internal Server Error": the hub waits for the lock a little (as the router does for
MQTT) and books; past its patience it answers 503 `busy` with Retry-After and has booked nothing.
Real hub, real SQLite, a real second process holding the lock."""

from __future__ import annotations

import json

import pytest

from hub.app import open_data_dir
from hub.web.common import BUSY_WAIT_S
from tests.appointments.test_booking_limits import Client, _form, _seats
from tests.support.hubproc import InProcessHub
from tests.support.locks import hold_write_lock

# Another process holds SQLite's write lock (tests/support/locks.py): the file engine's busy path.
pytestmark = [pytest.mark.integration, pytest.mark.sqlite_only]

def _phones(hub: InProcessHub) -> set[str]:
    db = open_data_dir(hub.data)
    try:
        return {r[0] for r in db.execute("SELECT phone FROM appointments")}
    finally:
        db.conn.close()


def test_a_booking_waits_out_a_short_lock(ahub: InProcessHub) -> None:
    c = Client(ahub, "127.0.0.1")
    day, seats = _seats(c)
    holder = hold_write_lock(ahub.data / "motcua.db", 1.0)
    status, _h, text = c.request("POST", "/api/v1/sites/demo/appointments", body=_form(day, seats[0], 1))
    holder.wait(10)
    assert status == 201, text
    assert "0912000001" in _phones(ahub)


def test_a_long_lock_gets_busy_and_books_nothing(ahub: InProcessHub) -> None:
    c = Client(ahub, "127.0.0.1")
    day, seats = _seats(c)
    holder = hold_write_lock(ahub.data / "motcua.db", BUSY_WAIT_S + 2)
    status, headers, text = c.request("POST", "/api/v1/sites/demo/appointments", body=_form(day, seats[0], 2))
    holder.wait(10)
    assert status == 503, text
    assert headers.get("Retry-After") == "5"
    err = json.loads(text)["error"]
    assert err["code"] == "busy" and err["message_vi"] == "Hệ thống đang bận. Vui lòng thử lại sau ít giây."
    assert "0912000002" not in _phones(ahub)
    status, _h, text = c.request("POST", "/api/v1/sites/demo/appointments", body=_form(day, seats[0], 2))
    assert status == 201, text  # the lock gone, the same booking goes through
