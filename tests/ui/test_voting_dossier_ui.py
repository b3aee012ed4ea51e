"""The voting tablet asks about the dossier's handling (Decree 118/2025 Art. 33(1)) after the queue rating,
when a result was handed over with the ticket: one question a page, skippable but the overall one."""

from __future__ import annotations

import json
from pathlib import Path

from counter_terminal.core import CounterCore
from tests.support.hubproc import InProcessHub, prepare
from tests.ui.conftest import device_file, kiosk_run

APPLICANT = {"name": "Nguyễn Văn An", "cccd": "001090012345", "phone": "0912345678",
             "address": "Số 12 đường Lê Lợi, xã Hòa An"}


def test_dossier_rated_at_the_tablet(xvfb, artifacts_dir: Path, tmp_path: Path) -> None:
    prepare(tmp_path, with_catalogue=True)
    hub = InProcessHub(tmp_path).start()
    try:
        kiosk = hub.device("kiosk")
        counter = hub.device("counter", counter=1)
        core = CounterCore(counter)
        core.login("lan1", "1111")
        core.open()
        kiosk.request("ticket.issue", {"service": "HT"})
        cfg = device_file(hub, "voting", counter=1)
        steps = [{"wait_text": ["officer", "Nguyễn Thị Lan"]}, {"mark": "idle"},
                 {"wait": "rate:4"}, {"tap": "rate:3"},
                 {"wait": "dq:time:3"}, {"state": "dossier"}, {"screenshot": "voting-5-dossier-question"},
                 {"tap": "dq:time:3"}, {"wait": "dq:agencies:3"}, {"tap": "skip"}]
        for cid in ("contacts", "information", "attitude", "lawful", "complaint"):
            steps += [{"wait": f"dq:{cid}:3"}, {"tap": f"dq:{cid}:3"}]
        steps += [{"wait": "dq:overall:4"}, {"screenshot": "voting-6-dossier-overall"}, {"tap": "dq:overall:4"},
                  {"wait": "thanks"}, {"sleep": 1.0}]
        run = kiosk_run(xvfb, artifacts_dir, tmp_path, "voting", cfg, steps, size=(1024, 768))
        run.wait_mark("idle")
        tok = lambda: core.session.officer_token  # noqa: E731
        counter.request("counter.next", {"token": tok()})
        code = counter.request("dossier.intake", {"token": tok(), "procedure": "chung-thuc-ban-sao",
                                                  "applicant": APPLICANT, "documents": [0, 1]})["code"]
        counter.request("dossier.return", {"token": tok(), "code": code,
                                           "confirm": {"fees_paid": True, "signed": True}})
        counter.request("counter.complete", {"token": tok()})
        result = run.finish()
        assert code in result["states"]["dossier"]["dossier"] and "(1/8)" in result["states"]["dossier"]["dossier"]
        row = hub.hub.db.execute("SELECT channel, overall, answers FROM dossier_ratings WHERE code = ?",
                                 [code]).fetchone()
        assert row is not None and (row[0], row[1]) == ("tablet", 4)
        answers = json.loads(row[2])
        assert answers["time"] == 3 and "agencies" not in answers and len(answers) == 6
        assert hub.hub.db.execute("SELECT rating FROM votes").fetchone()[0] == 3
    finally:
        hub.stop()
