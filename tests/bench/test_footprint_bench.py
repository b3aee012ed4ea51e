"""Smoke run of `motcua bench footprint` (issue #14): the JSON and its sense, never the timing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.integration
def test_footprint_bench_measures_each_app_it_starts() -> None:
    proc = subprocess.run([sys.executable, "-m", "motcua.cli", "bench", "footprint", "--idle", "2", "--calls", "6",
                           "--roles", "counter", "display", "--json"], cwd=ROOT, capture_output=True, text=True,
                          timeout=180, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, f"{proc.stdout}\n{proc.stderr}"
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(r) == {"counter", "display", "targets", "within_targets"}
    assert r["display"]["screen"] == "1920x1080" and r["counter"]["screen"] == "800x480"
    for role in ("counter", "display"):
        assert r[role]["rss_mb"] > 50 and r[role]["idle_cpu_pct"] >= 0 and r[role]["burst_cpu_pct"] > 0
    assert r["targets"] == {"idle_cpu_pct": 25.0, "rss_mb": 200.0}
