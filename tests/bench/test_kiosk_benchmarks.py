"""Smoke runs of `motcua bench search` and `motcua bench print` (issue #3): the JSON and its sense, never timing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _bench(*args: str, env: dict | None = None) -> dict:
    proc = subprocess.run([sys.executable, "-m", "motcua.cli", "bench", *args, "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={**(env or os.environ), "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_search_bench_finds_without_diacritics() -> None:
    r = _bench("search", "--procedures", "600", "--rounds", "1")
    assert r["procedures"] == 600
    assert r["keystrokes"] > 100 and r["queries_with_results"] == r["queries"]
    assert r["top_hit"] == "Đăng ký khai sinh"
    assert 0 < r["p50_ms"] <= r["p99_ms"] <= r["max_ms"]


@pytest.mark.integration
def test_print_bench_renders_and_measures_a_started_kiosk(xvfb) -> None:
    r = _bench("print", "--renders", "5", env=xvfb.env())
    assert 0 < r["render_ms"] <= r["render_ms_p99"] and r["render_58mm_ms"] > 0
    assert r["rss_mb"] is not None and r["rss_mb"] > 50, r.get("rss_note")
    assert r["rss_soft_gl_mb"] is not None
