"""A real hub with its Mosquitto, the starter catalogue, a two-agency procedure imported from CSV,
agency specialists, and a hub clock set to a known working day."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hub.app import open_data_dir
from hub.ops.catalogue import import_file
from hub.ops.run import Runner
from hub.store import catalogue, specialists
from hub.store import dossiers as dossier_store
from hub.store.db import transaction
from motcua_core import clock as wallclock
from tests.support.hubproc import InProcessHub, prepare

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TWO_AGENCY_CSV = (
    "id,code,name,field,level,agency,processing_days,fee_vnd,documents,forms,result,online_level,post_return,"
    "steps\n"
    "cap-phep-xay-dung-lien-thong,1.009999,Cấp giấy phép xây dựng nhà ở riêng lẻ (liên thông),xay-dung,"
    "district,Phòng Kinh tế – Hạ tầng,5,75000,\"Đơn đề nghị cấp giấy phép xây dựng|1; Bản vẽ thiết kế|2; "
    "Giấy chứng nhận quyền sử dụng đất|1\",Mẫu 01,Giấy phép xây dựng,partial,có,"
    "\"Phòng Kinh tế – Hạ tầng|Thẩm định hồ sơ, kiểm tra thực địa|3; Phòng Tài nguyên và Môi trường|"
    "Xác nhận hiện trạng sử dụng đất|2\"\n"
)
AGENCY_1 = "Phòng Kinh tế – Hạ tầng"
AGENCY_2 = "Phòng Tài nguyên và Môi trường"
SETTINGS = {"agency_code": "HOAAN", "unit_name": "Bộ phận Tiếp nhận và Trả kết quả huyện Hòa An",
            "parent_agency": "Ủy ban nhân dân huyện Hòa An", "place": "Hòa An",
            "complaints": {"name": "Phạm Văn Minh", "position": "Phó Chánh Văn phòng", "phone": "0203 3856 789"},
            "hotline": "0203 3856 000", "public_url": "https://motcua.hoaan.example.vn"}


def local_ts(s: str) -> float:
    return datetime.fromisoformat(s).replace(tzinfo=VN).timestamp()


@dataclass
class DossierHub:
    h: InProcessHub
    tokens: dict[str, str]
    # Counters whose officer signs in again each morning: a sign-in lasts a working day (issue #10), and
    # these tests move the hub's clock across days.
    morning_sign_in: list[tuple[Any, str, str]] = field(default_factory=list)

    def set_time(self, iso_local: str) -> None:
        before = self.h.clock()
        self.h.clock.set(local_ts(iso_local))
        if self.h.thread is not None and self.h.clock() - before > 6 * 3600:
            for counter, username, pin in self.morning_sign_in:
                counter.login(username, pin)

    def on_loop(self, fn: Callable[[], Any]) -> Any:
        """Run fn on the hub's event loop (where the hub uses its database)."""
        async def call() -> Any:
            return fn()
        return asyncio.run_coroutine_threadsafe(call(), self.h.thread.loop).result(15)

    def tick(self) -> dict:
        from hub.ops import dossier_tasks

        return self.on_loop(lambda: dossier_tasks.tick(self.h.hub))

    def http(self, method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, Any]:
        req = urllib.request.Request(f"http://127.0.0.1:{self.h.http_port}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode())
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                raw, status, ctype = r.read(), r.status, r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            raw, status, ctype = e.read(), e.code, e.headers.get("Content-Type", "")
        return status, (json.loads(raw) if "json" in ctype else raw)

    def key(self, code: str) -> str:
        """The lookup key printed on the dossier's receipt."""
        from hub.ops.links import lookup_key

        return self.on_loop(lambda: lookup_key(self.db, code))

    def public(self, code: str) -> tuple[int, Any]:
        """The public lookup, as the receipt's QR or a citizen with the receipt asks for it."""
        return self.http("GET", f"/api/v1/dossiers/{code}?k={self.key(code)}")

    @property
    def db(self):
        return self.h.hub.db


def seed(data: Path) -> dict[str, str]:
    prepare(data)
    db = open_data_dir(data)
    with transaction(db):
        catalogue.load(db, json.loads(catalogue.STARTER.read_text(encoding="utf-8")))
        dossier_store.set_settings(db, "demo", SETTINGS)
    csv_path = data / "two-agency.csv"
    csv_path.write_text(TWO_AGENCY_CSV, encoding="utf-8")
    out = import_file(Runner(db), csv_path)
    assert out["errors"] == [] and out["imported"] == 1
    tokens = {}
    with transaction(db):
        for sid, agency, name in (("kthatang-1", AGENCY_1, "Trần Quang Khải"),
                                  ("tnmt-1", AGENCY_2, "Lý Thị Mai")):
            tokens[agency] = specialists.add(db, site_id="demo", specialist_id=sid, agency=agency, name=name,
                                             now=wallclock.time())[1]
    db.conn.close()
    return tokens


@pytest.fixture
def dhub(tmp_path: Path) -> Iterator[DossierHub]:
    tokens = seed(tmp_path)
    h = InProcessHub(tmp_path)
    d = DossierHub(h, tokens)
    d.set_time("2026-11-25T08:00")  # a Wednesday, a working day
    h.start()
    yield d
    h.stop()


APPLICANT = {"name": "Nguyễn Văn An", "cccd": "001090012345", "phone": "0912345678",
             "email": "an.nguyen@example.vn", "address": "Số 12 đường Lê Lợi, thị trấn Hòa An"}
