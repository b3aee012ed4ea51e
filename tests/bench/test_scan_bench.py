"""Smoke run of `motcua bench scan`: its JSON names the issue's fields and the sample is a signed PDF that
poppler's pdfsig checks too. Never a timing assert: the figures are for the report."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_scan_bench_reports_per_page_and_a_signed_sample(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "motcua.cli", "bench", "scan", "--pages", "2", "--out",
                           str(tmp_path), "--json"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    assert r["s_per_page"] > 0 and r["bytes_per_page"] > 1000 and r["gray_bytes_per_page"] > r["bytes_per_page"]
    assert r["s_per_page_includes_ocr"] is False and r["sample_valid"] is True and r["pdfa"] == "2B"
    from hub.ops import ocr

    if ocr.unavailable() is None:  # the hub's text layer, timed per page
        assert r["ocr_s_per_page"] > 0
    else:
        assert r["ocr_s_per_page"] is None
    sample = Path(r["sample_pdf"])
    assert sample.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdfsig") is None:
        pytest.skip("poppler-utils not installed")
    out = subprocess.run(["pdfsig", str(sample)], capture_output=True, text=True, timeout=60).stdout
    assert re.findall(r"Signature Validation: (.+)", out) == ["Signature is Valid."]
