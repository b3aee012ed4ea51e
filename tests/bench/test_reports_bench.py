"""Smoke run of `motcua bench reports` at a small size: the JSON line and its consistency, never timing."""

from __future__ import annotations

from tests.bench.test_benchmarks import run_bench


def test_reports_bench_small() -> None:
    r = run_bench("reports", "--dossiers", "1500", "--lookups", "200", "--tickets-per-day", "20")
    assert r["dossiers"] == 1500 and r["lookups"] == 200
    assert 6 <= r["events_per_dossier"] <= 12
    assert r["week"] == "2026-W47" and r["week_received"] > 0
    assert 0.9 <= r["week_on_time_rate"] <= 1.0
    # the year's report counts every ticket and dossier of the year seeded; the quarter's a share of them
    assert r["year_tickets"] == r["tickets"] > r["quarter_tickets"] > 0 and r["quarter"] == "2026-Q4"
    assert r["year_received"] == r["dossiers"]
    for key in ("weekly_report_ms", "quarter_report_ms", "year_report_ms", "lookup_p50_ms", "lookup_p99_ms"):
        assert isinstance(r[key], float) and r[key] > 0
    assert r["targets"] == {"weekly_report_ms": 200, "lookup_p99_ms": 5}
