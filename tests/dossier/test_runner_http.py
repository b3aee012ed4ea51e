"""An HTTP action runs through the same runner as an MQTT request: its effects are published only after
its transaction committed (hub.ops.run). Over the real hub, broker and SQLite file."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from counter_terminal.core import CounterCore
from hub.app import open_data_dir
from hub.ops.catalogue import import_file
from tests.dossier.conftest import AGENCY_1, APPLICANT, DossierHub

SAME_DAY_CSV = (
    "id,code,name,field,level,agency,processing_days,fee_vnd,documents,forms,result,online_level,post_return,"
    "steps\n"
    "xac-nhan-trong-ngay,1.008888,Xác nhận trong ngày (thử),xay-dung,district,Phòng Kinh tế – Hạ tầng,0,0,"
    "\"Đơn đề nghị|1\",Mẫu 01,Giấy xác nhận,partial,không,\"Phòng Kinh tế – Hạ tầng|Xác nhận|0\"\n"
)


def test_an_agency_finishing_over_http_updates_the_lobby_after_commit(dhub: DossierHub, tmp_path: Path) -> None:
    csv_path = tmp_path / "same-day.csv"
    csv_path.write_text(SAME_DAY_CSV, encoding="utf-8")
    out = dhub.on_loop(lambda: import_file(dhub.h.hub.runner, csv_path))
    assert out["errors"] == [] and out["imported"] == 1

    counter = CounterCore(dhub.h.device("counter", counter=1))
    counter.login("lan1", "1111")
    counter.open()
    # Same-day, but routed to the agency (not solved on the spot): it goes there at once.
    r = counter.session.request("dossier.intake", {"token": counter.session.officer_token, "procedure": "xac-nhan-trong-ngay", "applicant": APPLICANT,
                                                   "documents": [0], "options": {"on_spot": False}})
    code = r["code"]
    assert not r["on_spot"]
    token = dhub.tokens[AGENCY_1]
    assert dhub.http("POST", f"/api/v1/agency/dossiers/{code}/accept", {}, token=token)[0] == 200

    # The lobby display listens; each state it receives is checked against the database file, read
    # through a connection of its own: what the screens are told must already be committed.
    seen: list[str | None] = []
    got = threading.Event()
    own = open_data_dir(dhub.h.data)  # the hub's database (file or PostgreSQL), a connection of its own

    def on_display(kind: str, state: dict) -> None:
        if kind != "state":
            return
        row = own.execute("SELECT status FROM dossiers WHERE code = ?", [code]).fetchone()
        seen.append(row[0] if row else None)
        if row and row[0] == "ready":
            got.set()

    display = dhub.h.device("display")
    display.subscribe_display(on_display)
    deadline = time.monotonic() + 30  # the retained state arrives first: wait for it, however late
    while not seen and time.monotonic() < deadline:
        time.sleep(0.05)
    assert seen, "the display never got the retained lobby state"
    before = len(seen)
    status, d = dhub.http("POST", f"/api/v1/agency/dossiers/{code}/finish", {"note": "Xong"}, token=token)
    assert status == 200 and d["status"] == "ready"
    assert got.wait(30), f"the lobby was not told after the agency finished (states seen: {seen})"
    assert "ready" in seen[before:] and all(s == "ready" for s in seen[before:]), seen
