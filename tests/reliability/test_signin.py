"""Officer sign-in over the real broker and hub (issue #10 item 3): no counter action without the token
of a sign-in at that counter, and one hostile counter cannot lock every officer out."""

from __future__ import annotations

import pytest

from counter_terminal.core import CounterCore
from kiosk.core import KioskCore
from motcua_core.errors import RequestError
from tests.support.hubproc import InProcessHub


def _code(fn, *args) -> str:
    with pytest.raises(RequestError) as err:
        fn(*args)
    return err.value.code


def test_counter_actions_need_the_token_of_a_sign_in_at_that_counter(hub: InProcessHub, figures) -> None:
    KioskCore(hub.device("kiosk")).issue_ticket("HT")
    rogue = hub.device("counter", counter=1)
    other = CounterCore(hub.device("counter", counter=2))
    attempts = {
        "open_as_officer": _code(rogue.request, "counter.open", {"officer": "nguyen-thi-lan"}),
        "open_no_token": _code(rogue.request, "counter.open", {}),
        "next_no_token": _code(rogue.request, "counter.next", {}),
        "next_forged_token": _code(rogue.request, "counter.next", {"token": "x" * 32}),
        "intake_no_token": _code(rogue.request, "dossier.get", {"code": "HOAAN-261125-0001"}),
    }
    other.login("lan1", "1111")  # a real sign-in at counter 2 …
    stolen = other.session.officer_token
    attempts["next_token_of_other_counter"] = _code(rogue.request, "counter.next", {"token": stolen})
    other.logout()  # … and once signed out, the token is dead even where it was issued
    attempts["next_after_logout"] = _code(other.session.request, "counter.next", {"token": stolen})
    figures(refusals=attempts)
    assert attempts["open_as_officer"] == "bad_request"  # the `officer` field is gone
    assert {k: v for k, v in attempts.items() if k != "open_as_officer"} == {
        k: "signin_required" for k in attempts if k != "open_as_officer"}
    # Nobody was called: the ticket still waits.
    honest = CounterCore(hub.device("counter", counter=3))
    honest.login("trang3", "3333")
    assert honest.state()["counter"]["status"] == "closed"
    lan = CounterCore(rogue)
    lan.login("lan1", "1111")
    lan.open()
    assert lan.next()["number"] == "1001"


def test_token_expires(hub: InProcessHub) -> None:
    c = CounterCore(hub.device("counter", counter=1))
    c.login("lan1", "1111")
    c.open()
    hub.clock.advance(12 * 3600 + 1)
    assert _code(c.pause) == "signin_required"


def test_one_counter_cannot_lock_every_officer_out(hub: InProcessHub, figures) -> None:
    rogue = CounterCore(hub.device("counter", counter=1))
    victims = [("lan1", "1111"), ("hung2", "2222"), ("trang3", "3333")]
    codes = []
    for user, _ in victims:  # 5 wrong PINs for each officer, then more
        for _ in range(5):
            try:
                rogue.login(user, "000000")
            except RequestError as exc:
                codes.append(exc.code)
    locked_from = codes.index("locked") + 1
    # The rogue counter is locked itself, even with a right PIN …
    assert _code(rogue.login, "lan1", "1111") == "locked"
    # … and every officer still signs in at another counter.
    elsewhere = CounterCore(hub.device("counter", counter=2))
    signed = []
    for user, pin in victims:
        signed.append(elsewhere.login(user, pin)["officer"]["username"])
    figures(wrong_attempts=len(codes), first_locked_at_attempt=locked_from, codes=sorted(set(codes)),
            officers_still_signing_in_elsewhere=len(signed))
    assert signed == [u for u, _ in victims]
    # Backoff: the rogue's second lock-out lasts longer than the first.
    hub.clock.advance(61)
    for _ in range(10):
        with pytest.raises(RequestError):
            rogue.login("nobody", "000000")
    hub.clock.advance(61)
    assert _code(rogue.login, "lan1", "1111") == "locked", "the second lock-out was no longer than the first"
    hub.clock.advance(300)  # past the device's second lock (2 min) and the (lan1, rogue) pair's (5 min)
    assert rogue.login("lan1", "1111")["officer"]["username"] == "lan1"
