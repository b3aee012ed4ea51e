"""Smoke run of `motcua bench display` at a small size: JSON fields and correctness, never timing."""

from __future__ import annotations

import pytest

from tests.bench.test_benchmarks import run_bench


@pytest.mark.integration
def test_display_bench_reports_led_and_audio_latency() -> None:
    r = run_bench("display", "--calls", "15", "--amp-warmup", "0.1", timeout=120)
    assert r["bench"] == "display" and r["calls"] == 15 and r["wrong_frames"] == 0
    for key in ("led_p50_ms", "led_p99_ms", "audio_p50_ms", "audio_p99_ms"):
        assert isinstance(r[key], float) and r[key] > 0
    assert isinstance(r["targets_met"], bool)
