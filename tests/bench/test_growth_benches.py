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
    assert r["history_p99_ratio"] == pytest.approx(r["p99_ms"] / r["baseline_p99_ms"], rel=0.01, abs=0.005)


@pytest.mark.integration
def test_http_bench_serves_state_and_procedures() -> None:
    r = run_bench("http", "--procedures", "300", "--seconds", "0.5", timeout=120)
    assert r["procedures"] == 300 and r["failed"] == 0
    assert r["state_bytes"] > 500
    for key in ("floor_rps", "state_rps", "procedures_rps", "state_p99_ms", "procedures_p99_ms"):
        assert r[key] > 0, key
    assert r["state_ratio"] == pytest.approx(r["state_rps"] / r["floor_rps"], abs=0.01)


@pytest.mark.integration
def test_fleet_bench_brings_every_device_back_after_a_broker_restart() -> None:
    r = run_bench("fleet", "--devices", "30", "--calls", "10", "--duration", "2", "--restart-timeout", "30",
                  timeout=150)
    assert r["devices"] == r["online"] == r["hub_online"] == 30
    assert r["calls_lost"] == 0
    assert 0 < r["reconnect_s"] <= r["hub_online_s"] <= 30
    assert r["hub_rss_mb"] > 10 and r["broker_rss_mb"] > 1 and r["hub_cpu_pct"] >= 0
    assert r["call_p99_idle_ms"] > 0 and r["call_p99_ms"] > 0
    # Every device said online and reported health, and the hub wrote them in far fewer commits.
    assert r["presence_messages"] >= 2 * 30 and r["presence_batches"] < r["presence_messages"] / 4
