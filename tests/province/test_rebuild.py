"""A commune hub whose disk died, rebuilt from the province's copy (docs/province.md), as separate
processes: the commune issues tickets and receives dossiers, syncs, is killed (`kill -9` of the hub and
its broker: the machine died) and its data directory deleted; `motcua hub province rebuild` on an empty
directory puts its records back, with the scanned document received before (byte for byte, not sent up
again); the same kiosk reconnects with the secret it holds; new ticket numbers
and dossier codes continue where the old ones stopped (none issued twice, none skipped); the citizen's
old receipts still open their dossiers at the rebuilt commune and at the province."""

from __future__ import annotations

import json
import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path

from counter_terminal.core import CounterCore
from counter_terminal.scan_desk import ScanDesk
from devicekit.session import DeviceSession
from tests.province.test_files import _complete, _scans
from tests.province.test_lookup import APPLICANT, _lookup, _procedure
from tests.support.hubproc import register
from tests.support.province import Commune, HubProcess, cli, province, read


def _intake(session: DeviceSession, scans: list | None = None) -> dict:
    docs = list(range(len(_procedure("nhan-cha-me-con")["documents"])))
    scan_list = [{"doc": d.doc, "sha256": d.sha256, "size": d.size, "pages": 2} for d in scans or []]
    options = {"options": {"scans": scan_list}} if scan_list else {}
    r = session.request("dossier.intake", {"token": session.officer_token, "procedure": "nhan-cha-me-con",
                                           "applicant": APPLICANT, "documents": docs, **options})
    assert r.get("complete"), r
    return r


def _counter(c: Commune) -> tuple[DeviceSession, CounterCore]:
    cfg = register(c.data, "counter", c.proc.mqtt_port, counter=1, site=c.site, request_timeout_s=10.0)
    time.sleep(1.5)  # the running hub rewrites its broker accounts within a second
    session = DeviceSession(cfg)
    session.start()
    assert session.wait_connected(30)
    return session, CounterCore(session)


def _centre_lookup(c: Commune, code: str, key: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{c.proc.http_port}/api/v1/dossiers/{code}?key={key}",
                                    timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _rows_status(p, site: str, auth: tuple[str, str] | None, what: str = "rows") -> int:  # noqa: ANN001
    import base64

    headers = {} if auth is None else {"Authorization": "Basic " + base64.b64encode(":".join(auth).encode()).decode()}
    req = urllib.request.Request(f"http://127.0.0.1:{p.proc.http_port}/api/v1/province/rebuild/{what}?site={site}",
                                 headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _wait(what, timeout: float = 45.0) -> None:  # noqa: ANN001
    t0 = time.monotonic()
    while not what():
        assert time.monotonic() - t0 < timeout, f"not within {timeout} s"
        time.sleep(0.3)


def test_a_dead_commune_is_rebuilt_from_the_province_and_numbers_go_on(tmp_path: Path) -> None:
    p = province(tmp_path, 1, with_catalogue=True)
    try:
        a = p.communes[0]
        from hub.store import catalogue

        cli("hub", "catalog", "import", "--data", str(p.data), str(catalogue.STARTER))  # the province's catalogue
        session, counter = _counter(a)
        counter.login("lan1", "1111")
        counter.open()
        folder = tmp_path / "scans"
        folder.mkdir(mode=0o700)
        scans = _scans(folder, [200_000])  # more than one piece of the province's file pages
        old = [_intake(session, scans), _intake(session)]
        ScanDesk(session, source=None, folder=folder).upload(old[0]["code"], scans)
        assert session.outbox.wait_empty(120), "the counter could not upload its scan"
        session.stop()
        _wait(lambda: len(_complete(p.data, old[0]["code"])) == 1, timeout=60)  # the scan reached the province
        before = [t["number"] for t in a.issue(5)]
        p.wait_caught_up(a, 30)
        _wait(lambda: bool(read(p.data, "SELECT 1 FROM sync_rows WHERE site_id = ? AND kind = 'site_config' "
                                        "AND body LIKE '%\"role\":\"counter\"%'", (a.site,))))
        p.wait_caught_up(a, 30)
        # The machine dies: the hub and its broker killed, its disk gone.
        a.machine_dies()
        shutil.rmtree(a.data)
        # A new machine, an empty data directory: a one-time code from the province, then the rebuild.
        code = cli("hub", "province", "add-centre", "--data", str(p.data), a.site,
                   "--name", f"Xã {a.site}").stdout.split(": ")[1].split()[0]
        out = json.loads(cli("hub", "province", "rebuild", "--data", str(a.data), "--hub",
                             f"http://127.0.0.1:{p.proc.http_port}", "--code", code, "--mqtt-plain", "--json").stdout)
        assert out["sites"] == [a.site] and out["unsent"] == {a.site: 0}
        assert out["tickets"] == 5 and out["dossiers"] == 2 and out["devices"] == 2 and out["files"] == 1
        # The scan is back byte for byte, marked as sent: it does not go up to the province again.
        kept = read(a.data, "SELECT data, sha256 FROM dossier_files WHERE code = ?", (old[0]["code"],))
        assert [(bytes(d), sha) for d, sha in kept] == [(scans[0].path.read_bytes(), scans[0].sha256)]
        assert read(a.data, "SELECT COUNT(*) FROM dossier_files f JOIN sync_files_sent s ON s.file_id = f.id")[0][0] == 1
        assert not list(a.data.glob("rebuild-files-*"))  # the spool is gone
        # The copy is given only to the centre itself: no account, or another site than its own, gets nothing.
        link = json.loads((a.data / "province.json").read_text())
        assert _rows_status(p, a.site, None) == 401
        assert _rows_status(p, a.site, (link["username"], "mot-mat-khau-sai")) == 401
        assert _rows_status(p, "tinh", (link["username"], link["password"])) == 404
        assert _rows_status(p, a.site, (link["username"], link["password"])) == 200
        for what in ("rows", "files"):
            assert _rows_status(p, a.site, None, what) == 401
            assert _rows_status(p, "tinh", (link["username"], link["password"]), what) == 404
        assert _rows_status(p, a.site, (link["username"], link["password"]), "files") == 200
        a.proc = HubProcess(a.data, http_port=a.proc.http_port, mqtt_port=a.proc.mqtt_port,
                            mqtt_tls_port=a.proc.mqtt_tls_port).start()
        # The old kiosk reconnects with the secret it holds; its numbers go on from where they stopped.
        after = [t["number"] for t in a.issue(5)]
        assert not set(after) & set(before)
        seqs = [r[0] for r in read(a.data, "SELECT seq FROM tickets WHERE site_id = ? AND service = 'HT' ORDER BY seq",
                                   (a.site,))]
        assert seqs == list(range(1, 11)), seqs  # no number issued twice, none skipped
        # The province's catalogue comes down to the rebuilt commune; officers set their PINs again (never
        # copied); the next dossier code follows the old ones.
        _wait(lambda: bool(read(a.data, "SELECT 1 FROM procedures WHERE id = 'nhan-cha-me-con'")))
        cli("hub", "officer", "set-pin", "--data", str(a.data), "--site", a.site, "nguyen-thi-lan", "--pin", "2468")
        time.sleep(1.5)
        session, counter = _counter(a)
        try:
            counter.login("lan1", "2468")
            counter.open()
            new = _intake(session)
        finally:
            session.stop()
        codes = [d["code"] for d in old]
        assert new["code"] not in codes
        day_seqs = [r[0] for r in read(a.data, "SELECT seq FROM dossiers WHERE site_id = ? ORDER BY seq", (a.site,))]
        assert day_seqs == [1, 2, 3], day_seqs
        # The citizen's old receipts: at the rebuilt commune and at the province (after it re-sends its copy).
        for d in old:
            assert _centre_lookup(a, d["code"], d["lookup_key"]) == 200
            assert _centre_lookup(a, d["code"], "SAIMA1") == 404
        p.wait_caught_up(a, 60)
        for d in old:
            status, view = _lookup(p.proc.http_port, d["code"], d["lookup_key"])
            assert status == 200, view
        assert _lookup(p.proc.http_port, new["code"], new["lookup_key"])[0] == 200
    finally:
        p.stop()
