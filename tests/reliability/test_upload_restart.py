"""A scanned document uploading when the hub is killed (SIGKILL) and started again: every chunk the hub
had acknowledged is still there, the counter's outbox sends the rest after the restart, and the file
completes with the right SHA-256 — nothing acknowledged is sent twice or lost."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from counter_terminal.core import CounterCore
from counter_terminal.dossier_core import DossierCore
from counter_terminal.scan_desk import ScanDesk, ScannedDoc
from devicekit.session import DeviceSession
from tests.support.hubproc import HubProcess, open_hub_db, prepare, register

APPLICANT = {"name": "Lê Thị Hoa", "cccd": "001190012345", "phone": "0912345678"}


def test_hub_killed_mid_upload_loses_nothing_acknowledged(tmp_path: Path, figures) -> None:
    data = tmp_path / "hub"
    prepare(data, with_catalogue=True)
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
        blob = os.urandom(10 * 32 * 1024 - 1000)  # ten chunks
        sha = hashlib.sha256(blob).hexdigest()
        folder = tmp_path / "scans"
        folder.mkdir(mode=0o700)
        (folder / f"{sha}.pdf").write_bytes(blob)
        doc = ScannedDoc(0, "Tờ khai", folder / f"{sha}.pdf", sha, len(blob), 3)
        r = desk.intake("dang-ky-lai-khai-sinh", APPLICANT, [0, 1, 2],
                        options={"scans": [{"doc": 0, "sha256": sha, "size": len(blob), "pages": 3}]})
        code = r["code"]
        scan = ScanDesk(session, source=None, folder=folder)
        acked = [scan.send_chunk(code, doc, seq) for seq in range(5)]  # answered: committed on the hub
        assert acked[-1]["missing"] == [5, 6, 7, 8, 9]

        proc.kill_hard()
        proc.stop()  # and its orphaned broker
        for seq, chunk in enumerate(scan.chunks(blob)):
            if seq >= 5:  # what the counter still has to send goes to its durable outbox
                import base64

                session.outbox.put("dossier.upload", {"code": code, "sha256": sha, "seq": seq,
                                                      "data": base64.b64encode(chunk).decode()})
        assert session.outbox.pending() == 5
        t0 = time.monotonic()
        proc = HubProcess(data, http_port=proc.http_port, mqtt_port=proc.mqtt_port,
                          mqtt_tls_port=proc.mqtt_tls_port).start()
        assert session.outbox.wait_empty(60), "the outbox did not deliver after the restart"
        resumed_s = time.monotonic() - t0
        assert session.outbox.failed() == []
        files = desk.scan(code)["electronic"]["files"]
    finally:
        session.stop()
        proc.stop()
    assert [(f["sha256"], f["complete"], f["size"]) for f in files] == [(sha, True, len(blob))]
    db = open_hub_db(data)  # whichever engine the hub ran on
    try:
        kept = db.execute("SELECT data FROM dossier_files WHERE sha256 = ?", [sha]).fetchone()[0]
    finally:
        db.close()
    assert hashlib.sha256(bytes(kept)).hexdigest() == sha
    figures(chunks=10, acknowledged_before_kill=5, resent_after_restart=5, resumed_s=round(resumed_s, 1))
