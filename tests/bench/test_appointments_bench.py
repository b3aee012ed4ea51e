"""Smoke run of `motcua bench appointments` (issue #12): the JSON and its sense, never timing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.integration
def test_concurrent_bookings_fill_the_seats_and_never_more() -> None:
    proc = subprocess.run([sys.executable, "-m", "motcua.cli", "bench", "appointments", "--attempts", "60",
                           "--seats", "15", "--queries", "80", "--json"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0 and proc.stdout.strip(), f"{proc.stdout}\n{proc.stderr}"
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    assert r["attempts"] == 60 and r["booked"] == 15 and r["over_capacity"] == 0, proc.stderr
    assert r["accepted_answers"] == 15 and r["refusals"] == ["conflict"]  # the 45 others were told the slot is full
    assert r["slots_queries"] == 80 and 0 < r["slots_p50_ms"] <= r["slots_p99_ms"] <= r["slots_max_ms"]
