"""Choosing the competent agency at the counter (Decree 118/2025 Art. 14(2)): a commune centre of a province
takes in a commune procedure for a citizen of another commune; the officer opens "Nơi giải quyết", picks
that commune's People's Committee from the province's directory (which reached this centre through the
sync), and the dossier is taken in for it — the routing then carries it there (tests/province/test_route.py).
Real hub and broker, the real Kivy app on Xvfb; screenshots test-artifacts/counter/competent-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.app import open_data_dir
from hub.ops import sync as sync_ops
from hub.ops import sync_route
from hub.ops.run import Runner
from tests.support.hubproc import InProcessHub, prepare
from tests.support.kivyrun import KivyRun
from tests.ui.conftest import device_file

COMMUNE_B = "Ủy ban nhân dân xã Bình An"
DIRECTORY = [{"agency": "Sở Tư pháp", "centre": "", "name": "Tỉnh Mẫu"},
             {"agency": COMMUNE_B, "centre": "xa-binh-an", "name": "Xã Bình An"}]


@pytest.fixture
def centre_hub(tmp_path: Path) -> Iterator[InProcessHub]:
    """A commune hub of a province holding the province's directory of agencies, as the sync leaves it."""
    prepare(tmp_path, with_catalogue=True)
    db = open_data_dir(tmp_path)
    runner = Runner(db)
    runner.run(None, lambda ctx: sync_ops.start_centre(ctx, {"centre": "demo", "epoch": "e1"}))
    msg = {"v": 1, "type": "directory", "centre": "demo", "epoch": "e1", "digest": "d1", "agencies": DIRECTORY}
    assert runner.run(None, lambda ctx: sync_route.apply_directory(ctx, "e1", msg))
    db.conn.close()
    h = InProcessHub(tmp_path).start()
    yield h
    h.stop()


def test_the_officer_names_another_communes_committee_as_competent(centre_hub: InProcessHub, xvfb,
                                                                  artifacts_dir: Path, tmp_path: Path) -> None:
    config = device_file(centre_hub, "counter", counter=1)
    run = KivyRun("counter_terminal.app:make_test_app", [str(config)], [
        {"keys": "lan1"}, {"tap": "pin"}, {"keys": "1111"}, {"tap": "login"},
        {"wait_text": ["header", "Nguyễn Thị Lan"]},
        {"tap": "open:intake"}, {"wait": "intake_search"},
        {"text": ["intake_search", "dang ky khai sinh"], "enter": True}, {"wait": "proc:khai-sinh"},
        {"tap": "proc:khai-sinh"}, {"wait": "doc:3"},
        {"text": ["intake_name", "Nguyễn Văn An"]}, {"text": ["intake_cccd", "001090012345"]},
        {"text": ["intake_phone", "0912345678"]}, {"text": ["intake_address", "Thôn 3, xã Bình An"]},
        {"taps": ["doc:0", "doc:1"]}, {"wait_text": ["doc:1", "\u2611"]},
        {"state": "before"},
        {"tap": "intake_competent"}, {"wait": "competent:1"}, {"state": "panel"},
        {"screenshot": "competent-panel"},
        {"tap": "competent:1"}, {"wait_text": ["intake_competent", "UBND"]}, {"sleep": 0.3},
        {"state": "chosen"}, {"bounds": "chosen"}, {"screenshot": "competent-chosen"},
        {"tap": "intake_submit"}, {"wait_text": ["intake_message", "Đã tiếp nhận"]}, {"state": "taken"},
    ], xvfb.env(), artifacts_dir / "counter", tmp_path / "ui-counter", size=(800, 480), timeout=180).start()
    result = run.finish()
    st, b = result["states"], result["bounds"]["chosen"]
    assert st["before"]["intake_competent"] == "Nơi giải quyết"
    assert st["panel"]["competent:0"] == "Sở Tư pháp — Tỉnh Mẫu"
    assert st["panel"]["competent:1"] == f"{COMMUNE_B} — Xã Bình An"  # Vietnamese order, where each works
    assert st["chosen"]["intake_competent"] == "UBND xã Bình An"
    assert st["chosen"]["intake_message"] == f"Hồ sơ do {COMMUNE_B} giải quyết: được chuyển qua tỉnh đến nơi cơ " \
                                             "quan đó làm việc."
    assert b["intake_competent"][4] <= b["intake_competent"][2] + 1  # shortened to fit, never cut off
    assert st["taken"]["intake_competent"] == "Nơi giải quyết"  # the next citizen starts afresh
    row = centre_hub.hub.db.execute("SELECT agency, state FROM dossiers ORDER BY rowid DESC LIMIT 1").fetchone()
    assert row is not None and row[0] == COMMUNE_B and COMMUNE_B in row[1]  # its one step is B's committee
