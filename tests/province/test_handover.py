"""A dossier received at a commune for a department that sits at the province (Decree 118, Art. 14, 18,
20): the commune hands it over with its transfer (a recorded handover), the province takes it, a
specialist at the province works on it while the commune is cut off, both converge when the link returns,
the commune returns the result; the citizen looks it up at the province throughout. Real processes."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

from counter_terminal.core import CounterCore
from devicekit.session import DeviceSession
from hub.domain import sync as rules
from hub.ops import sync as sync_ops
from hub.ops.run import Runner
from tests.province.test_lookup import APPLICANT, _lookup
from tests.support.hubproc import register
from tests.support.province import cli, province, read

AGENCY = "Sở Tư pháp"
PROC = {"id": "thu-tuc-cua-so-tu-phap", "code": "2.000001", "name": "Thủ tục do Sở Tư pháp giải quyết",
        "field": "tu-phap", "level": "commune", "agency": AGENCY, "processing_days": 5,
        "documents": [{"name": "Tờ khai theo mẫu", "copies": 1}]}


def _post(port: int, path: str, token: str, body: dict) -> tuple[int, dict]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _wait(what, timeout: float = 45.0, step: float = 0.3) -> float:
    t0 = time.monotonic()
    while not what():
        if time.monotonic() - t0 > timeout:
            raise AssertionError(f"not within {timeout} s")
        time.sleep(step)
    return time.monotonic() - t0


def _status(data: Path, code: str) -> str | None:
    rows = read(data, "SELECT status FROM dossiers WHERE code = ?", (code,))
    return rows[0][0] if rows else None


def test_a_dossier_for_a_provincial_department_is_handed_over_worked_on_and_returned(tmp_path: Path) -> None:
    p = province(tmp_path, 1, with_catalogue=True)
    try:
        a = p.communes[0]
        spec = json.loads(cli("hub", "specialist", "add", "--data", str(p.data), "--site", "tinh", "--id", "so-tp-1",
                              "--agency", AGENCY, "--name", "Chuyên viên Sở Tư pháp").stdout)["token"]
        (tmp_path / "proc.json").write_text(json.dumps({"procedures": [PROC]}, ensure_ascii=False), encoding="utf-8")
        cli("hub", "catalog", "import", "--data", str(a.data), str(tmp_path / "proc.json"))
        cfg = register(a.data, "counter", a.proc.mqtt_port, counter=1, site=a.site, request_timeout_s=10.0)
        time.sleep(1.5)
        session = DeviceSession(cfg)
        session.start()
        assert session.wait_connected(30)
        counter = CounterCore(session)
        counter.login("lan1", "1111")
        counter.open()
        r = session.request("dossier.intake", {"token": session.officer_token, "procedure": PROC["id"],
                                               "applicant": APPLICANT, "documents": [0]})
        assert r.get("complete"), r
        code, key = r["code"], r["lookup_key"]
        # The commune's transfer batch hands it to the Department: the province takes it.
        cli("hub", "dossier", "transfer", "--data", str(a.data), "--site", a.site)
        _wait(lambda: bool(read(p.data, "SELECT 1 FROM sync_held WHERE code = ?", (code,))))
        assert _status(p.data, code) == "transferred"
        # The commune's link is cut; the specialist at the province accepts and finishes the step.
        a.cut()
        assert _post(p.proc.http_port, f"/api/v1/agency/dossiers/{code}/accept", spec, {})[0] == 200
        assert _lookup(p.proc.http_port, code, key)[1]["status"] == "processing"  # the citizen sees it at once
        assert _post(p.proc.http_port, f"/api/v1/agency/dossiers/{code}/finish", spec, {"note": "Đã giải quyết"})[0] == 200
        time.sleep(2)
        assert _status(a.data, code) == "transferred"  # cut off: the commune cannot know yet
        # The link returns: the province's events reach the commune through its state machine.
        a.mend()
        try:
            converge_s = _wait(lambda: _status(a.data, code) in ("awaiting_transfer", "ready"))
        finally:
            print("commune:", read(a.data, "SELECT kind FROM dossier_events WHERE code = ? ORDER BY id", (code,)),
                  "province:", read(p.data, "SELECT kind FROM dossier_events WHERE code = ? ORDER BY id", (code,)),
                  "flags:", read(a.data, "SELECT reason FROM sync_flags"), read(p.data, "SELECT reason FROM sync_flags"))
        # Whoever holds the finished dossier brings it back to the commune's desk: within working hours the
        # province's transfer goes at once (Decree 118 Art. 18), otherwise the commune's transfer does it.
        if _status(a.data, code) == "awaiting_transfer":
            cli("hub", "dossier", "transfer", "--data", str(a.data), "--site", a.site)
        assert _status(a.data, code) == "ready"
        _wait(lambda: _status(p.data, code) == "ready")
        out = session.request("dossier.return", {"token": session.officer_token, "code": code,
                                                 "confirm": {"fees_paid": True, "signed": True}})
        assert out["dossier"]["status"] == "returned"
        _wait(lambda: _status(p.data, code) == "returned")
        assert _lookup(p.proc.http_port, code, key)[1]["status"] == "returned"
        kinds_a = [k for (k,) in read(a.data, "SELECT kind FROM dossier_events WHERE code = ? ORDER BY id", (code,))]
        kinds_p = [k for (k,) in read(p.data, "SELECT kind FROM dossier_events WHERE code = ? ORDER BY id", (code,))]
        assert kinds_a == kinds_p == ["received", "transferred", "accepted", "step_done", "transferred", "returned"]
        assert read(a.data, "SELECT COUNT(*) FROM sync_flags")[0][0] == 0
        assert read(p.data, "SELECT COUNT(*) FROM sync_flags")[0][0] == 0
        session.stop()
        print(json.dumps({"converge_s": round(converge_s, 1)}))
    finally:
        p.stop()


def test_an_event_the_state_machine_refuses_is_kept_and_flagged(tmp_path: Path) -> None:
    """A down event that no longer fits the dossier at the centre (it was returned meanwhile, say) is not
    applied and not dropped: it is kept in sync_flags for a person, and the sequence moves on."""
    from hub.app import load_site_file, open_data_dir
    from hub.cli.common import DEMO_SITE
    from hub.store import sync as store

    db = open_data_dir(tmp_path / "hub")
    load_site_file(db, DEMO_SITE)
    runner = Runner(db)
    runner.run(None, lambda ctx: sync_ops.start_centre(ctx, {"centre": "demo", "epoch": "e1"}))
    msg = rules.down_events("demo", "e1", [{"seq": 1, "code": "NO-SUCH", "kind": "accepted", "at": 1.0, "by": "x",
                                            "data": {}}])
    assert runner.run(None, lambda ctx: sync_ops.apply_down(ctx, "e1", msg)) == 1
    flagged = store.flags(db)
    assert len(flagged) == 1 and flagged[0]["code"] == "NO-SUCH" and json.loads(flagged[0]["body"])["kind"] == "accepted"
    db.conn.close()
