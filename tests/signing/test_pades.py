"""PAdES signatures checked by two validators (pyHanko's and poppler's pdfsig): a scanned document signed
by the officer (PKCS#12 file, then a SoftHSM2 token standing in for a USB token), countersigned by the
centre; a changed byte breaks them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from devicekit.scan import pdf, pipeline, sample
from motcua_core import signing
from tests.support import pdfa
from tests.support import pki as test_pki

pytestmark = pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils not installed")


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return test_pki.make(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def token(ca, tmp_path_factory) -> dict:
    """One SoftHSM2 token for the module: the PKCS#11 library reads its configuration once per process.
    An RSA key, as on the licensed CAs' tokens (SoftHSM2 also signs SHA256-RSA on the token itself)."""
    holder = test_pki.pki.issue(ca.ca, "Nguyễn Thị Lan", "Trung tâm PVHCC xã Hòa An", use_rsa=True)
    try:
        return test_pki.softhsm_token(tmp_path_factory.mktemp("hsm"), holder)
    except FileNotFoundError:
        pytest.skip("softhsm2 not installed")


@pytest.fixture(scope="module")
def scanned() -> bytes:
    photo, _ = sample.photograph(sample.render_form(), angle=8)
    return pdf.pages_to_pdf([pipeline.process_photo(photo, dpi=150)], title="Tờ khai đăng ký khai sinh")


def pdfsig(path: Path) -> list[str]:
    """poppler's verdict per signature: the 'Signature Validation' lines."""
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60).stdout
    return re.findall(r"Signature Validation: (.+)", out)


def test_officer_and_centre_signatures_validate_twice(ca, scanned, tmp_path):
    officer = signing.pkcs12_signer(ca.p12(ca.officer, "officer"), b"matkhau")
    once = signing.sign_pdf(scanned, officer, role="Công chức tiếp nhận", reason="Số hóa hồ sơ tiếp nhận",
                            location="Hòa An")
    centre = signing.pkcs12_signer(ca.p12(ca.centre, "centre", b"khac"), b"khac")
    twice = signing.sign_pdf(once, centre, role="Trung tâm Phục vụ hành chính công", reason="Xác nhận")
    results = signing.validate(twice, [ca.ca.cert_pem()])
    assert [r.signer for r in results] == ["Nguyễn Thị Lan", "Trung tâm Phục vụ hành chính công xã Hòa An"]
    assert all(r.intact and r.valid and r.trusted for r in results)
    assert results[-1].covers_whole
    f = tmp_path / "signed.pdf"
    f.write_bytes(twice)
    assert pdfsig(f) == ["Signature is Valid.", "Signature is Valid."]
    # without our CA as a trust root, pyHanko says it is not trusted (the check is not a formality)
    assert not any(r.trusted for r in signing.validate(twice, []))


def test_visible_block_is_in_vietnamese(ca, scanned, tmp_path):
    signed = signing.sign_pdf(scanned, signing.pkcs12_signer(ca.p12(ca.officer, "o2"), b"matkhau"),
                              role="Công chức tiếp nhận", reason="Số hóa")
    f = tmp_path / "s.pdf"
    f.write_bytes(signed)
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(f), str(tmp_path / "page")], check=True)
    text = subprocess.run(["pdftotext", str(f), "-"], capture_output=True, text=True).stdout
    assert "Ký bởi: Nguyễn Thị Lan" in text and "Công chức tiếp nhận" in text and "Thời gian ký" in text


def test_a_changed_byte_breaks_the_signature(ca, scanned, tmp_path):
    signed = signing.sign_pdf(scanned, signing.pkcs12_signer(ca.p12(ca.officer, "o3"), b"matkhau"),
                              role="Công chức tiếp nhận", reason="Số hóa")
    # change one byte inside the signed range: in the page's image data, far from the signature
    i = signed.index(b"stream", signed.index(b"/Subtype /Image")) + 200
    bad = signed[:i] + bytes([signed[i] ^ 0x01]) + signed[i + 1:]
    r = signing.validate(bad, [ca.ca.cert_pem()])
    assert r and not r[0].intact
    f = tmp_path / "bad.pdf"
    f.write_bytes(bad)
    assert pdfsig(f) != ["Signature is Valid."]


def test_wrong_passphrase_is_explained(ca):
    with pytest.raises(signing.SigningError) as e:
        signing.pkcs12_signer(ca.p12(ca.officer, "o4"), b"sai")
    assert "mật khẩu" in e.value.message_vi


def test_token_signature_softhsm(ca, scanned, token, tmp_path):
    tok = token
    session = signing.pkcs11_session(tok["lib"], tok["token"], tok["pin"])
    try:
        signed = signing.sign_pdf(scanned, signing.pkcs11_signer(session, tok["key"]),
                                  role="Công chức tiếp nhận", reason="Số hóa (ký bằng USB token)")
    finally:
        session.close()
    r = signing.validate(signed, [ca.ca.cert_pem()])
    assert len(r) == 1 and r[0].intact and r[0].valid and r[0].trusted and r[0].signer == "Nguyễn Thị Lan"
    f = tmp_path / "token.pdf"
    f.write_bytes(signed)
    assert pdfsig(f) == ["Signature is Valid."]
    assert pdfa.failures(signed) == [], "the token's signature broke the scan's PDF/A-2b"
    with pytest.raises(signing.SigningError):
        signing.pkcs11_session(tok["lib"], tok["token"], "000000")


def test_counter_scan_signed_with_the_token_named_in_the_hardware_map(ca, token, tmp_path):
    """The counter's `signing` entry (PKCS#11, the PIN as the officer typed it on the screen) signs each
    finished document; without a PIN there is no token signer, and a wrong one says so in Vietnamese."""
    from counter_terminal.scan_desk import ScanDesk, needs_pin, officer_signer
    from devicekit.scan import source

    tok = token
    hw = {"type": "pkcs11", "lib": tok["lib"], "token": tok["token"], "key": tok["key"]}
    assert needs_pin(hw)
    with pytest.raises(ValueError):
        officer_signer(hw)
    with pytest.raises(signing.WrongPin) as wrong:
        officer_signer(hw, "999999")
    assert wrong.value.message_vi.startswith("Sai mã PIN") and wrong.value.state.count_low
    signer = officer_signer(hw, tok["pin"])
    sample.document_photos(tmp_path / "cam", pages=1)
    desk = ScanDesk(None, source.make_source({"type": "files", "dir": str(tmp_path / "cam"), "dpi": 100}),
                    tmp_path / "scans", signer=signer)
    desk.capture(0)
    doc = desk.finish(0, "Tờ khai")
    r = signing.validate(doc.path.read_bytes(), [ca.ca.cert_pem()])
    assert [(x.signer, x.intact, x.valid, x.trusted) for x in r] == [("Nguyễn Thị Lan", True, True, True)]
    assert pdfsig(doc.path) == ["Signature is Valid."]
    assert doc.path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(ValueError):
        officer_signer({"type": "smartcard"})
