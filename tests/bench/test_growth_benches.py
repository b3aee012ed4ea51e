"""Smoke runs of the issue #15 benches (history, HTTP) and the fleet bench of issue #14, at small sizes:
their JSON fields and correctness, never timing."""

from __future__ import annotations

import pytest

from tests.bench.test_benchmarks import run_bench


@pytest.mark.integration
def test_call_path_with_history_reports_both_runs() -> None:
    r = run_bench("call-path", "--calls", "20", "--history-tickets", "3000", timeout=120)
    assert r["delivered"] == r["calls"] == 20 and r["hub_errors"] == 0
    assert r["history"]["tickets"] == 3000 and r["history"]["events"] == 9000 and r["history"]["replies"] > 0
    assert r["baseline_p99_ms"] > 0
    assert r["history_p99_ratio"] == pytest.approx(r["p99_ms"] / r["baseline_p99_ms"], rel=0.01)
