"""Online bookings under many addresses (issue #21, item 5): all 16 seats of a service's day once went in
49 ms from four addresses, each under its own limit. Now the site takes at most a set number of online
bookings a minute, whatever the addresses; past it the booking page says to try again or call, the office
sees a burst alert, and an administrator releases the burst (its bookings cancelled, the seats free again).
Real hub, real SQLite; the attacker's addresses are loopback source addresses."""

from __future__ import annotations

import json
import re

import pytest

from hub.ops import security
from hub.ops.run import Runner
from hub.store import tokens
from hub.web.booking import BOOKINGS_PER_10_MIN
from motcua.cli import main as cli_main
from tests.security.conftest import Client, seats
from tests.support.hubproc import InProcessHub

pytestmark = pytest.mark.integration


def test_a_burst_from_many_addresses_is_stopped_and_released(shub: InProcessHub, capsys) -> None:
    attackers = [Client(shub, f"127.0.0.{i}") for i in range(2, 6)]
    day, free = seats(attackers[0])
    ceiling = security.SITE_BOOKINGS_PER_MINUTE
    assert len(free) > ceiling and ceiling < 4 * BOOKINGS_PER_10_MIN
    answers = []
    for n in range(ceiling + 2):
        status, _h, text = attackers[n % 4].request("POST", "/hen/demo", form={
            "service": "HT", "day": day, "slot_start": free[n], "name": f"Người {n}", "phone": f"09130000{n:02d}"})
        answers.append((status, text))
    assert [s for s, _t in answers] == [303] * ceiling + [429] * 2
    assert "quá nhiều lượt đặt lịch trực tuyến" in answers[-1][1]
    # A citizen at another address is held back too, with words that say what to do.
    status, _h, text = Client(shub, "127.0.0.77").request("POST", "/api/v1/sites/demo/appointments", body={
        "service": "HT", "day": day, "slot_start": free[ceiling], "name": "Lê Văn Cường", "phone": "0987654321"})
    assert status == 429 and "gọi điện" in json.loads(text)["error"]["message_vi"]

    # The office sees it on the dashboard.
    db = shub.hub.db
    leader = Runner(db).run("demo", lambda ctx: tokens.add(ctx.db, role="leader", site_id="demo", name="d",
                                                           now=ctx.now))[1]
    status, _h, text = Client(shub).request("GET", "/api/v1/sites/demo/dashboard",
                                            headers={"Authorization": f"Bearer {leader}"})
    burst = [a for a in json.loads(text)["alerts"] if a["kind"] == "booking_burst"]
    assert status == 200 and len(burst) == 1 and len(burst[0]["bookings"]) == ceiling and burst[0]["count"] == 3

    # The administrator lists it (CLI) and releases it: the burst's bookings are cancelled, seats free.
    assert cli_main(["hub", "security", "alerts", "--data", str(shub.data), "--site", "demo"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [a["id"] for a in listed] == [burst[0]["id"]]
    # ...or from the console (the dashboard's button): the same operation, administrators only.
    path = f"/api/v1/sites/demo/security/alerts/{burst[0]['id']}/release"
    assert Client(shub).request("POST", path, body={}, headers={"Authorization": f"Bearer {leader}"})[0] == 403
    admin = Runner(db).run(None, lambda ctx: tokens.add(ctx.db, role="admin", site_id=None, name="a",
                                                        now=ctx.now))[1]
    status, _h, text = Client(shub).request("POST", path, body={}, headers={"Authorization": f"Bearer {admin}"})
    assert status == 200, text
    out = json.loads(text)
    assert sorted(out["cancelled"]) == sorted(burst[0]["bookings"])
    assert cli_main(["hub", "security", "alerts", "--data", str(shub.data)]) == 0
    assert capsys.readouterr().out == ""  # released: no alert left
    assert seats(attackers[0])[1] == free  # every seat free again
    shub.clock.advance(61)  # a minute later the site books again
    status, _h, text = Client(shub, "127.0.0.78").request("POST", "/hen/demo", form={
        "service": "HT", "day": day, "slot_start": free[0], "name": "Lê Văn Cường", "phone": "0987654321"})
    assert status == 303 and re.match(r"/hen/q/", _h["Location"])
