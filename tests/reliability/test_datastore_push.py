"""Electronic results reach the citizen's data store on the national portal (Decree 118/2025 Art. 22)
through the hub's outbox, against a local STAND-IN of the portal (tests/support/datastore_standin.py; the
portal's real API could not be established). The store is down at first (nothing listening): the officer
sees the result waiting with the reason while the hub retries with back-off; the hub is killed (SIGKILL)
and started again; the store comes up: exactly one push per result, the bytes the centre signed, and
nothing pushed again after another restart. The secret is never in the database in clear."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from counter_terminal.core import CounterCore
from counter_terminal.dossier_core import DossierCore
from counter_terminal.scan_desk import ScanDesk
from devicekit.scan import sample, source
from devicekit.session import DeviceSession
from hub.ops import datastore_api as api
from tests.support.datastore_standin import DataStoreStandIn
from tests.support.hubproc import HubProcess, prepare, register
from tests.support.net import free_port

ROOT = Path(__file__).resolve().parents[2]
APPLICANT = {"name": "Lê Thị Hoa", "cccd": "001190012345", "phone": "0912345678"}
SECRET = "bi-mat-kho-du-lieu"
pytestmark = pytest.mark.slow


def _cli(data: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "motcua.cli", "hub", *args, "--data", str(data)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})


def _pushed_state(desk: DossierCore, code: str, until, timeout: float = 60) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            rows = desk.scan(code)["datastore"]
        except Exception:  # the hub is starting again
            rows = []
        if until(rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.5)


def test_results_reach_the_data_store_once_across_an_outage_and_a_kill(tmp_path: Path, figures) -> None:
    data = tmp_path / "hub"
    prepare(data, with_catalogue=True)
    port = free_port()  # the data store's address: nothing listens there yet
    (tmp_path / "secret").write_text(SECRET + "\n")
    out = _cli(data, "datastore", "config", "--url", f"http://127.0.0.1:{port}/v1", "--client-id", "motcua-thu",
               "--secret-file", str(tmp_path / "secret"), "--retry-base-s", "1")
    assert out.returncode == 0, out.stderr
    proc = HubProcess(data)
    cfg = register(data, "counter", proc.mqtt_port, counter=1)
    proc.start()
    session = DeviceSession(cfg)
    session.start()
    try:
        assert session.wait_connected(10)
        counter = CounterCore(session)
        counter.login("lan1", "1111")
        desk = DossierCore(session, tmp_path / "printed")
        code = desk.intake("dang-ky-lai-khai-sinh", APPLICANT, [0, 1, 2])["code"]
        sample.document_photos(tmp_path / "camera", pages=1, title="GIẤY KHAI SINH")
        scan = ScanDesk(session, source.make_source({"type": "files", "dir": str(tmp_path / "camera")}),
                        tmp_path / "scans")
        scan.capture(-1)
        scan.scan_result(code, "Giấy khai sinh")
        assert session.outbox.wait_empty(30)

        # the store is down: the officer's view of the dossier says so, with the reason, and it is retried
        rows = _pushed_state(desk, code, lambda r: r and r[0]["attempts"] >= 2)
        assert len(rows) == 1 and rows[0]["state"] == "failed", rows
        doc_code = rows[0]["doc_code"]
        assert doc_code.startswith("001190012345.KQ.") and "Chưa gửi được" in rows[0]["state_vi"]
        assert rows[0]["reason"], rows  # e.g. "Connection refused"
        status = _cli(data, "datastore", "status")
        assert doc_code in status.stdout and "Chưa gửi được" in status.stdout, status.stdout
        shown = _cli(data, "datastore", "status", "--json").stdout
        assert SECRET not in shown and "đã niêm phong" in shown
        if (data / "motcua.db").exists():  # the SQLite file itself (on PostgreSQL: the sealed value is the same)
            assert SECRET.encode() not in (data / "motcua.db").read_bytes()

        proc.kill_hard()
        proc.stop()
        with DataStoreStandIn(port=port, client_id="motcua-thu", secret=SECRET) as store:
            t0 = time.monotonic()
            proc = HubProcess(data, http_port=proc.http_port, mqtt_port=proc.mqtt_port,
                              mqtt_tls_port=proc.mqtt_tls_port).start()
            rows = _pushed_state(desk, code, lambda r: r and r[0]["state"] == "pushed")
            pushed_s = time.monotonic() - t0
            assert rows and rows[0]["state"] == "pushed", rows
            assert rows[0]["receipt"].startswith("KDL-") and rows[0]["state_vi"] == "Đã gửi vào kho dữ liệu của công dân"
            assert store.created == [doc_code] and store.requests == [(doc_code, 201)]
            held = store.documents[doc_code]
            result = next(f for f in desk.scan(code)["electronic"]["files"] if f["kind"] == "result")
            assert held["tep"]["sha256"] == result["stored_sha256"]  # the bytes the centre signed
            assert held["so_dinh_danh"] == "001190012345" and held["ma_ho_so"] == code

            # another hard restart: a result pushed is never pushed again
            proc.kill_hard()
            proc.stop()
            proc = HubProcess(data, http_port=proc.http_port, mqtt_port=proc.mqtt_port,
                              mqtt_tls_port=proc.mqtt_tls_port).start()
            assert _pushed_state(desk, code, lambda r: bool(r))[0]["state"] == "pushed"
            time.sleep(3)
            assert store.requests == [(doc_code, 201)]
    finally:
        session.stop()
        proc.stop()
    figures(attempts_with_the_push=rows[0]["attempts"], pushes=1, pushed_after_restart_s=round(pushed_s, 1))


def test_the_adapter_is_idempotent_by_document_code() -> None:
    """A push repeated after a lost answer gets the same reference; other bytes under the same code are
    refused, not overwritten; wrong credentials are a failure to retry, not a refusal."""
    pdf = b"%PDF-1.7\n" + b"x" * 100 + b"\n%%EOF\n"
    body = api.payload("001190012345.KQ.1.001193", "001190012345", "KQ.1.001193", "Giấy khai sinh",
                       "HOAAN-261125-0001", "Trung tâm", "2026-11-25T10:00:00+07:00", pdf)
    with DataStoreStandIn() as store:
        ep = api.Endpoint(store.url, "motcua-thu", "bi-mat-kho-du-lieu")
        first = api.push(ep, body)
        assert api.push(ep, body) == first
        assert store.created == ["001190012345.KQ.1.001193"] and [s for _, s in store.requests] == [201, 200]
        other = api.payload("001190012345.KQ.1.001193", "001190012345", "KQ.1.001193", "Giấy khai sinh",
                            "HOAAN-261125-0001", "Trung tâm", "2026-11-25T10:00:00+07:00", pdf + b" ")
        with pytest.raises(api.Refused, match="409"):
            api.push(ep, other)
        with pytest.raises(OSError, match="401"):
            api.push(api.Endpoint(store.url, "motcua-thu", "sai"), body)
