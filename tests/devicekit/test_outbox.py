"""Outbox: durable, ordered, exactly-once delivery of events, across broker and process restarts."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from devicekit.outbox import Outbox
from motcua_core import protocol
from motcua_core.errors import RequestError
from tests.devicekit.conftest import wait_until


class FakeHub:
    """A `send` function for unit tests of the worker alone: scripted errors, records every call."""

    def __init__(self, errors: dict[int, list[str]] | None = None):
        self.errors = errors or {}  # data["n"] -> error codes to raise on successive attempts
        self.calls: list[tuple[str, dict, str]] = []
        self.lock = threading.Lock()

    def __call__(self, verb: str, data: dict, request_id: str) -> dict:
        with self.lock:
            self.calls.append((verb, data, request_id))
            pending = self.errors.get(data.get("n"), [])
            code = pending.pop(0) if pending else None
        if code is not None:
            raise RequestError(code, f"scripted {code}", request_id=request_id)
        return {"ack": data.get("n")}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "outbox.db"


def test_events_put_while_broker_is_down_arrive_in_order_exactly_once(
        make_session, plain_broker, responder) -> None:
    delivered: list[str] = []
    session = make_session(setup=lambda s: setattr(s.outbox, "on_delivered", lambda rid, v, d: delivered.append(rid)))
    wait_until(lambda: session.outbox.bound)  # the hub's config came: these events are for it

    plain_broker.proc.terminate()
    plain_broker.proc.wait(10)
    wait_until(lambda: not session.connected)
    rids = [session.outbox.put("vote.submit", {"n": i, "score": i % 5 + 1}) for i in range(20)]
    assert session.outbox.pending() == 20
    assert responder.processed == []

    plain_broker.restart()
    assert session.outbox.wait_empty(15)
    assert [rid for _verb, rid, _data in responder.processed] == rids  # in order, each processed once
    assert [data["n"] for _verb, _rid, data in responder.processed] == list(range(20))
    assert delivered == rids
    assert session.outbox.failed() == []


def test_hub_refusal_moves_the_event_to_outbox_failed(make_session, responder) -> None:
    def hub(verb, rid, data, attempt):
        if data.get("n") == 1:
            raise protocol.ProtocolError("forbidden", "voting is closed at this counter")
        return protocol.ok_response(rid, {})

    responder.handler = hub
    refused: list[tuple[str, str, str]] = []
    session = make_session(
        setup=lambda s: setattr(s.outbox, "on_failed", lambda rid, verb, err: refused.append((rid, verb, err.code))))
    rids = [session.outbox.put("vote.submit", {"n": i}) for i in range(3)]
    assert session.outbox.wait_empty(30)
    assert [rid for _v, rid, _d in responder.processed] == rids  # the refused one did not block the others
    assert refused == [(rids[1], "vote.submit", "forbidden")]
    [row] = session.outbox.failed()
    assert (row["request_id"], row["verb"], row["data"]) == (rids[1], "vote.submit", {"n": 1})
    assert (row["error_code"], row["error"]) == ("forbidden", "voting is closed at this counter")


def test_rows_survive_reopening_the_outbox(db: Path) -> None:
    first = Outbox(db, FakeHub())  # never started: as if the process died before delivering
    rids = [first.put("dossier.complete", {"n": i, "text": "Hồ sơ đã xong"}) for i in range(3)]
    first.close()

    hub = FakeHub()
    second = Outbox(db, hub)
    assert second.pending() == 3
    second.start()
    try:
        assert second.wait_empty(30)
    finally:
        second.close()
    assert [rid for _v, _d, rid in hub.calls] == rids
    assert hub.calls[0][1] == {"n": 0, "text": "Hồ sơ đã xong"}


def test_timeouts_keep_the_row_and_retry_with_the_same_request_id(db: Path) -> None:
    hub = FakeHub(errors={0: ["timeout", "internal"]})
    box = Outbox(db, hub, backoff_s=(0.05, 0.2))
    rid0 = box.put("vote.submit", {"n": 0})
    rid1 = box.put("vote.submit", {"n": 1})
    box.start()
    try:
        assert box.wait_empty(30)
    finally:
        box.close()
    # n=0 tried three times with one id, and n=1 waited behind it: strict order.
    assert [(d["n"], rid) for _v, d, rid in hub.calls] == [(0, rid0), (0, rid0), (0, rid0), (1, rid1)]


def test_retry_bookkeeping_is_stored(db: Path) -> None:
    hub = FakeHub(errors={0: ["timeout"] * 100})
    box = Outbox(db, hub, backoff_s=(0.05, 0.05))
    box.put("vote.submit", {"n": 0})
    box.start()
    try:
        wait_until(lambda: len(hub.calls) >= 2)
    finally:
        box.close()
    with sqlite3.connect(db) as conn:
        attempts, last_error = conn.execute("SELECT attempts, last_error FROM outbox").fetchone()
    assert attempts >= 2 and last_error == "timeout: scripted timeout"


def test_waits_while_disconnected(db: Path) -> None:
    hub = FakeHub()
    link = threading.Event()
    box = Outbox(db, hub, is_connected=link.is_set)
    box.start()
    try:
        box.put("vote.submit", {"n": 0})
        assert not box.wait_empty(0.3)
        assert hub.calls == []  # no attempts burnt while offline
        link.set()
        box.wake()
        assert box.wait_empty(30)
    finally:
        box.close()


def test_callback_errors_do_not_stop_the_worker(db: Path) -> None:
    box = Outbox(db, FakeHub())
    box.on_delivered = lambda *a: 1 / 0
    box.start()
    try:
        for i in range(3):
            box.put("vote.submit", {"n": i})
        assert box.wait_empty(30)
    finally:
        box.close()


def test_storage_is_wal_and_bad_events_are_refused_at_put(db: Path) -> None:
    box = Outbox(db, FakeHub())
    try:
        with pytest.raises(ValueError):
            box.put("no verb", {})
        with pytest.raises(TypeError):
            box.put("vote.submit", {"when": object()})
        with pytest.raises(ValueError):
            box.put("vote.submit", {"blob": "x" * protocol.MAX_PAYLOAD})
        assert box.pending() == 0
    finally:
        box.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
