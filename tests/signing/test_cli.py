"""`motcua hub signing import|status|digitisation`: the centre installs the certificate a licensed CA issued
it; a wrong passphrase is refused and changes nothing; files stay private."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from motcua_core import pki

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "motcua.cli", "hub", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_import_status_and_a_wrong_passphrase(tmp_path: Path) -> None:
    data = tmp_path / "office"
    assert _cli("site", "load", "--demo", "--data", str(data)).returncode == 0
    assert "tự cấp" in _cli("signing", "status", "--data", str(data)).stdout
    ca = pki.make_ca("CA được cấp phép (thử)", "CA")
    p12 = tmp_path / "centre.p12"
    p12.write_bytes(pki.issue(ca, "Trung tâm PVHCC xã Hòa An", "UBND xã Hòa An", use_rsa=True).pkcs12(b"dung", [ca.cert]))
    wrong, right = tmp_path / "wrong", tmp_path / "right"
    wrong.write_text("sai\n")
    right.write_text("dung\n")
    bad = _cli("signing", "import", "--data", str(data), str(p12), "--passphrase-file", str(wrong))
    assert bad.returncode != 0 and "sai mật khẩu" in bad.stderr
    assert not (data / "signing" / "centre.p12").exists()
    ok = _cli("signing", "import", "--data", str(data), str(p12), "--passphrase-file", str(right))
    assert ok.returncode == 0, ok.stderr
    out = _cli("signing", "status", "--data", str(data)).stdout
    assert "Ký bởi: Trung tâm PVHCC xã Hòa An" in out and "Cấp bởi: CA được cấp phép (thử)" in out
    assert "tự cấp" not in out
    for f in (data / "signing").iterdir():
        assert f.stat().st_mode & 0o777 == 0o600
    assert (data / "signing").stat().st_mode & 0o777 == 0o700
    figures = json.loads(_cli("signing", "digitisation", "--data", str(data), "--site", "demo", "--from",
                              "2026-01-01", "--to", "2027-01-01").stdout)
    assert figures["received"] == 0 and figures["results_electronic_rate"] is None
