"""Console sign-in against strangers (issue #21, item 6): an unknown name and a known one get the same
answers at about the same cost; wrong passwords from one address lock that address out of that name, not
the administrator at their own desk; many addresses together lock the account, except at the hub machine
itself (127.0.0.1); a sign-in form posted with `Origin: null` is refused. Real hub, real SQLite; each
address is another loopback source address."""

from __future__ import annotations

import statistics
import time

import pytest

from hub.domain import lockout
from tests.security.conftest import Client
from tests.support.hubproc import InProcessHub
from tests.web.conftest import PASSWORD, add_account

pytestmark = pytest.mark.integration
WRONG = "sai-mat-khau-2026"


def _sign_in(hub: InProcessHub, addr: str, username: str, password: str = PASSWORD,
             headers: dict | None = None) -> tuple[int, str]:
    status, _h, text = Client(hub, addr).request("POST", "/login", body={"username": username, "password": password},
                                                 headers=headers)
    return status, text


def _answers(hub: InProcessHub, addr: str, username: str, n: int) -> list[tuple[int, str]]:
    return [_sign_in(hub, addr, username, WRONG) for _ in range(n)]


def test_a_stranger_locks_only_themselves_and_learns_nothing(shub: InProcessHub) -> None:
    add_account(shub.data, "quantri", "admin", None, None)
    known = _answers(shub, "127.0.0.2", "quantri", 7)
    unknown = _answers(shub, "127.0.0.3", "khongco", 7)
    assert known == unknown  # same codes, same words: an answer does not tell whether the name exists
    assert [s for s, _t in known] == [401] * 5 + [423] * 2  # the 5th wrong password locks
    # The administrator, from their own desk or any other address, still signs in.
    assert _sign_in(shub, "127.0.0.4", "quantri")[0] == 200
    assert _sign_in(shub, "127.0.0.1", "quantri")[0] == 200
    # ...and the right password from the stranger's address still waits (the guesser gains nothing).
    assert _sign_in(shub, "127.0.0.2", "quantri")[0] == 423


def test_many_addresses_lock_the_account_but_not_at_the_hub_machine(shub: InProcessHub) -> None:
    add_account(shub.data, "quantri", "admin", None, None)
    limit = lockout.LIMITS["console_account"].failures
    n = 0
    for i in range(10, 40):
        for _ in range(lockout.CONSOLE_PAIR_FREE):
            if n < limit:
                _sign_in(shub, f"127.0.0.{i}", "quantri", WRONG)
                n += 1
    status, text = _sign_in(shub, "127.0.0.99", "quantri")  # a fresh address: the account is locked
    assert status == 423 and "locked" in text
    from hub.store import accounts

    assert accounts.get(shub.hub.db, "quantri").public()["locked"]  # the accounts list says so
    assert _sign_in(shub, "127.0.0.1", "quantri")[0] == 200  # the hub machine's console always signs in
    assert not accounts.get(shub.hub.db, "quantri").public()["locked"]


def test_unknown_and_known_names_cost_the_same(shub: InProcessHub) -> None:
    add_account(shub.data, "quantri", "admin", None, None)
    times: dict[str, list[float]] = {"quantri": [], "khongco": []}
    for i in range(6):  # each from its own address, so no lock-out interferes; interleaved
        for name in times:
            t0 = time.perf_counter()
            assert _sign_in(shub, f"127.0.1.{i}", name, WRONG)[0] == 401
            times[name].append(time.perf_counter() - t0)
    known, unknown = statistics.median(times["quantri"]), statistics.median(times["khongco"])
    # Both check a scrypt hash (tens of milliseconds); an unknown name must not answer in a fraction of that.
    assert unknown > known / 3 and known > unknown / 3, times


def test_origin_null_cannot_sign_anyone_in(shub: InProcessHub) -> None:
    add_account(shub.data, "lanhdao", "leader", "demo", None)
    status, headers, _t = Client(shub).request("POST", "/login", body={"username": "lanhdao", "password": PASSWORD},
                                               headers={"Origin": "null"})
    assert status == 403 and "Set-Cookie" not in headers
    host = f"http://127.0.0.1:{shub.http_port}"
    assert _sign_in(shub, "127.0.0.1", "lanhdao", headers={"Origin": host})[0] == 200
