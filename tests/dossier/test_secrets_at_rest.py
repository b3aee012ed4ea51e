"""A receipt's lookup key is not kept in clear in the hub's stored MQTT replies (issue #21, item 4): the
reply to a counter's intake carries it (the counter prints it), the copy kept for retries holds it sealed,
and a retry of the same request still gets it in clear. Real hub, real Mosquitto, real SQLite."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from motcua_core import protocol as p
from tests.dossier.conftest import DossierHub
from tests.dossier.test_public_lookup import _receive
from tests.support.probe import Probe

pytestmark = pytest.mark.integration


def test_the_stored_intake_reply_keeps_the_lookup_key_sealed(dhub: DossierHub, tmp_path: Path) -> None:
    r, desk = _receive(dhub, tmp_path)
    key = r["receipt"]["lookup_key"]
    rows = dhub.on_loop(lambda: dhub.db.execute(
        "SELECT device_id, request_id, verb, response FROM requests WHERE verb = 'dossier.intake'").fetchall())
    assert len(rows) == 1
    device_id, request_id, verb, stored = rows[0]
    assert key not in stored and "lookup_key" in stored and "⟦sealed:" in stored
    for f in dhub.h.data.glob("motcua.db*"):
        assert f"?k={key}".encode() not in f.read_bytes(), f
    # A retry of that request (its reply was lost) gets the reply as first sent, key included.
    cfg = desk.session.config
    desk.session.stop()
    probe = Probe(dhub.h.mqtt_port, cfg.device_id, cfg.secret, client_id=cfg.device_id)
    assert probe.connect().value == 0
    probe.subscribe(p.dev_topic("demo", device_id, "res"))
    probe.client.publish(p.req_topic("demo", device_id, verb),
                         json.dumps({"v": 1, "request_id": request_id, "data": {}}).encode(), qos=1)
    deadline, got = time.monotonic() + 30, None
    while time.monotonic() < deadline and got is None:
        for msg in probe.received(0.5):
            body = json.loads(msg.payload)
            if body["request_id"] == request_id:
                got = body
    probe.close()
    assert got is not None and got["ok"] and got["data"]["receipt"]["lookup_key"] == key
