"""A retried request_id gets the reply it was answered with, never a second run, now that the router may
run a queue verb before its stored reply is known (read with the handler's first statements on
PostgreSQL, one round trip fewer): the run is undone with its savepoint. The real Router on the test's
engine (a SQLite file, or PostgreSQL in the PostgreSQL pass); the broker is a list."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hub.app import load_site_file, open_data_dir
from hub.cli.common import DEMO_SITE
from hub.mqtt.router import Router
from hub.mqtt.transport import Incoming
from hub.store import devices as device_store
from hub.store import memo
from hub.store.db import transaction
from motcua_core import clock as wallclock
from motcua_core import protocol as p
from tests.unit.test_router_commit import Published


@pytest.fixture
def hub(tmp_path: Path):
    db = open_data_dir(tmp_path)
    load_site_file(db, DEMO_SITE)
    with transaction(db):
        kiosk, _ = device_store.add(db, site_id="demo", role="kiosk", now=wallclock.time())
        counter, _ = device_store.add(db, site_id="demo", role="counter", now=wallclock.time(), counter=1)
    out = Published()
    r = Router(db, out)
    yield r, out, {"kiosk": kiosk, "counter": counter}
    db.conn.close()


def _msg(dev: device_store.Device, verb: str, data: dict, rid: str) -> Incoming:
    payload = p.encode(p.make_request(verb, data, rid))
    return Incoming(p.req_topic("demo", dev.id, verb), payload, rid.encode(), time.monotonic())


def _reply(out: Published) -> dict:
    return out.replies()[-1]


def _signed_in(r: Router, out: Published, counter: device_store.Device) -> str:
    r.process([_msg(counter, "counter.login", {"username": "lan1", "pin": "1111"}, "c-in")])
    token = _reply(out)["data"]["token"]
    r.process([_msg(counter, "counter.open", {"token": token}, "c-open")])
    return token


def _statuses(r: Router) -> list[tuple[str, str]]:
    return [tuple(row) for row in r.db.execute("SELECT number, status FROM tickets ORDER BY id").fetchall()]


def test_a_retried_next_is_answered_as_before_and_calls_nobody_else(hub) -> None:
    r, out, devs = hub
    for rid in ("k1", "k2", "k3"):
        r.process([_msg(devs["kiosk"], "ticket.issue", {"service": "HT"}, rid)])
    token = _signed_in(r, out, devs["counter"])

    r.process([_msg(devs["counter"], "counter.next", {"token": token}, "n1")])
    first = _reply(out)
    r.process([_msg(devs["counter"], "counter.next", {"token": token}, "n1")])  # the terminal's retry
    assert _reply(out) == first and first["data"]["ticket"]["number"] == "1001"
    assert _statuses(r) == [("1001", "called"), ("1002", "waiting"), ("1003", "waiting")]

    # The same request_id twice in one batch: the second is answered with the first's reply.
    out.messages.clear()
    r.process([_msg(devs["counter"], "counter.next", {"token": token}, "n2"),
               _msg(devs["counter"], "counter.next", {"token": token}, "n2")])
    replies = out.replies()
    assert len(replies) == 2 and replies[0] == replies[1] and replies[0]["data"]["ticket"]["number"] == "1002"
    assert _statuses(r) == [("1001", "done"), ("1002", "called"), ("1003", "waiting")]
    calls = r.db.execute("SELECT COUNT(*) FROM ticket_events WHERE kind = 'call'").fetchone()[0]
    assert calls == 2


def test_a_retried_ticket_is_the_same_ticket(hub) -> None:
    r, out, devs = hub
    r.process([_msg(devs["kiosk"], "ticket.issue", {"service": "HT"}, "k1")])
    first = _reply(out)
    r.process([_msg(devs["kiosk"], "ticket.issue", {"service": "HT"}, "k1"),  # a retry in a busy batch
               _msg(devs["kiosk"], "ticket.issue", {"service": "HT"}, "k2")])
    again, second = out.replies()[-2:]
    assert again == first and second["data"]["ticket"]["number"] == "1002"
    assert _statuses(r) == [("1001", "waiting"), ("1002", "waiting")]


def test_retries_in_a_large_batch_are_answered_as_before(hub) -> None:
    """A batch's stored replies are looked up together (several statements' worth of keys): each retried
    request_id among 40 gets its first answer, and only the new ones issue tickets."""
    r, out, devs = hub
    first = {}
    for n in (0, 17, 33):
        r.process([_msg(devs["kiosk"], "ticket.issue", {"service": "HT"}, f"r{n}")])
        first[f"r{n}"] = _reply(out)["data"]["ticket"]["number"]
    r.process([_msg(devs["kiosk"], "ticket.issue", {"service": "HT"}, f"r{n}") for n in range(40)])
    replies = {reply["request_id"]: reply["data"]["ticket"]["number"] for reply in out.replies()[-40:]}
    assert {k: replies[k] for k in first} == first
    assert len(set(replies.values())) == 40 and len(_statuses(r)) == 40


def test_a_request_id_used_for_another_verb_is_refused_and_changes_nothing(hub) -> None:
    r, out, devs = hub
    r.process([_msg(devs["kiosk"], "ticket.issue", {"service": "HT"}, "k1")])
    token = _signed_in(r, out, devs["counter"])
    r.process([_msg(devs["counter"], "counter.next", {"token": token}, "n1")])
    r.process([_msg(devs["counter"], "counter.skip", {"token": token}, "n1")])  # the same id for another verb
    refusal = _reply(out)
    assert refusal["ok"] is False and refusal["error"]["code"] == "bad_request"
    assert "already used for counter.next" in refusal["error"]["message"]
    assert _statuses(r) == [("1001", "called")]  # the skip that ran before the stored reply was seen is undone


def test_a_next_costs_two_messages_on_postgresql(hub) -> None:
    r, out, devs = hub
    if r.db.engine != "postgresql":
        pytest.skip("round trips are PostgreSQL's cost; SQLite calls a function")
    for n in range(8):
        r.process([_msg(devs["kiosk"], "ticket.issue", {"service": "HT"}, f"k{n}")])
    token = _signed_in(r, out, devs["counter"])
    for n in range(5):  # caches what Next rereads, prepares its statements
        r.process([_msg(devs["counter"], "counter.next", {"token": token}, f"warm{n}")])
    before = r.db.stats["round_trips"]
    r.process([_msg(devs["counter"], "counter.next", {"token": token}, "n1")])
    # BEGIN + stored reply + the Next's reads + the lobby's rows (hub.store.lobby.read_ahead); its writes
    # with the COMMIT. (A hub outside a province has no sync marks, and knows it: no message asks for them
    # before the COMMIT.)
    assert r.db.stats["round_trips"] - before <= 2


def test_a_batch_of_tickets_costs_three_messages_on_postgresql(hub) -> None:
    """The tickets of one router batch travel together: each one's id is known ahead (a block of the
    identity sequence) and its people-ahead counts are kept in memory, so its insert waits for the
    batch's next message instead of taking one of its own."""
    r, out, devs = hub
    if r.db.engine != "postgresql":
        pytest.skip("round trips are PostgreSQL's cost; SQLite calls a function")
    services = ["HT", "CT", "LD"]
    for n in range(9):  # caches the registry rows and each service's queue, prepares the statements
        r.process([_msg(devs["kiosk"], "ticket.issue", {"service": services[n % 3]}, f"warm{n}")])
    before = r.db.stats["round_trips"]
    r.process([_msg(devs["kiosk"], "ticket.issue", {"service": services[n % 3]}, f"k{n}") for n in range(12)])
    # BEGIN + the stored replies + the first ticket; the other tickets + the lobby's reads; COMMIT.
    # Before, each ticket took a message of its own (its counts and its id came back from it).
    assert r.db.stats["round_trips"] - before <= 3
    tickets = [reply["data"]["ticket"] for reply in out.replies()[-12:]]
    assert [t["people_ahead"] for t in tickets] == [3 + n // 3 for n in range(12)]
    for s in services:  # each service's numbers carry on from the warm-up's, one by one
        numbers = [int(t["number"]) for t in tickets if t["service"] == s]
        assert numbers == list(range(numbers[0], numbers[0] + 4)) and numbers[0] % 1000 == 4
    stored = dict(r.db.execute("SELECT id, number FROM tickets").fetchall())
    assert all(stored[t["id"]] == t["number"] for t in tickets)  # each reply's id is its row's


def test_a_new_tickets_wait_is_what_fresh_rows_give(hub) -> None:
    """With a counter open and serving, a new ticket's people ahead and estimated wait are worked out from
    what the hub keeps in memory (the queue figures of its own service and of the counter's others, the
    ticket at the desk); asked at the same moment from fresh rows (`ticket.status` with memory dropped),
    they are the same."""
    r, out, devs = hub
    moment = [wallclock.time()]
    r.clock = lambda: moment[0]
    with transaction(r.db):  # counter 8 serves HT, CT and LD: a ticket's wait counts the other two's queues
        desk, _ = device_store.add(r.db, site_id="demo", role="counter", now=moment[0], counter=8)
    token = _signed_in(r, out, desk)
    services = ["HT", "CT", "LD"]
    for n in range(6):
        r.process([_msg(devs["kiosk"], "ticket.issue", {"service": services[n % 3]}, f"w{n}")])
    for n in range(12):
        moment[0] += 7
        if n % 4 == 0:
            r.process([_msg(desk, "counter.next", {"token": token}, f"next{n}")])
            assert _reply(out)["ok"] is True
        priority = "elderly" if n % 5 == 2 else "none"
        r.process([_msg(devs["kiosk"], "ticket.issue", {"service": services[n % 3], "priority": priority}, f"t{n}")])
        issued = _reply(out)["data"]["ticket"]
        memo.forget(r.db)
        r.process([_msg(devs["kiosk"], "ticket.status", {"ticket_id": issued["id"]}, f"s{n}")])
        status = _reply(out)["data"]["ticket"]
        assert issued["est_wait_s"] is not None  # a counter serving the service is open: there is an estimate
        assert (issued["people_ahead"], issued["est_wait_s"]) == (status["people_ahead"], status["est_wait_s"])


def test_a_change_by_another_process_is_seen_by_the_next_batch(hub, tmp_path: Path) -> None:
    """On PostgreSQL a router batch trusts the registry memo before the revision it checks has come back
    (one round trip fewer); when that revision shows another writer, the batch runs again from fresh rows."""
    r, out, devs = hub
    for n in range(4):  # the kiosk's row is cached; nobody else has written for a while
        r.process([_msg(devs["kiosk"], "ticket.issue", {"service": "HT"}, f"k{n}")])
    other = open_data_dir(tmp_path)  # `motcua hub device revoke` in another process
    with transaction(other):
        device_store.revoke(other, devs["kiosk"].id, wallclock.time())
    other.conn.close()
    r.process([_msg(devs["kiosk"], "ticket.issue", {"service": "HT"}, "k-late")])
    refusal = _reply(out)
    assert refusal["ok"] is False and refusal["error"]["code"] == "unknown_device"
    assert len(_statuses(r)) == 4
    if r.db.engine == "postgresql":
        assert r.stats["careful_replays"] == 1  # the batch that trusted the stale memo ran again
    r.process([_msg(devs["kiosk"], "ticket.issue", {"service": "HT"}, "k-next")])  # and the next one needs not
    assert r.stats["careful_replays"] == (1 if r.db.engine == "postgresql" else 0)


def test_beside_a_busy_writer_batches_are_not_run_twice(hub, tmp_path: Path) -> None:
    """Another process writing between every batch (a province's sync receiver): after the first stale
    batch, the router asks for the revision first instead of trusting the memo and running each again."""
    r, out, devs = hub
    for n in range(4):
        r.process([_msg(devs["kiosk"], "ticket.issue", {"service": "HT"}, f"warm{n}")])
    other = open_data_dir(tmp_path)
    for n in range(5):
        with transaction(other):
            other.execute("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = "
                          "excluded.value", ["probe", str(n)])
        r.process([_msg(devs["kiosk"], "ticket.issue", {"service": "HT"}, f"k{n}")])
        assert _reply(out)["ok"] is True
    other.conn.close()
    assert r.stats["careful_replays"] <= 1
    assert len(_statuses(r)) == 9
