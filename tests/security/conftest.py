"""Two sites on one real hub (its Mosquitto, its HTTP, its SQLite file): `demo` and `xa2`, a copy of the
demo site under another id, as every provincial hub will hold many. Each site has a dossier (held by the
same-named agency at both: the shared catalogue), a victim account and a victim device; API tokens of
every console role exist at demo, at xa2 and, where the role may hold it, at the province (global) scope.

One hub per test module: the matrix walks hundreds of requests against it."""

from __future__ import annotations

import asyncio
import http.client
import json
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hub.app import load_site_file, open_data_dir
from hub.cli.common import DEMO_SITE
from hub.domain.authz import may_hold_global
from hub.ops import dossiers
from hub.ops.catalogue import import_file
from hub.ops.run import Runner
from hub.store import accounts as acc_store
from hub.store import catalogue
from hub.store import devices as device_store
from hub.store import tokens as token_store
from hub.store.accounts import CONSOLE_ROLES
from hub.store.db import transaction
from motcua_core import clock as wallclock
from tests.dossier.conftest import AGENCY_1, TWO_AGENCY_CSV
from tests.support.hubproc import InProcessHub, prepare

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SITES = ("demo", "xa2")
SCOPES = ("demo", "xa2", None)  # None: the province (global) scope
PROC = "cap-phep-xay-dung-lien-thong"
APPLICANTS = {
    "demo": {"name": "Nguyễn Văn An", "cccd": "001090012345", "phone": "0912345678",
             "email": "an.nguyen@example.vn", "address": "Số 12 đường Lê Lợi, Hòa An",
             "post_address": "Số 12 đường Lê Lợi, Hòa An"},
    "xa2": {"name": "Trần Thị Bình", "cccd": "001190054321", "phone": "0987654321",
            "email": "binh.tran@example.vn", "address": "Thôn 3, xã Hai", "post_address": "Thôn 3, xã Hai"},
}
WEDNESDAY_9AM = datetime(2026, 11, 25, 9, 0, tzinfo=VN).timestamp()  # a working day, in opening hours


def scope_name(site: str | None) -> str:
    return site or "global"


@dataclass
class Walls:
    h: InProcessHub
    tokens: dict[tuple[str, str | None], str]  # (role, site or None) -> bearer secret
    codes: dict[str, str]  # site -> a dossier of that site, held by AGENCY_1
    victims: dict[str, str] = field(default_factory=dict)  # "account", "device" -> id at demo

    def on_loop(self, fn: Callable[[], Any]) -> Any:
        async def call() -> Any:
            return fn()
        return asyncio.run_coroutine_threadsafe(call(), self.h.thread.loop).result(15)

    def http(self, method: str, path: str, body: Any = None, token: str | None = None,
             headers: dict | None = None, stream: bool = False) -> tuple[int, Any]:
        """One request; for a stream (SSE) only the status and the first chunk are read."""
        conn = http.client.HTTPConnection("127.0.0.1", self.h.http_port, timeout=15)
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        try:
            conn.request(method, path, body=data, headers=hdrs)
            r = conn.getresponse()
            ctype = r.getheader("Content-Type", "")
            if stream or "event-stream" in ctype:
                return r.status, r.read1(65536).decode("utf-8", "replace") if r.status == 200 else r.read()
            raw = r.read()
        finally:
            conn.close()
        return r.status, (json.loads(raw) if "json" in ctype and raw else raw)

    def token(self, role: str, site: str | None) -> str:
        return self.tokens[(role, site)]

    def dossier_status(self, code: str) -> tuple[str, int]:
        row = self.h.hub.db.execute("SELECT status FROM dossiers WHERE code = ?", [code]).fetchone()
        n = self.h.hub.db.execute("SELECT COUNT(*) FROM dossier_events WHERE code = ?", [code]).fetchone()[0]
        return row[0], n


def _second_site(tmp: Path) -> Path:
    other = json.loads(DEMO_SITE.read_text(encoding="utf-8"))
    other["site"]["id"], other["site"]["name"] = "xa2", "Trung tâm Phục vụ hành chính công xã Hai"
    other["site"]["name_en"] = "Commune Two Public Administration Service Centre"
    path = tmp / "xa2.json"
    path.write_text(json.dumps(other, ensure_ascii=False), encoding="utf-8")
    return path


def build(tmp: Path) -> Walls:
    prepare(tmp)
    db = open_data_dir(tmp)
    load_site_file(db, _second_site(tmp))
    with transaction(db):
        catalogue.load(db, json.loads(catalogue.STARTER.read_text(encoding="utf-8")))
    csv_path = tmp / "two-agency.csv"
    csv_path.write_text(TWO_AGENCY_CSV, encoding="utf-8")
    assert import_file(Runner(db), csv_path)["imported"] == 1
    runner = Runner(db, clock=lambda: WEDNESDAY_9AM)
    codes = {}
    for site in SITES:
        out = runner.run(site, lambda ctx, s=site: dossiers.intake(
            ctx, {"procedure": PROC, "applicant": APPLICANTS[s], "documents": [0, 1, 2], "return_method": "post",
                  "post_address": APPLICANTS[s]["post_address"]}, officer="Nguyễn Thị Lan", counter=1))
        codes[site] = out["code"]
        runner.run(site, lambda ctx: dossiers.run_transfer_batch(ctx, force=True))
    tokens = {}
    now = wallclock.time()
    with transaction(db):
        for role in CONSOLE_ROLES:
            for site in SCOPES:
                if (site is None and not may_hold_global(role)) or (site and role == "province_leader"):
                    continue
                agency = AGENCY_1 if role == "specialist" else None
                tokens[(role, site)] = token_store.add(db, role=role, site_id=site, now=now, agency=agency,
                                                       name=f"{role} {scope_name(site)}")[1]
        acc_store.insert(db, username="lanhdao-demo", role="leader", site_id="demo", agency=None,
                         name="Lê Văn Lãnh", pw_hash="x", now=now, must_change=False)
        acc_store.insert(db, username="quantri", role="admin", site_id=None, agency=None,
                         name="Quản trị tỉnh", pw_hash="x", now=now, must_change=False)
        device_store.add(db, site_id="demo", role="kiosk", now=now, device_id="demo-victim")
    db.conn.close()
    h = InProcessHub(tmp)
    h.clock.set(WEDNESDAY_9AM)
    h.start()
    return Walls(h, tokens, codes, {"account": "lanhdao-demo", "device": "demo-victim"})


@pytest.fixture(scope="module")
def walls(tmp_path_factory: pytest.TempPathFactory, module_database: None) -> Iterator[Walls]:
    w = build(tmp_path_factory.mktemp("walls"))
    yield w
    w.h.stop()


# The single-site hub and the address-rotating client of the secrets, caps and contract tests.

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
