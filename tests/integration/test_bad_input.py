"""Bad input over the real broker: refused with a clear error, nothing lost, the hub keeps serving."""

from __future__ import annotations

import json
import urllib.request

import pytest

from hub.app import open_data_dir
from motcua_core import protocol as p
from tests.support.hubproc import InProcessHub
from tests.support.probe import Probe

NOT_AUTHORIZED = 135


@pytest.fixture
def kiosk_probe(hub: InProcessHub):
    """A raw MQTT client logged in as a registered kiosk, listening on its own response topic."""
    session = hub.device("kiosk", device_id="kiosk-a", start=False)
    cfg = session.config
    probe = Probe(hub.mqtt_port, cfg.device_id, cfg.secret, client_id=cfg.device_id)
    assert probe.connect().value == 0
    assert probe.subscribe(p.dev_topic("demo", cfg.device_id, "res")).value in (0, 1)
    yield probe
    probe.close()


def _answer(probe: Probe) -> dict:
    msgs = probe.received(5)
    assert msgs, "the hub did not answer"
    return json.loads(msgs[0].payload)


def _ticket_count(hub: InProcessHub) -> int:
    return open_data_dir(hub.data).execute("SELECT COUNT(*) FROM tickets").fetchone()[0]


def test_bad_requests_get_error_responses_and_hub_keeps_serving(hub: InProcessHub, kiosk_probe: Probe) -> None:
    req = p.req_topic("demo", "kiosk-a", "ticket.issue")
    cases = [
        (req, b"{not json", "bad_json"),
        (req, b"\xff\xfe", "bad_json"),
        (req, b"[1, 2]", "bad_json"),
        (req, p.encode({"v": 2, "request_id": "x", "data": {}}), "unsupported_version"),
        (req, p.encode({"v": 1, "data": {"service": "HT"}}), "bad_request"),
        (req, p.encode(p.make_request("ticket.issue", {"service": "HT", "colour": "red"})), "bad_request"),
        (req, p.encode(p.make_request("ticket.issue", {"service": 5})), "bad_request"),
        (req, p.encode(p.make_request("ticket.issue", {"service": "HT'; DROP TABLE tickets;--"})), "not_found"),
        (req, p.encode(p.make_request("ticket.issue", {"service": "HT", "pad": "x" * 70000})), "payload_too_large"),
        (p.req_topic("demo", "kiosk-a", "ticket.frobnicate"), p.encode(p.make_request("ticket.frobnicate")),
         "unknown_verb"),
        (p.req_topic("demo", "kiosk-a", "counter.next"), p.encode(p.make_request("counter.next")), "forbidden"),
    ]
    for topic, payload, code in cases:
        assert kiosk_probe.publish(topic, payload, correlation=b"corr-1").value == 0
        msgs = kiosk_probe.received(5)
        assert len(msgs) == 1, f"expected one answer for {code}"
        answer = json.loads(msgs[0].payload)
        assert answer["ok"] is False and answer["error"]["code"] == code, (code, answer)
        assert answer["error"]["message_vi"], "no Vietnamese message for the screen"
        assert msgs[0].properties.CorrelationData == b"corr-1"
    assert _ticket_count(hub) == 0
    # A request_id may not be replayed for another verb (it would return the other verb's answer).
    reused = p.make_request("ticket.status", {"ticket_id": 1})
    kiosk_probe.publish(p.req_topic("demo", "kiosk-a", "ticket.status"), p.encode(reused))
    assert _answer(kiosk_probe)["error"]["code"] == "not_found"
    kiosk_probe.publish(req, p.encode({**reused, "data": {"service": "HT"}}))
    assert _answer(kiosk_probe)["error"]["code"] == "bad_request"
    # …and the hub still serves a good request.
    kiosk_probe.publish(req, p.encode(p.make_request("ticket.issue", {"service": "HT"})))
    answer = _answer(kiosk_probe)
    assert answer["ok"] and answer["data"]["ticket"]["number"] == "1001"


def test_device_cannot_publish_under_another_devices_id(hub: InProcessHub, kiosk_probe: Probe) -> None:
    hub.device("kiosk", device_id="kiosk-b", start=False)
    other = p.req_topic("demo", "kiosk-b", "ticket.issue")
    rc = kiosk_probe.publish(other, p.encode(p.make_request("ticket.issue", {"service": "HT"})))
    assert rc.value == NOT_AUTHORIZED, "the broker accepted a request under someone else's id"
    # Nor under another site, nor onto the display topics the hub owns.
    assert kiosk_probe.publish(p.req_topic("other", "kiosk-a", "ticket.issue"), b"{}").value == NOT_AUTHORIZED
    assert kiosk_probe.publish(p.display_topic("demo", "call"), b"{}").value == NOT_AUTHORIZED
    # A deeper topic under its own req/ would be ignored by the hub, so the broker refuses it too.
    assert kiosk_probe.publish(p.dev_topic("demo", "kiosk-a", "req/ticket/issue"), b"{}").value == NOT_AUTHORIZED
    assert kiosk_probe.received(1.0) == []
    assert _ticket_count(hub) == 0


def test_unknown_device_is_refused_by_the_broker(hub: InProcessHub) -> None:
    from tests.support.probe import try_connect

    assert try_connect(hub.mqtt_port, "kiosk-ghost", "guess").value == NOT_AUTHORIZED
    assert try_connect(hub.mqtt_port, None, None).value == NOT_AUTHORIZED


def test_health_endpoint_reports_hub_database_and_broker(hub: InProcessHub, capsys) -> None:  # noqa: ANN001
    import argparse

    from hub.cli.tokens import cmd_token_add

    with urllib.request.urlopen(f"http://127.0.0.1:{hub.http_port}/api/v1/health", timeout=5) as r:
        assert json.loads(r.read()) == {"status": "ok"}  # public: nothing else (issue #10 item 9)
    assert cmd_token_add(argparse.Namespace(data=hub.data, role="technician", site="demo", agency=None,
                                            name="kiem tra")) == 0
    token = json.loads(capsys.readouterr().out)["token"]
    req = urllib.request.Request(f"http://127.0.0.1:{hub.http_port}/api/v1/health/detail",
                                 headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=5) as r:
        health = json.loads(r.read())
    assert health["status"] == "ok"
    assert health["database"]["ok"] and health["database"]["schema_version"] >= 1
    assert health["broker"]["mode"] == "embedded" and health["broker"]["running"] and health["broker"]["connected"]
