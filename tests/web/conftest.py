"""A real hub (in process, with its Mosquitto) and console accounts of every role, made through the CLI's
own commands; an HTTP client that keeps cookies as a browser does."""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.hubproc import InProcessHub, prepare

PASSWORD = "mật-khẩu-thử-2026"
ACCOUNTS = {  # username: (role, site, agency)
    "quantri": ("admin", None, None),
    "lanhdao": ("leader", "demo", None),
    "chuyenvien": ("specialist", "demo", "Phòng Tư pháp"),
    "kythuat": ("technician", "demo", None),
    "buudien": ("post", "demo", None),
}


def add_account(data: Path, username: str, role: str, site: str | None, agency: str | None,
                password: str = PASSWORD) -> None:
    from hub.cli.accounts import cmd_account_add

    os.environ["MOTCUA_PASSWORD"] = password
    try:
        args = argparse.Namespace(data=data, username=username, role=role, site=site, agency=agency,
                                  name=f"Nguyễn Thử {username}", stdin=False)
        assert cmd_account_add(args) == 0
    finally:
        del os.environ["MOTCUA_PASSWORD"]


@dataclass
class Client:
    """A browser-like HTTP client: a cookie jar, and the CSRF token the console page would send."""

    base: str
    csrf: str = ""

    def __post_init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _NoRedirect())

    def call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None,
             csrf: bool = True) -> tuple[int, dict | str]:
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        if csrf and self.csrf:
            hdrs["X-CSRF-Token"] = self.csrf
        data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=hdrs)
        try:
            with self.opener.open(req, timeout=10) as r:
                status, raw, ctype = r.status, r.read(), r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            status, raw, ctype = e.code, e.read(), e.headers.get("Content-Type", "")
        if "json" in ctype:
            return status, json.loads(raw)
        return status, raw.decode("utf-8", "replace")

    def sign_in(self, username: str, password: str = PASSWORD) -> tuple[int, dict]:
        status, body = self.call("POST", "/login", {"username": username, "password": password})
        if status == 200:
            self.csrf = body["csrf"]
        return status, body  # type: ignore[return-value]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


@pytest.fixture
def console(tmp_path: Path) -> Iterator[InProcessHub]:
    """A real hub on the demo site with one console account of each role."""
    prepare(tmp_path)
    for username, (role, site, agency) in ACCOUNTS.items():
        add_account(tmp_path, username, role, site, agency)
    h = InProcessHub(tmp_path).start()
    yield h
    h.stop()


@pytest.fixture
def client(console: InProcessHub) -> Client:
    return Client(f"http://127.0.0.1:{console.http_port}")
