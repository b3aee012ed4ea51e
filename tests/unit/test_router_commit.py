"""The lobby state leaves before the commit's fsync; if that commit then fails, the screens are corrected.

A real SQLite file and the real Router; what is simulated is the disk failing at COMMIT (a connection whose
COMMIT raises the error a full or broken disk gives) and the MQTT socket (a list of what was published).
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from hub.app import load_site_file, open_data_dir
from hub.cli.common import DEMO_SITE
from hub.mqtt.router import Router
from hub.mqtt.transport import Incoming
from hub.store import devices as device_store
from hub.store.db import transaction
from hub.store.engine_sqlite import SqliteDb
from motcua_core import clock as wallclock
from motcua_core import protocol as p


class DiskThatFailsCommit(sqlite3.Connection):
    fail_next_commit = False

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:  # type: ignore[override]
        if sql == "COMMIT" and self.fail_next_commit:
            self.fail_next_commit = False
            raise sqlite3.OperationalError("disk I/O error")
        return super().execute(sql, *args)


class Published:
    """Stands in for the broker connection: what the router published, in order."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, dict]] = []

    def publish(self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False,
                correlation: bytes | None = None) -> None:
        self.messages.append((topic, p.decode(payload)))

    def flush(self) -> None:
        pass

    def states(self) -> list[dict]:
        return [m for t, m in self.messages if t.endswith("/display/state")]

    def replies(self) -> list[dict]:
        return [m for t, m in self.messages if t.endswith("/res")]


def _counter_shows(state: dict, number: int) -> str | None:
    counter = next(c for c in state["counters"] if c["number"] == number)
    return counter["current"]["ticket"] if counter["current"] else None


@pytest.fixture
def router(tmp_path: Path) -> tuple[Router, Published, DiskThatFailsCommit, dict]:
    db = open_data_dir(tmp_path)
    load_site_file(db, DEMO_SITE)
    with transaction(db):
        kiosk, _ = device_store.add(db, site_id="demo", role="kiosk", now=wallclock.time())
        counter, _ = device_store.add(db, site_id="demo", role="counter", now=wallclock.time(), counter=1)
    db.conn.close()
    conn = sqlite3.connect(str(tmp_path / "motcua.db"), isolation_level=None, factory=DiskThatFailsCommit)
    conn.execute("PRAGMA journal_mode=WAL")
    out = Published()
    r = Router(SqliteDb(conn), out)
    return r, out, conn, {"kiosk": kiosk, "counter": counter}


def _msg(dev: device_store.Device, verb: str, data: dict, rid: str) -> Incoming:
    payload = p.encode(p.make_request(verb, data, rid))
    return Incoming(p.req_topic("demo", dev.id, verb), payload, rid.encode(), time.monotonic())


def test_a_failed_commit_takes_back_the_call_it_showed(router) -> None:
    r, out, conn, devs = router
    r.process([_msg(devs["kiosk"], "ticket.issue", {"service": "HT"}, "k1")])
    r.process([_msg(devs["counter"], "counter.login", {"username": "lan1", "pin": "1111"}, "c-in")])
    token = out.replies()[-1]["data"]["token"]
    r.process([_msg(devs["counter"], "counter.open", {"token": token}, "c0")])
    ticket = out.replies()[0]["data"]["ticket"]["number"]
    out.messages.clear()

    conn.fail_next_commit = True
    with pytest.raises(sqlite3.OperationalError):
        r.process([_msg(devs["counter"], "counter.next", {"token": token}, "c1")])

    states = out.states()
    assert _counter_shows(states[0], 1) == ticket  # shown while the commit was under way…
    assert _counter_shows(states[-1], 1) is None  # …and taken back when it failed
    assert states[-1]["seq"] > states[0]["seq"]
    assert out.replies() == []  # the officer was told nothing: the terminal retries
    assert not any(t.endswith("/display/call") for t, _ in out.messages)  # nothing announced
    status = r.db.execute("SELECT status FROM tickets").fetchone()[0]
    assert status == "waiting"

    out.messages.clear()
    r.process([_msg(devs["counter"], "counter.next", {"token": token}, "c1")])  # the terminal's retry, same request_id
    assert out.replies()[0]["data"]["ticket"]["number"] == ticket
    assert _counter_shows(out.states()[-1], 1) == ticket
    assert any(t.endswith("/display/call") for t, _ in out.messages)


def test_the_lobby_state_goes_out_only_when_it_changed(router) -> None:
    """An idle counter's Next that calls nobody left the lobby as it was, yet every one republished the
    ~3 KB state to every device of the site; now only a change is published."""
    r, out, _conn, devs = router
    r.process([_msg(devs["counter"], "counter.login", {"username": "lan1", "pin": "1111"}, "c-in")])
    token = out.replies()[-1]["data"]["token"]
    r.process([_msg(devs["counter"], "counter.open", {"token": token}, "c0")])
    r.process([_msg(devs["counter"], "counter.next", {"token": token}, "c1")])  # nobody waiting
    out.messages.clear()
    for i in range(5):  # the officer keeps pressing Next on an empty queue
        r.process([_msg(devs["counter"], "counter.next", {"token": token}, f"idle{i}")])
    assert out.states() == [] and len(out.replies()) == 5
    r.process([_msg(devs["kiosk"], "ticket.issue", {"service": "HT"}, "k1")])
    assert len(out.states()) == 1 and out.states()[0]["services"][0]["waiting"] == 1  # a change goes out
    r.process([_msg(devs["counter"], "counter.next", {"token": token}, "c2")])
    assert _counter_shows(out.states()[-1], 1) == "1001"
    assert r.publish_display("demo", force=True) is True  # the minute tick still refreshes the clock
