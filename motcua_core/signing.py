"""PAdES signatures on the office's PDFs (pyHanko): a scanned document signed with the officer's personal
certificate (a PKCS#12 file, or a PKCS#11 USB token from a licensed CA), and the documents the machine
issues (receipts, notices, electronic results) signed with the centre's own certificate.

Every signature is PAdES baseline B (CAdES detached, /ETSI.CAdES.detached) with a visible block in
Vietnamese on the chosen page; it is added as an incremental update, so a PDF/A-2 document stays one
(checked by the tests with an independent validator) and an earlier signature stays valid. `validate` is the check the tests and the citizen's download use.
"""

from __future__ import annotations

import io
import tempfile
import time
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from motcua_core import clock as wallclock

# pyHanko imports cryptography's DSA support, deprecated there; we never sign with DSA.
warnings.filterwarnings("ignore", message="DSA is deprecated", category=Warning)

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
BLOCK_W, BLOCK_H = 230, 62  # points: the visible block, bottom right above the margin
FONT_SIZE = 8
VN_TIME = timezone(timedelta(hours=7), "ICT")  # the time shown in the block: offices are in Vietnam


class SigningError(RuntimeError):
    """A certificate or token that cannot sign; `message_vi` is for the officer."""

    def __init__(self, message: str, message_vi: str):
        super().__init__(message)
        self.message_vi = message_vi


@dataclass(frozen=True)
class Validity:
    intact: bool  # the signed bytes are unchanged
    valid: bool  # the signature is cryptographically correct
    trusted: bool  # the certificate chains to a trust root given
    signer: str  # the certificate's common name
    covers_whole: bool  # nothing was added after the signature (other than further signatures)


def pkcs12_signer(path: str | Path, passphrase: bytes | None):
    """The signer of a PKCS#12 file (.p12/.pfx): an officer's personal certificate or the centre's."""
    from pyhanko.sign import signers

    try:
        signer = signers.SimpleSigner.load_pkcs12_data(Path(path).read_bytes(), other_certs=None,
                                                        passphrase=passphrase)
    except (OSError, ValueError) as e:  # wrong passphrase, not a PKCS#12 file
        raise SigningError(f"cannot open the certificate {path}: {e}",
                           "Không mở được chứng thư số (sai mật khẩu hoặc tệp không đúng).") from None
    return signer


class WrongPin(SigningError):
    """The token refused the PIN; `state` is what the token says about the tries left."""

    def __init__(self, state: PinState):
        super().__init__("the token refused the PIN", pin_message_vi(state))
        self.state = state


@dataclass(frozen=True)
class PinState:
    """What a PKCS#11 token tells about its user PIN. The standard gives no number of tries left, only
    these flags (CKF_USER_PIN_COUNT_LOW / _FINAL_TRY / _LOCKED), which each vendor sets by its own count."""

    count_low: bool = False  # a wrong PIN was entered since the last right one
    final_try: bool = False  # the next wrong PIN locks the token
    locked: bool = False


def pin_message_vi(state: PinState) -> str:
    if state.locked:
        return ("Token đã bị khóa mã PIN do nhập sai quá số lần cho phép. Liên hệ tổ chức cung cấp chữ ký số "
                "để mở khóa.")
    if state.final_try:
        return "Sai mã PIN. Token báo chỉ còn MỘT lần thử: nhập sai lần nữa token sẽ bị khóa."
    if state.count_low:
        return "Sai mã PIN. Token báo đã có lần nhập sai: còn ít lần thử trước khi token tự khóa."
    return "Sai mã PIN. Nhập lại."


def token_pin_state(lib: str, token_label: str) -> PinState:
    """The token's PIN flags, read without logging in."""
    from pkcs11.constants import TokenFlag
    from pyhanko.sign.pkcs11 import p11_lib

    token = p11_lib(lib).get_token(token_label=token_label)
    flags = TokenFlag(token.flags)
    return PinState(count_low=bool(flags & TokenFlag.USER_PIN_COUNT_LOW),
                    final_try=bool(flags & TokenFlag.USER_PIN_FINAL_TRY),
                    locked=bool(flags & TokenFlag.USER_PIN_LOCKED))


def pkcs11_session(lib: str, token_label: str, pin: str):
    """A session on a PKCS#11 token (a USB signing token; SoftHSM2 in tests), logged in with `pin` (typed
    by the officer; neither kept nor logged here). Close it when done. A refused PIN raises WrongPin
    with what the token says about the tries left."""
    from pkcs11.exceptions import PinIncorrect, PinLenRange, PinLocked
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import open_pkcs11_session

    try:
        return open_pkcs11_session(lib, token_criteria=TokenCriteria(label=token_label), user_pin=pin)
    except (PinIncorrect, PinLenRange):
        raise WrongPin(token_pin_state(lib, token_label)) from None
    except PinLocked:
        raise WrongPin(PinState(locked=True)) from None
    except Exception as e:
        raise SigningError(f"cannot open the token {token_label!r}: {type(e).__name__}",
                           "Không mở được thiết bị ký số (USB token): kiểm tra token đã cắm đúng.") from None


def pkcs11_signer(session, key_label: str, cert_label: str | None = None):
    from pyhanko.sign.pkcs11 import PKCS11Signer

    return PKCS11Signer(session, key_label=key_label, cert_label=cert_label or key_label)


def _block_pdf(lines: list[str]) -> bytes:
    """The visible signature block as a one-page PDF (fpdf2, DejaVu Sans: every Vietnamese letter), used
    as the signature's appearance. pyHanko's own text stamp spaces shaped Vietnamese text apart here."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format=(BLOCK_W, BLOCK_H))
    pdf.set_margins(5, 5, 5)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_draw_color(0, 70, 150)
    pdf.set_line_width(1)
    pdf.rect(1, 1, BLOCK_W - 2, BLOCK_H - 2)
    pdf.set_text_color(0, 40, 110)
    pdf.set_y(6)
    for i, line in enumerate(lines):
        pdf.set_font("DejaVu", size=FONT_SIZE + (1 if i == 0 else 0))
        pdf.cell(w=BLOCK_W - 10, h=FONT_SIZE + 4, text=line, new_x="LMARGIN", new_y="NEXT")
    from motcua_core.archive import unicode_clean

    return unicode_clean(bytes(pdf.output()))  # its font goes into the archived document: PDF/A-2u's mapping


def block_lines(signer_name: str, role: str, when: datetime) -> list[str]:
    return ["Văn bản đã được ký số", f"Ký bởi: {signer_name}", role,
            f"Thời gian ký: {when:%H:%M:%S} ngày {when:%d/%m/%Y}"]


def sign_pdf(data: bytes, signer, *, role: str, reason: str, location: str = "", field: str = "ChuKy1",
             page: int = -1) -> bytes:
    """`data` signed by `signer` (PAdES B-B) with a visible block on `page` (−1: the last) saying who
    signed, as what (`role`, e.g. "Công chức tiếp nhận" or the centre's name) and when (the machine's
    clock in Vietnam time; the signature itself carries the same clock's time)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers
    from pyhanko.sign.fields import SigSeedSubFilter

    reader = PdfFileReader(io.BytesIO(data))
    n_pages = int(reader.root["/Pages"]["/Count"])
    on_page = page % n_pages
    page_obj = reader.find_page_for_modification(on_page)[0].get_object()
    x2 = float(page_obj["/MediaBox"][2])
    box = (int(x2 - 36 - BLOCK_W), 36, int(x2 - 36), 36 + BLOCK_H)
    existing = {name for name, *_ in fields.enumerate_sig_fields(reader)}
    name = field
    i = 1
    while name in existing:
        i += 1
        name = f"{field}_{i}"
    signer_name = signer.signing_cert.subject.native.get("common_name", "")
    meta = signers.PdfSignatureMetadata(field_name=name, reason=reason, location=location or None,
                                        name=signer_name, subfilter=SigSeedSubFilter.PADES,
                                        md_algorithm="sha256")
    from pyhanko import stamp

    for attempt in range(3):
        w = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        fields.append_signature_field(w, fields.SigFieldSpec(name, on_page=on_page, box=box))
        with tempfile.NamedTemporaryFile(suffix=".pdf") as block:
            block.write(_block_pdf(block_lines(signer_name, role, wallclock.now(VN_TIME))))
            block.flush()
            style = stamp.StaticStampStyle.from_pdf_file(block.name, border_width=0)
            pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=style)
            out = io.BytesIO()
            _outside_loop(lambda ps=pdf_signer, w=w, out=out: ps.sign_pdf(w, output=out))
        signed = out.getvalue()
        # A stream of the update whose data ends in CR reads to a PDF/A validator as shorter than its
        # /Length (motcua_core.archive): the block's streams are kept clear of it; should another one of
        # pyHanko's end so, sign again a second later (another time in the block, other bytes).
        if b"\r\nendstream" not in signed[len(data):] or attempt == 2:
            break
        time.sleep(1.05)
    return signed


def _outside_loop(fn):
    """pyHanko's synchronous API runs its own asyncio loop: from inside a running loop (the hub signing a
    result within a request), run it on a short-lived thread and wait (a fraction of a second)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn()
    with ThreadPoolExecutor(1, thread_name_prefix="motcua-sign") as ex:
        return ex.submit(fn).result()


def validate(data: bytes, trust_roots: list[bytes] | None = None) -> list[Validity]:
    """Every signature of `data`, checked: bytes intact, signature valid, chained to one of `trust_roots`
    (DER or PEM certificates), and whether it covers the whole file."""
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = []
    for r in trust_roots or []:
        if pem.detect(r):
            r = pem.unarmor(r)[2]
        roots.append(x509.Certificate.load(r))
    vc = ValidationContext(trust_roots=roots, allow_fetching=False)
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    out = []
    for sig in reader.embedded_signatures:
        st = validate_pdf_signature(sig, vc, skip_diff=False)
        cover = st.coverage.name if st.coverage is not None else ""
        out.append(Validity(intact=bool(st.intact), valid=bool(st.valid), trusted=bool(st.trusted),
                            signer=st.signing_cert.subject.native.get("common_name", ""),
                            covers_whole=cover in ("ENTIRE_FILE", "ENTIRE_REVISION")
                            and (st.modification_level is None or st.modification_level.name in (
                                "NONE", "LTA_UPDATES", "FORM_FILLING"))))
    return out
