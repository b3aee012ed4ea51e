"""Smoke run of `motcua bench estimate` (issue #26): its JSON and its sense, never a timed assert."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_estimate_bench_reports_the_error_of_the_wait_shown() -> None:
    proc = subprocess.run([sys.executable, "-m", "motcua.cli", "bench", "estimate", "--hours", "1.5", "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0 and proc.stdout.strip(), f"{proc.stdout}\n{proc.stderr}"
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    assert r["tickets"] > 50 and 0 < r["priority_tickets"] < r["tickets"]
    assert r["median_wait_s"] > 0 and r["median_abs_error_s"] >= 0 and r["priority_median_abs_error_s"] >= 0
    assert r["target_s"] == max(120.0, round(0.25 * r["median_wait_s"], 1))
    assert r["within_target"] is (r["median_abs_error_s"] <= r["target_s"]
                                  and r["priority_median_abs_error_s"] <= r["target_s"])
