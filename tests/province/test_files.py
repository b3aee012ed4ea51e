"""A dossier's scanned documents travel with it across the province: received at commune A with two scanned
documents while A's link is cut, it goes up with its files when the link returns — A's hub is killed
(SIGKILL) while the pieces are on their way — and on to commune B's hub, whose specialist opens both
documents byte for byte; the provincial hub is killed while it relays the pieces down to B. A second
dossier, for a provincial department, is opened by the department's specialist at the province. Pieces
travel only through the sync's outbox and down stream; the receiver checks each file's SHA-256, keeps it in
its private database (0600), and a piece sent again changes nothing. Separate processes, real brokers."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from pathlib import Path

from counter_terminal.scan_desk import ScanDesk, ScannedDoc
from hub.store.db import is_url
from tests.province.test_handover import _post, _status, _wait
from tests.province.test_lookup import APPLICANT
from tests.province.test_route import COMMUNE_B, DEPARTMENT, _get, _proc, counter_at, specialist
from tests.support.hubproc import database_of
from tests.support.province import HubProcess, cli, province, read

MB = 1024 * 1024


def _pdf(size: int) -> bytes:
    """A stand-in for a scanned document's PDF: its bytes are what matters here."""
    body = os.urandom(size - 24)
    return b"%PDF-1.4\n" + body + b"\n%%EOF\n" + b" " * 8


def _scans(folder: Path, sizes: list[int]) -> list[ScannedDoc]:
    out = []
    for i, size in enumerate(sizes):
        blob = _pdf(size)
        sha = hashlib.sha256(blob).hexdigest()
        (folder / f"{sha}.pdf").write_bytes(blob)
        out.append(ScannedDoc(i, f"Giấy tờ số {i + 1}", folder / f"{sha}.pdf", sha, len(blob), 2))
    return out


def _result_pdf(folder: Path) -> ScannedDoc:
    """The paper result as the counter's scanner makes it (a rendered page through its PDF writer)."""
    from devicekit.scan.pdf import pages_to_pdf
    from devicekit.scan.pipeline import Page
    from devicekit.scan.sample import render_form

    blob = pages_to_pdf([Page(render_form("KẾT QUẢ GIẢI QUYẾT HỒ SƠ", dpi=60), "gray", 60, None)], title="Kết quả")
    sha = hashlib.sha256(blob).hexdigest()
    (folder / f"{sha}.pdf").write_bytes(blob)
    return ScannedDoc(-1, "Kết quả", folder / f"{sha}.pdf", sha, len(blob), 1)


def _pieces(data: Path) -> int:
    return read(data, "SELECT COUNT(*) FROM dossier_file_chunks")[0][0]


def _complete(data: Path, code: str) -> list[tuple]:
    return read(data, "SELECT sha256, stored_sha256, size FROM dossier_files WHERE code = ? AND completed_at IS NOT "
                      "NULL ORDER BY doc_index", (code,))


def _kill_when_pieces_arrive(sender, receiver: Path, timeout: float = 60.0) -> int:
    """SIGKILL the sending hub as soon as the receiver holds some of the pieces but not a whole file yet;
    returns how many pieces it held (0: the transfer could not be caught in the middle)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        n = _pieces(receiver)
        if n > 0:
            sender.kill_hard()
            return n
        time.sleep(0.02)
    raise AssertionError("no piece reached the receiver")


def test_scanned_documents_travel_with_the_dossier_through_a_cut_and_kills(tmp_path: Path) -> None:
    p = province(tmp_path, 2, with_catalogue=True)
    session = None
    try:
        a, b = p.communes
        dept = specialist(p.data, "tinh", "so-tp-1", DEPARTMENT)
        spec_b = specialist(b.data, b.site, "ubnd-xa-2", COMMUNE_B)
        _wait(lambda: bool(read(p.data, "SELECT 1 FROM sync_agencies WHERE agency = ?", (COMMUNE_B,))), timeout=40)
        procs = [_proc("ho-so-co-ban-quet", COMMUNE_B, documents=2), _proc("ho-so-cua-so-quet", DEPARTMENT, 2)]
        session, _counter = counter_at(a, procs, tmp_path)
        folder = tmp_path / "scans"
        folder.mkdir(mode=0o700)
        desk = ScanDesk(session, source=None, folder=folder)
        a.cut()  # received and scanned while A's link is down
        docs, codes = {}, {}
        for proc, sizes in ((procs[0], [3 * MB, 2 * MB + 12345]), (procs[1], [300_000, 150_001])):
            scans = _scans(folder, sizes)
            r = session.request("dossier.intake", {
                "token": session.officer_token, "procedure": proc["id"], "applicant": APPLICANT, "documents": [0, 1],
                "options": {"scans": [{"doc": d.doc, "sha256": d.sha256, "size": d.size, "pages": 2} for d in scans]}})
            assert r.get("complete"), r
            codes[proc["agency"]], docs[proc["agency"]] = r["code"], scans
            desk.upload(r["code"], scans)
        d_b, d_dept = codes[COMMUNE_B], codes[DEPARTMENT]
        assert session.outbox.wait_empty(120), "the counter could not upload its scans"
        assert len(_complete(a.data, d_b)) == len(_complete(a.data, d_dept)) == 2
        cli("hub", "dossier", "transfer", "--data", str(a.data), "--site", a.site)
        # The link returns; A's hub is killed while its pieces are on their way up, and started again.
        a.mend()
        caught_up = _kill_when_pieces_arrive(a.proc, p.data)
        a.proc.stop()  # and its broker
        assert len(_complete(p.data, d_b)) < 2, "the whole transfer ended before the kill"
        a.restart()
        _wait(lambda: len(_complete(p.data, d_b)) == 2 and len(_complete(p.data, d_dept)) == 2, timeout=120)
        # The province relays B's dossier with its files; the provincial hub is killed mid-relay.
        _wait(lambda: _status(b.data, d_b) == "transferred", timeout=60)
        caught_down = _kill_when_pieces_arrive(p.proc, b.data)
        p.proc.stop()
        assert len(_complete(b.data, d_b)) < 2, "the whole relay ended before the kill"
        p.proc = HubProcess(p.data, http_port=p.proc.http_port, mqtt_port=p.proc.mqtt_port,
                            mqtt_tls_port=p.proc.mqtt_tls_port).start()
        _wait(lambda: len(_complete(b.data, d_b)) == 2, timeout=120)
        # B's specialist opens both scanned documents from the agency list: byte for byte what A scanned.
        st, mine = _get(b.proc.http_port, "/api/v1/agency/dossiers", spec_b)
        assert st == 200 and [x["code"] for x in mine["dossiers"]] == [d_b], mine
        listed = mine["dossiers"][0]["files"]
        assert [f["name"] for f in listed] == ["Giấy tờ số 1", "Giấy tờ số 2"]
        for f, doc in zip(listed, docs[COMMUNE_B], strict=True):
            st, body = _get(b.proc.http_port, f"/api/v1/agency/dossiers/{d_b}/files/{f['id']}", spec_b)
            assert st == 200 and body == doc.path.read_bytes()
        # The department's specialist opens the other dossier's documents at the province.
        st, detail = _get(p.proc.http_port, f"/api/v1/agency/dossiers/{d_dept}", dept)
        assert st == 200, detail
        files = [f for f in detail["electronic"]["files"] if f["complete"]]
        assert len(files) == 2
        for f, doc in zip(files, docs[DEPARTMENT], strict=True):
            st, body = _get(p.proc.http_port, f"/api/v1/agency/dossiers/{d_dept}/files/{f['id']}", dept)
            assert st == 200 and body == doc.path.read_bytes()
        # Nothing doubled, nothing left half-done, nothing flagged; the files live in private databases.
        for data, code in ((p.data, d_b), (p.data, d_dept), (b.data, d_b)):
            assert read(data, "SELECT COUNT(*) FROM dossier_files WHERE code = ?", (code,))[0][0] == 2
            assert _pieces(data) == 0
            assert read(data, "SELECT COUNT(*) FROM sync_flags")[0][0] == 0
            if not is_url(database_of(data)):  # a SQLite file (the province's may be PostgreSQL)
                assert stat.S_IMODE((data / "motcua.db").stat().st_mode) == 0o600
        assert read(b.data, "SELECT COUNT(*) FROM dossier_files WHERE code = ?", (d_dept,))[0][0] == 0
        # B decides; at A the officer scans the paper result, A signs it as the centre, and the signed result
        # with its document code goes up to the province and on to B's copy, byte for byte.
        for action in ("accept", "finish"):
            assert _post(b.proc.http_port, f"/api/v1/agency/dossiers/{d_b}/{action}", spec_b, {})[0] == 200
        _wait(lambda: _status(a.data, d_b) == "ready", timeout=60)
        result = _result_pdf(folder)
        session.request("dossier.declare_result", {"token": session.officer_token, "code": d_b,
                                                   "sha256": result.sha256, "size": result.size, "pages": 1})
        desk.upload(d_b, [result], kind="result")
        signed = "SELECT stored_sha256, doc_code FROM dossier_files WHERE code = ? AND kind = 'result' " \
                 "AND doc_code IS NOT NULL AND completed_at IS NOT NULL"
        _wait(lambda: bool(read(a.data, signed, (d_b,))), timeout=60)
        at_a = read(a.data, signed, (d_b,))
        assert at_a[0][1].startswith(APPLICANT["cccd"] + ".")  # the document code: CCCD.result type
        _wait(lambda: read(p.data, signed, (d_b,)) == at_a and read(b.data, signed, (d_b,)) == at_a, timeout=60)
        kept = "SELECT data FROM dossier_files WHERE code = ? AND kind = 'result'"
        assert read(a.data, kept, (d_b,)) == read(p.data, kept, (d_b,)) == read(b.data, kept, (d_b,))
        assert hashlib.sha256(read(b.data, kept, (d_b,))[0][0]).hexdigest() == at_a[0][0] != result.sha256
        print(json.dumps({"pieces_at_kill_up": caught_up, "pieces_at_kill_down": caught_down}))
    finally:
        if session is not None:
            session.stop()
        p.stop()
