"""Smoke runs of the province's benches at small sizes (issue #23): the JSON fields, nothing lost or
doubled, the sync link really on; never timing."""

from __future__ import annotations

import pytest

from tests.bench.test_benchmarks import run_bench


@pytest.mark.integration
@pytest.mark.sqlite_only  # a provincial hub and its centres, each with a database of its own
@pytest.mark.timeout(600)
def test_province_bench_reports_its_figures_and_loses_nothing() -> None:
    r = run_bench("province", "--sites", "3", "--devices", "2", "--minutes", "2", "--overview-requests", "5",
                  timeout=240)
    assert (r["lost"], r["duplicated"]) == (0, 0)
    assert r["rows"] == 3 * 2 * 2 * 2 * 2  # 3 sites × 8 tickets × (event + ticket snapshot)
    assert r["overview_centres"] == 3
    for key in ("ingest_rows_per_s", "overview_p99_ms", "catchup_s"):
        assert isinstance(r[key], float) and r[key] > 0, key


@pytest.mark.integration
@pytest.mark.sqlite_only
@pytest.mark.timeout(600)
def test_call_path_with_the_sync_link_on_and_off() -> None:
    r = run_bench("call-path", "--sync", "--calls", "20", "--block", "5", timeout=240)
    assert r["delivered"] == r["delivered_sync_off"] == 20
    assert (r["block"], r["rounds"]) == (5, 4)  # the two hubs took turns, 5 calls at a time
    assert r["rows_synced"] > 0  # the link was on: the province acknowledged the calls' rows
    for key in ("p99_ms", "p99_ms_sync_off", "ratio_p99_sync"):
        assert isinstance(r[key], float) and r[key] > 0, key
