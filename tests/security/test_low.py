"""The low ones of issue #21, item 6, each against a real hub: slow HTTP headers cannot hold sockets; a
refused MQTT request whose id is readable gets it back in the error reply; wrong enrolment codes from
many addresses cannot keep the technician's real code out from a fresh one."""

from __future__ import annotations

import json
import socket
import time

import pytest

from hub.ops import enrolment as enrol_ops
from hub.ops.run import Runner
from hub.store import enrolment
from hub.web.common import HEADER_TIMEOUT_S
from motcua_core import protocol as p
from tests.security.conftest import Client
from tests.support.hubproc import InProcessHub
from tests.support.probe import Probe

pytestmark = pytest.mark.integration


def test_slow_headers_are_closed_while_others_are_served(shub: InProcessHub) -> None:
    socks = []
    for i in range(60):
        s = socket.create_connection(("127.0.0.1", shub.http_port), timeout=5)
        s.sendall(f"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow-{i}: ".encode())
        socks.append(s)
    t0, closed = time.monotonic(), set()
    while time.monotonic() - t0 < HEADER_TIMEOUT_S + 5 and len(closed) < len(socks):
        for i, s in enumerate(socks):
            if i in closed:
                continue
            try:
                s.sendall(b"a")  # one byte a second: never the end of the headers
            except OSError:
                closed.add(i)
                continue
            s.settimeout(0.01)
            try:
                if s.recv(1024) == b"":
                    closed.add(i)
            except TimeoutError:
                pass
            except OSError:
                closed.add(i)
        assert Client(shub).json("/api/v1/health")[0] in (200, 503)  # everyone else is still served
        time.sleep(1.0)
    took = time.monotonic() - t0
    for s in socks:
        s.close()
    assert len(closed) == len(socks), f"{len(socks) - len(closed)} slow connections still open after {took:.0f} s"
    assert took < HEADER_TIMEOUT_S + 5


def test_a_refused_request_echoes_its_readable_id(shub: InProcessHub) -> None:
    cfg = shub.device("counter", counter=1, device_id="quay-1", start=False).config
    probe = Probe(shub.mqtt_port, cfg.device_id, cfg.secret, client_id=cfg.device_id)
    assert probe.connect().value == 0
    probe.subscribe(p.dev_topic("demo", "quay-1", "res"))
    bad = {  # each fails the decode gate, with its id still readable
        "lone surrogate": b'{"v":1,"request_id":"r-surrogate","data":{"name":"\\ud800"}}',
        "infinity": b'{"v":1,"request_id":"r-inf","data":{"n":1e999}}',
        "wrong version": b'{"v":2,"request_id":"r-v2","data":{}}',
        "cut short": b'{"v":1,"request_id":"r-cut","data":{"a":',
    }
    for payload in bad.values():
        probe.client.publish(p.req_topic("demo", "quay-1", "counter.state"), payload, qos=1)
    got = {}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(got) < len(bad):
        for msg in probe.received(0.5):
            body = json.loads(msg.payload)
            got[body["request_id"]] = body["error"]["code"]
    probe.close()
    assert got == {"r-surrogate": "bad_json", "r-inf": "bad_json", "r-v2": "unsupported_version",
                   "r-cut": "bad_json"}


def test_wrong_codes_from_ten_addresses_do_not_block_the_real_code(shub: InProcessHub) -> None:
    code = Runner(shub.hub.db).run(None, lambda ctx: enrol_ops.add_pending(ctx, site_id="demo", role="kiosk"))[1]
    for i in range(10):  # 50 wrong codes: the overall cap, five from each of ten addresses
        c = Client(shub, f"127.0.2.{i + 1}")
        for _ in range(enrolment.MAX_FAILURES_PER_ADDR):
            assert c.request("POST", "/api/v1/enrol", body={"code": "2345-6789"})[0] == 401
    status, _h, text = Client(shub, "127.0.2.1").request("POST", "/api/v1/enrol", body={"code": code})
    assert status == 429  # a guessing address waits, even with the right code
    status, _h, text = Client(shub, "127.0.2.99").request("POST", "/api/v1/enrol", body={"code": code})
    assert status == 200 and json.loads(text)["device_id"], text  # the technician, from a fresh address
    # A fresh address that guesses wrong while the overall cap holds gets one try, then waits.
    c = Client(shub, "127.0.2.100")
    assert c.request("POST", "/api/v1/enrol", body={"code": "2345-6789"})[0] == 401
    assert c.request("POST", "/api/v1/enrol", body={"code": "2345-6789"})[0] == 429
