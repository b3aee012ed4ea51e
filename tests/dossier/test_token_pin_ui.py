"""The officer's USB token PIN asked on the counter's screen (800×480, Xvfb, a real hub), with SoftHSM2
standing in for the token and the camera stand-in replaying a photographed page: the scanning panel asks
for the PIN (masked, Vietnamese), a wrong PIN is said with what the token reports, the right one opens
it, and the finished document is signed with the officer's token certificate. The PIN is in no file the
counter writes (its config, its data, its logs). Screenshots: test-artifacts/counter/token-pin-*.png."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devicekit.scan import sample
from kiosk.core import KioskCore
from motcua_core import signing
from tests.dossier.conftest import DossierHub
from tests.support import pki as test_pki
from tests.support.kivyrun import KivyRun
from tests.ui.conftest import device_file

RIGHT, WRONG = "482913", "999999"


def test_token_pin_on_screen_wrong_then_right_signs_the_scan(dhub: DossierHub, xvfb, artifacts_dir: Path,
                                                             tmp_path: Path) -> None:
    ca = test_pki.make(tmp_path / "pki")
    holder = test_pki.pki.issue(ca.ca, "Nguyễn Thị Lan", "Trung tâm PVHCC xã Hòa An", use_rsa=True)
    try:
        # made by child processes, used by the app's: SoftHSM2 reads its configuration once per process,
        # and another test of this process may hold its own token
        tok = test_pki.softhsm_token(tmp_path / "hsm", holder, pin=RIGHT, in_child=True)
    except FileNotFoundError:
        pytest.skip("softhsm2 not installed")
    h = dhub.h
    KioskCore(h.device("kiosk")).issue_ticket("HT")
    sample.document_photos(tmp_path / "camera", pages=1, title="ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG")
    config = device_file(h, "counter", counter=1, hardware={
        "docscan": {"type": "files", "dir": str(tmp_path / "camera"), "dpi": 150},
        "signing": {"type": "pkcs11", "lib": tok["lib"], "token": tok["token"], "key": tok["key"]}})
    run = KivyRun("counter_terminal.app:make_test_app", [str(config)], [
        {"keys": "lan1"}, {"tap": "pin"}, {"keys": "1111"}, {"tap": "login"},
        {"wait_text": ["header", "Nguyễn Thị Lan"]},
        {"tap": "act:next"}, {"wait_text": ["current", "1001"]},
        {"tap": "open:intake"}, {"wait_text": ["intake_header", "số 1001"]},
        {"text": ["intake_search", "giay phep xay dung lien thong"], "enter": True},
        {"wait": "proc:cap-phep-xay-dung-lien-thong"}, {"tap": "proc:cap-phep-xay-dung-lien-thong"},
        {"wait": "doc:2"},
        {"tap": "intake_scan"}, {"wait": "token_header"},
        {"screenshot": "token-pin-ask"}, {"state": "ask"},
        {"taps": [f"token_key:{d}" for d in WRONG]}, {"state": "typed"},
        {"screenshot": "token-pin-typed"},
        {"tap": "token_open"}, {"wait_text": ["token_message", "Sai mã PIN"]},
        {"screenshot": "token-pin-wrong"}, {"state": "wrong"},
        {"text": ["token_pin", RIGHT], "enter": True}, {"wait_gone": "token_header"},
        {"wait_text": ["scan_message", "Đã mở token"]}, {"state": "opened"},
        {"screenshot": "token-pin-opened"},
        {"tap": "scan_capture:0"}, {"wait_text": ["scan_message", "Đã chụp trang 1"]},
        {"tap": "scan_finish:0"}, {"wait_text": ["scan_message", "đã ký số"]}, {"state": "signed"},
    ], {**xvfb.env(), **tok["env"]}, artifacts_dir / "counter", tmp_path / "ui-token", size=(800, 480),
        timeout=240).start()
    result = run.finish()
    s = result["states"]
    assert "Nhập mã PIN của token" in s["ask"]["token_message"]
    assert s["typed"]["token_pin"] == WRONG  # (the field holds it until it goes to the token …)
    assert s["wrong"]["token_pin"] == ""  # … and is emptied at once
    # what the token reports: SoftHSM2 sets only "a wrong PIN was entered" (no count, no lock)
    assert s["wrong"]["token_message"].startswith("Sai mã PIN. Token báo đã có lần nhập sai")
    assert "(sai 1 lần tại quầy này)" in s["wrong"]["token_message"]
    assert "Nguyễn Thị Lan" in s["opened"]["scan_message"]
    data_dir = Path(json.loads(config.read_text())["data_dir"])
    pdfs = list((data_dir / "scans").glob("*.pdf"))
    assert len(pdfs) == 1
    v = signing.validate(pdfs[0].read_bytes(), [ca.ca.cert_pem()])
    assert [(x.signer, x.intact, x.valid, x.trusted) for x in v] == [("Nguyễn Thị Lan", True, True, True)]
    # the PIN is in nothing the counter wrote: its config, its data, the app's logs
    for f in [config, *data_dir.rglob("*"), *(tmp_path / "ui-token").rglob("*")]:
        if f.is_file() and f.name not in ("result.json", "spec.json"):  # the test's own script and record
            assert RIGHT.encode() not in f.read_bytes(), f
    for name in ("token-pin-ask", "token-pin-wrong", "token-pin-opened"):
        assert (artifacts_dir / "counter" / f"{name}.png").is_file()
