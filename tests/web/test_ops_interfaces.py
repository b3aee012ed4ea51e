"""Operations interfaces over the real hub: Prometheus /metrics, the OpenAPI description (generated from
the schemas that validate requests), and JSON-lines logs."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request

from hub import logfmt
from kiosk.core import KioskCore
from tests.support.hubproc import InProcessHub
from tests.web.conftest import Client
from tests.web.test_route_table import PUBLIC


def _get(url: str, token: str | None = None) -> tuple[int, str]:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def _token(console: InProcessHub, role: str) -> str:
    from hub.store import tokens
    from hub.store.db import transaction

    db = console.hub.db

    async def make() -> str:
        with transaction(db):
            return tokens.add(db, role=role, site_id="demo", name=f"test {role}", now=console.clock())[1]
    import asyncio

    return asyncio.run_coroutine_threadsafe(make(), console.thread.loop).result(10)


def test_metrics_need_a_technician_and_count_what_happened(console: InProcessHub) -> None:
    base = f"http://127.0.0.1:{console.http_port}"
    kiosk = KioskCore(console.device("kiosk"))
    kiosk.issue_ticket("HT")
    kiosk.issue_ticket("HT")
    assert _get(f"{base}/metrics")[0] == 401
    assert _get(f"{base}/metrics", _token(console, "leader"))[0] == 403
    tech = _token(console, "technician")
    status, text = _get(f"{base}/metrics", tech)
    assert status == 200
    for _ in range(30):  # presence is written in coalesced batches (every 0.5 s)
        if 'motcua_devices_online{role="kiosk",site="demo"} 1.0' in text:
            break
        time.sleep(0.2)
        text = _get(f"{base}/metrics", tech)[1]
    assert 'motcua_queue_waiting{service="HT",site="demo"} 2.0' in text
    assert 'motcua_requests_total{verb="ticket.issue"} 2.0' in text
    assert 'motcua_request_seconds_bucket{le="0.1",verb="ticket.issue"} 2.0' in text
    assert 'motcua_devices_online{role="kiosk",site="demo"} 1.0' in text
    assert "motcua_commit_failures_total 0.0" in text
    longest = next(line for line in text.splitlines()
                   if line.startswith('motcua_queue_longest_wait_seconds{service="HT"'))
    assert float(longest.split()[-1]) >= 0


def test_openapi_describes_every_route_with_the_validating_schemas(console: InProcessHub, client: Client) -> None:
    base = f"http://127.0.0.1:{console.http_port}"
    status, text = _get(f"{base}/api/v1/openapi.json")
    spec = json.loads(text)
    assert status == 200 and spec["openapi"].startswith("3.")
    public = {(m.upper(), p) for p, ops in spec["paths"].items() for m, op in ops.items() if op["security"] == []}
    assert public == {r for r in PUBLIC if r[1] != "/static"}  # what it calls public is what the hub serves openly
    svc = spec["paths"]["/api/v1/sites/{site}/services"]["post"]
    schema = svc["requestBody"]["content"]["application/json"]["schema"]
    assert set(schema["required"]) == {"code", "name", "field"} and svc["x-roles"] == ["admin"]
    # The same schema refuses what it does not describe, in Vietnamese.
    client.sign_in("quantri")
    status, body = client.call("POST", "/api/v1/sites/demo/services", {"code": "CC", "name": "x", "field": "ho-tich",
                                                                       "colour": "red"})
    assert status == 400 and body["error"]["message_vi"] == "Trường không được hỗ trợ: colour."
    status, body = client.call("POST", "/api/v1/sites/demo/counters", {"number": "9", "services": ["HT"]})
    assert status == 400 and body["error"]["message_vi"] == "Trường number phải là số nguyên."
    status, page = _get(f"{base}/api/docs")
    assert status == 200 and "openapi.json" in page


def test_json_lines_logs(capsys) -> None:  # noqa: ANN001
    logfmt.setup("json")
    try:
        logging.getLogger("motcua.test").warning("hàng đợi %s", "HT")
        line = capsys.readouterr().err.strip().splitlines()[-1]
        rec = json.loads(line)
        assert rec["level"] == "warning" and rec["logger"] == "motcua.test" and rec["msg"] == "hàng đợi HT"
    finally:
        logging.getLogger().handlers.clear()
