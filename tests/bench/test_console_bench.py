"""Smoke run of `motcua bench console` at a small size: the JSON line and its consistency, never timing."""

from __future__ import annotations

from tests.bench.test_benchmarks import run_bench


def test_console_bench_small() -> None:
    r = run_bench("console", "--dossiers", "1500", "--tickets", "200", "--requests", "30", "--calls", "20",
                  timeout=120)
    assert r["dossiers"] == 1500 and r["requests"] == 30 and r["calls"] == 20
    assert r["tickets_today"] == 240
    for key in ("dashboard_p50_ms", "dashboard_p99_ms", "push_p50_ms", "push_p99_ms"):
        assert isinstance(r[key], float) and r[key] > 0
    assert r["targets"] == {"dashboard_p99_ms": 50, "push_p99_ms": 100}
