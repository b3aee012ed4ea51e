"""DeviceSession against a real Mosquitto and a stand-in hub (see conftest.Responder)."""

from __future__ import annotations

import logging
import socket
import time
from concurrent.futures import Future

import pytest

from devicekit.session import DeviceSession
from motcua_core import protocol
from motcua_core.errors import RequestError
from tests.devicekit.conftest import SITE, wait_until

pytestmark = pytest.mark.integration

STATUS = protocol.dev_topic(SITE, "kiosk-01", "status")


def test_request_returns_response_data(make_session, responder) -> None:
    session = make_session()
    data = session.request("ticket.issue", {"service": "ho-tich"})
    assert data == {"verb": "ticket.issue", "echo": {"service": "ho-tich"}}
    assert list(responder.seen.values()) == [1]


def test_request_async_returns_a_future(make_session, responder) -> None:
    session = make_session()
    fut = session.request_async("site.state", {}, request_id="async-1")
    assert isinstance(fut, Future)
    assert fut.result(timeout=30) == {"verb": "site.state", "echo": {}}
    assert responder.seen["async-1"] == 1


def test_error_response_raises_request_error_with_code(make_session, responder) -> None:
    def refuse(verb, rid, data, attempt):
        raise protocol.ProtocolError("conflict", "counter 3 is paused")

    responder.handler = refuse
    session = make_session()
    with pytest.raises(RequestError) as info:
        session.request("counter.next", request_id="next-1")
    err = info.value
    assert (err.code, err.request_id) == ("conflict", "next-1")
    assert err.message == "counter 3 is paused"
    assert err.message_vi == protocol.ERROR_CODES["conflict"]
    assert responder.seen["next-1"] == 1  # a refusal is final: no retry


def test_timeout_is_retried_with_the_same_request_id(make_session, responder) -> None:
    responder.handler = lambda verb, rid, data, attempt: (
        None if attempt == 1 else protocol.ok_response(rid, {"ticket": 42}))
    session = make_session()
    t0 = time.monotonic()
    assert session.request("ticket.issue", {"service": "x"}, timeout=0.3, retries=20,
                           request_id="tk-1") == {"ticket": 42}
    assert time.monotonic() - t0 >= 0.3  # it really waited out the first attempt
    assert responder.seen["tk-1"] == 2
    assert [rid for _, rid, _ in responder.processed] == ["tk-1"]  # the hub acted once


def test_no_answer_at_all_gives_timeout_after_all_retries(make_session, responder) -> None:
    responder.handler = lambda *a: None
    session = make_session()
    with pytest.raises(RequestError) as info:
        session.request("ticket.issue", {"service": "x"}, timeout=0.2, retries=2, request_id="lost-1")
    assert info.value.code == "timeout"
    assert info.value.message_vi == protocol.ERROR_CODES["timeout"]
    assert responder.seen["lost-1"] == 3  # first attempt + 2 retries, all the same id


def test_repeated_request_id_gets_the_same_answer(make_session, responder) -> None:
    counter = iter(range(100, 200))
    responder.handler = lambda verb, rid, data, attempt: protocol.ok_response(rid, {"ticket": next(counter)})
    session = make_session()
    first = session.request("ticket.issue", {"service": "x"}, request_id="same")
    again = session.request("ticket.issue", {"service": "x"}, request_id="same")
    other = session.request("ticket.issue", {"service": "x"})
    assert first == again == {"ticket": 100}
    assert other == {"ticket": 101}


def test_response_without_request_id_is_matched_by_correlation_data(make_session, responder) -> None:
    # The hub answers a request it could not parse with request_id null; CorrelationData still routes it.
    responder.handler = lambda verb, rid, data, attempt: protocol.error_response(
        None, protocol.ProtocolError("bad_request", "service is unknown"))
    session = make_session()
    with pytest.raises(RequestError) as info:
        session.request("ticket.issue", {"service": "?"}, request_id="corr-1")
    assert (info.value.code, info.value.request_id) == ("bad_request", "corr-1")


def test_malformed_messages_are_dropped_and_the_session_keeps_working(
        make_session, responder, watch, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="motcua.device")
    commands: list[dict] = []

    def bad_command_handler(cmd: dict) -> None:
        commands.append(cmd)
        raise RuntimeError("bug in the app's command handler")

    session = make_session(setup=lambda s: setattr(s, "on_command", bad_command_handler))
    res = protocol.dev_topic(SITE, "kiosk-01", "res")
    cmd = protocol.dev_topic(SITE, "kiosk-01", "cmd")
    hub = watch("unused/#")
    garbage = [b"\xff\xfe not utf-8", b"not json", b"[1, 2]", b'{"v": 2, "ok": true, "data": {}}',
               b'{"v": 1, "ok": "yes"}', b'{"v": 1, "ok": false}', b'{"v": 1, "ok": true, "data": []}',
               b"x" * (protocol.MAX_PAYLOAD + 1)]
    for payload in garbage:
        hub.publish(res, payload)
    hub.publish(res, protocol.encode(protocol.ok_response("nobody-waits", {})))  # valid, but unsolicited
    hub.publish(cmd, b"{oops")
    hub.publish(cmd, protocol.encode({"v": 1, "cmd": "test_print"}))

    # The handler's exception is logged with its traceback (after the handler ran, hence the wait).
    wait_until(lambda: any(r.exc_info and "bug in the app" in str(r.exc_info[1]) for r in caplog.records))
    dropped = [r for r in caplog.records if r.getMessage().startswith("malformed")]
    assert len(dropped) == len(garbage) + 1  # every bad response plus the bad command
    assert commands == [{"v": 1, "cmd": "test_print"}]
    assert session.connected
    assert session.request("site.state") == {"verb": "site.state", "echo": {}}


def test_status_online_then_will_on_abrupt_loss_then_online_again(make_session, responder, watch) -> None:
    status = watch(STATUS)
    session = make_session()
    online = status.next(lambda m: m["state"] == "online")
    assert online["role"] == "kiosk" and online["version"] == "9.9.9" and "at" in online

    # Cut the TCP connection under paho without a DISCONNECT: the broker must publish the last will.
    session._client.socket().shutdown(socket.SHUT_RDWR)
    offline = status.next(lambda m: m["state"] == "offline")
    assert offline == {"v": 1, "state": "offline", "role": "kiosk", "version": "9.9.9"}

    # paho reconnects by itself, re-announces itself, and requests work again.
    status.next(lambda m: m["state"] == "online")
    assert session.wait_connected(30)
    assert session.request("site.state") == {"verb": "site.state", "echo": {}}


def test_stop_publishes_retained_offline(make_session, plain_broker, watch) -> None:
    session = make_session()
    session.stop()
    assert not session.connected
    late = watch(STATUS)  # subscribes after the fact: sees the retained message
    assert late.next()["state"] == "offline"
    assert late.history[-1][2] is True  # retained flag


def test_tcp_nodelay_is_set_on_every_connection(make_session, responder) -> None:
    session = make_session()
    sock = session._client.socket()
    assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    sock.shutdown(socket.SHUT_RDWR)

    def reconnected_socket() -> socket.socket | None:
        new = session._client.socket()
        return new if new is not None and new is not sock and session.connected else None

    assert wait_until(reconnected_socket, timeout=30).getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def test_config_command_and_display_are_delivered(make_session, watch) -> None:
    hub = watch("unused/#")
    config_topic = protocol.dev_topic(SITE, "kiosk-01", "config")
    hub.publish(config_topic, protocol.encode({"v": 1, "services": ["ho-tich"]}), retain=True)
    hub.publish(protocol.display_topic(SITE, "state"), protocol.encode({"v": 1, "counters": {}}), retain=True)
    configs: list[dict] = []
    shown: list[tuple[str, dict]] = []

    def setup(s: DeviceSession) -> None:
        s.on_config = configs.append
        s.subscribe_display(lambda leaf, msg: shown.append((leaf, msg)))

    make_session(setup=setup, hub_config=False)  # the config published above is the hub's
    wait_until(lambda: configs and shown)
    assert configs == [{"v": 1, "services": ["ho-tich"]}]
    assert shown == [("state", {"v": 1, "counters": {}})]

    hub.publish(protocol.display_topic(SITE, "call"), protocol.encode({"v": 1, "ticket": "A012", "counter": 3}))
    wait_until(lambda: len(shown) == 2)
    assert shown[1] == ("call", {"v": 1, "ticket": "A012", "counter": 3})


def test_health_report_on_connect(make_session, watch) -> None:
    health = watch(protocol.dev_topic(SITE, "kiosk-01", "health"))
    make_session(health_fn=lambda: {"printer": "ok", "paper": "low"})
    report = health.next()
    assert {"v", "at", "uptime_s", "disk_free_mb", "temp_c", "outbox_pending"} <= set(report)
    assert report["printer"] == "ok" and report["paper"] == "low"
    assert report["outbox_pending"] == 0 and report["disk_free_mb"] > 0
    assert report["temp_c"] is None or isinstance(report["temp_c"], float)


def test_failing_health_fn_still_reports(make_session, watch) -> None:
    health = watch(protocol.dev_topic(SITE, "kiosk-01", "health"))

    def broken() -> dict:
        raise OSError("printer unplugged")

    session = make_session(health_fn=broken)
    report = health.next()
    assert report["health_error"] == "OSError: printer unplugged"
    session.publish_health({"note": "manual"})
    assert health.next()["note"] == "manual"


def test_start_returns_at_once_when_broker_is_down(make_session, plain_broker, responder) -> None:
    plain_broker.proc.terminate()
    plain_broker.proc.wait(10)
    session = make_session(start=False)
    t0 = time.monotonic()
    session.start()
    assert time.monotonic() - t0 < 0.5
    assert not session.wait_connected(0.5)
    fut = session.request_async("site.state", timeout=10.0, retries=2, request_id="early-1")
    plain_broker.restart()
    assert session.wait_connected(30)
    assert fut.result(timeout=30) == {"verb": "site.state", "echo": {}}  # sent once the link came up


def test_bad_arguments_fail_fast(make_session) -> None:
    session = make_session(start=False)
    with pytest.raises(ValueError):
        session.request("not a verb")
    with pytest.raises(ValueError):
        session.request("site.state", request_id="x" * 65)
    with pytest.raises(RequestError) as info:
        session.request("site.state", {"blob": "x" * protocol.MAX_PAYLOAD})
    assert info.value.code == "payload_too_large"
