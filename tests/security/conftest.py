"""A real hub for the security tests (issue #21): the demo site with the starter catalogue, its own
Mosquitto, a clock the test moves; and an HTTP client bound to a chosen loopback source address, which
the hub sees as another TCP peer (127.0.0.2, 127.0.0.3, …: how an attacker rotates addresses)."""

from __future__ import annotations

import http.client
import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.hubproc import InProcessHub, prepare


@pytest.fixture
def shub(tmp_path: Path) -> Iterator[InProcessHub]:
    prepare(tmp_path, with_catalogue=True)
    h = InProcessHub(tmp_path).start()
    yield h
    h.stop()


class Client:
    """HTTP from one source address; redirects are not followed (a booking answers 303)."""

    def __init__(self, hub: InProcessHub, address: str = "127.0.0.1") -> None:
        self.hub, self.address = hub, address

    def request(self, method: str, path: str, *, form: dict | None = None, body: object = None,
                raw: bytes | None = None, headers: dict | None = None) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.hub.http_port, timeout=15,
                                          source_address=(self.address, 0))
        hdrs = dict(headers or {})
        data = raw
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            hdrs.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        try:
            conn.request(method, path, body=data, headers=hdrs)
            r = conn.getresponse()
            return r.status, dict(r.getheaders()), r.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def json(self, path: str, **kw) -> tuple[int, dict]:
        status, _h, text = self.request("GET", path, **kw)
        return status, json.loads(text)


def seats(c: Client, service: str = "HT") -> tuple[str, list[int]]:
    """The last bookable day and one slot start per free seat of it."""
    _s, days = c.json(f"/api/v1/sites/demo/appointments/slots?service={service}")
    day = days["days"][-1]
    _s, free = c.json(f"/api/v1/sites/demo/appointments/slots?service={service}&day={day}")
    return day, [s["start"] for s in free["slots"] for _ in range(s["free"])]
