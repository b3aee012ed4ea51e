"""Public dossier lookup needs the code plus the receipt's lookup key (or the applicant's CCCD last
digits) and is rate-limited per client (issue #10 item 10); every QR link is absolute, opened by a phone
and accepted by our scanners (issue #13 item 1). Real hub, real Mosquitto, real Chromium."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from counter_terminal.core import CounterCore
from counter_terminal.dossier_core import DossierCore
from devicekit.drivers.camera import decode_qr
from devicekit.outbox import RETRYABLE_CODES
from hub.ops.dossiers import LOOKUPS_PER_MINUTE
from hub.store import dossiers as dossier_store
from kiosk.core import KioskCore
from kiosk.dossier import extract
from motcua_core.errors import RequestError
from tests.dossier.conftest import APPLICANT, SETTINGS, DossierHub
from tests.support.browser import PHONE, Browser

PROC = "cap-phep-xay-dung-lien-thong"


def _receive(dhub: DossierHub, tmp_path: Path) -> tuple[dict, DossierCore]:
    counter = CounterCore(dhub.h.device("counter", counter=1))
    counter.login("lan1", "1111")
    counter.open()
    desk = DossierCore(counter.session, tmp_path / "printed")
    r = desk.intake(PROC, APPLICANT, [0, 1, 2])
    assert r["complete"] is True
    return r, desk


def test_lookup_needs_the_key_and_is_rate_limited(dhub: DossierHub, tmp_path: Path) -> None:
    r, _ = _receive(dhub, tmp_path)
    code, key = r["code"], r["receipt"]["lookup_key"]
    assert r["lookup_key"] == key and r["status_url"] == r["receipt"]["status_url"]
    # The next code in sequence, without its key, learns nothing: no name, procedure or office.
    for path in (f"/api/v1/dossiers/{code}", f"/api/v1/dossiers/{code}?k=ABCDEF", "/api/v1/dossiers/HOAAN-261125-0002?k=ABCDEF"):
        status, body = dhub.http("GET", path)
        assert status in (400, 404), path
        assert "Nguyễn" not in str(body) and "giấy phép" not in str(body).lower()
    assert dhub.http("GET", f"/api/v1/dossiers/{code}")[1]["error"]["message_vi"].startswith("Cần nhập mã tra cứu")
    wrong, unknown = (dhub.http("GET", f"/api/v1/dossiers/{c}?k=ABCDEF")[1] for c in (code, "HOAAN-261125-0002"))
    assert wrong == unknown  # a wrong key does not even tell that the code exists
    status, view = dhub.http("GET", f"/api/v1/dossiers/{code}?k={key.lower()}")
    assert status == 200 and view["applicant"] == "Nguyễn V*** A**"
    status, by_cccd = dhub.http("GET", f"/api/v1/dossiers/{code}?k={APPLICANT['cccd'][-4:]}")
    assert status == 200 and by_cccd == view
    assert dhub.http("GET", f"/api/v1/dossiers/{code}?k=12")[0] == 404  # too few CCCD digits
    # Everything so far counted; the address is refused with 429 once over the limit, the page too.
    made = 9
    for _ in range(LOOKUPS_PER_MINUTE - made - 1):
        dhub.http("GET", f"/api/v1/dossiers/{code}?k=ZZZZZZ")
    assert dhub.http("GET", f"/api/v1/dossiers/{code}?k={key}")[0] == 200  # the last one within the limit
    status, body = dhub.http("GET", f"/api/v1/dossiers/{code}?k={key}")
    assert status == 429 and body["error"]["code"] == "rate_limited"
    assert "Tra cứu quá nhiều lần" in body["error"]["message_vi"]
    status, page = dhub.http("GET", f"/d/{code}?k={key}")
    assert status == 429 and "Tra cứu quá nhiều lần" in page.decode()
    dhub.set_time("2026-11-25T08:01:05")  # a minute later the citizen is served again
    assert dhub.http("GET", f"/api/v1/dossiers/{code}?k={key}")[0] == 200

    # The kiosk's verb: same rules per device; over the limit a final error its outbox never retries.
    kiosk = KioskCore(dhub.h.device("lookup"))
    with pytest.raises(RequestError) as no_key:
        kiosk.session.request("dossier.lookup", {"code": code})
    assert no_key.value.code == "bad_request"
    assert kiosk.lookup_dossier(code, key)["code"] == code
    for i in range(LOOKUPS_PER_MINUTE - 2):  # other codes: wrong keys on one code lock it (issue #21)
        with pytest.raises(RequestError):
            kiosk.lookup_dossier(f"{code[:-4]}{9000 + i}", "ZZZZZZ")
    with pytest.raises(RequestError) as limited:
        kiosk.lookup_dossier(code, key)
    assert limited.value.code == "rate_limited" and limited.value.code not in RETRYABLE_CODES
    # Another kiosk is not held back by the first.
    assert KioskCore(dhub.h.device("lookup")).lookup_dossier(code, key)["code"] == code


def test_receipt_qr_is_an_absolute_link_a_phone_opens(dhub: DossierHub, tmp_path: Path) -> None:
    """No `public_url` set: the QR carries the hub's own address, the phone opens it, sees the status
    with readable times, and the counter's return scan and the lookup kiosk accept the same link."""
    dhub.on_loop(lambda: dossier_store.set_settings(dhub.db, "demo", {**SETTINGS, "public_url": ""}))
    r, desk = _receive(dhub, tmp_path)
    code, key = r["code"], r["lookup_key"]
    thermal = Image.open(r["printed"].images[-1])  # the citizen's 80 mm slip
    url = decode_qr(np.asarray(thermal.convert("RGB")))
    assert url == f"http://127.0.0.1:{dhub.h.http_port}/d/{code}?k={key}"
    assert extract(url) == (code, key)
    assert desk.scan(url)["code"] == code  # the counter's return scan takes the QR's link too
    with Browser(PHONE) as browser:
        phone = browser.driver
        phone.get(url)
        browser.shot("dossier-status-from-receipt-qr")
        text = phone.find_element("tag name", "body").text
        assert f"Hồ sơ {code}" in text and "Nguyễn V*** A**" in text and "Nguyễn Văn An" not in text
        assert "Hẹn trả kết quả: 17:00 02/12/2026" in text
        assert "T08:" not in text and "+07:00" not in text  # no raw ISO timestamps for a citizen
        # Typed by hand from the receipt: the page asks for the key printed beside the code.
        phone.get(f"http://127.0.0.1:{dhub.h.http_port}/d/{code.lower()}")
        assert "Mã tra cứu in trên giấy hẹn" in phone.find_element("tag name", "body").text
        browser.submit_and_wait(lambda: phone.find_element("id", "k").send_keys("ZZZZZZ\n"))
        assert "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này" in phone.find_element("tag name", "body").text
        browser.submit_and_wait(lambda: phone.find_element("id", "k").send_keys(key.lower() + "\n"))
        browser.shot("dossier-status-typed-key")
        assert "Nguyễn V*** A**" in phone.find_element("tag name", "body").text
