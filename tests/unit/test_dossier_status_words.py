"""Issue #13: a dossier's status reads the same on the hub (its replies' `status_vi`, its refusals'
English), the counter terminal (the officer's dossier details) and the kiosk's dossier lookup (the
citizen's), in Vietnamese and in English: one table, not copies that drift apart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hub.domain import dossier as dm
from kiosk.dossier import status_lines

ROOT = Path(__file__).resolve().parents[2]
CASES = [(s, None) for s in dm.STATUSES] + [(dm.READY, "rejected")]
COUNTER = """
import json, sys
from counter_terminal.screens.dossier import dossier_status
print(json.dumps([[s.vi, s.en] for s in map(dossier_status, json.load(sys.stdin))]))
"""


def _state(status: str, outcome: str | None) -> dm.DossierState:
    return dm.DossierState(code="HS-1", status=status, steps=("Ủy ban nhân dân cấp xã",), step=0,
                           holder="Bộ phận tiếp nhận và trả kết quả", received_at=0.0, legal_due_at=0.0,
                           promised_due_at=0.0, outcome=outcome)


def _counter(details: list[dict], tmp_path: Path) -> list[tuple[str, str]]:
    """The counter screen's own function, in a child: Kivy (which the screen imports) reads argv and
    writes its home directory at import, which pytest's process must not get."""
    env = {**os.environ, "KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1", "KIVY_HOME": str(tmp_path / "kivy")}
    out = subprocess.run([sys.executable, "-c", COUNTER], input=json.dumps(details), capture_output=True,
                         text=True, cwd=ROOT, env=env, timeout=60, check=True)
    return [tuple(pair) for pair in json.loads(out.stdout.strip().splitlines()[-1])]


def test_hub_counter_and_kiosk_give_a_dossier_status_the_same_words(tmp_path: Path) -> None:
    states = [_state(status, outcome) for status, outcome in CASES]
    # The counter gets the officer's detail (with `outcome`); the kiosk the public view (without it).
    details = [{"status": s.status, "status_vi": s.status_vi(), "outcome": s.outcome} for s in states]
    public = [{"status": s.status, "status_vi": s.status_vi(), "ready": s.status == dm.READY,
               "where": s.holder, "due_at": "2026-12-02T17:00:00+07:00"} for s in states]
    counter = _counter(details, tmp_path)
    for state, (vi, en), view in zip(states, counter, public, strict=True):
        case = (state.status, state.outcome)
        assert vi == state.status_vi() == status_lines(view, "vi")[0], case
        assert en == status_lines(view, "en")[0], case
        assert en and en != vi and en.isascii(), case
        if state.outcome is None:  # the hub words a refusal with the plain status
            assert en == dm.STATUS_EN[state.status], case
            assert f"“{en}”" in dm.IllegalTransition("returned", state.status).text("en"), case
    assert len(set(counter)) == len(CASES), "two statuses read alike"
