"""The one adapter to the national portal's electronic data store of citizens ("kho dữ liệu điện tử của
tổ chức, cá nhân", Decree 118/2025 Art. 22): everything that knows the far side's shape is here.

**What is real and what is not.** The portal's API for depositing a result into a citizen's store is
not public; this adapter speaks the shape below (JSON over HTTPS, a bearer secret, the document code as
the idempotency key), which the tests' local stand-in server (tests/support/datastore_standin.py) also
speaks. An installation against the real portal rewrites `push` and nothing else.

`POST {url}/giay-to` with `Authorization: Bearer <secret>`, `X-Client-Id: <client id>`,
`Idempotency-Key: <document code>`, body:
  {"ma_giay_to": "<CCCD>.<result type>", "so_dinh_danh": "<CCCD or tax code>", "loai_ket_qua": "<result type>",
   "ten_giay_to": "…", "ma_ho_so": "<dossier code>", "co_quan_cap": "…", "ngay_cap": "<ISO time>",
   "tep": {"ten": "<document code>.pdf", "kieu": "application/pdf", "sha256": "…", "du_lieu": "<base64>"}}
Answers: 201 (stored) or 200 (already held, same SHA-256) → `{"ma_luu_tru": "…"}`: pushed;
409 (that code held with other bytes), 400, 422 → refused, with the far side's `loi`; anything else,
a timeout or a refused connection → tried again later.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import urllib.error
import urllib.request
from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoint:
    url: str  # e.g. https://dichvucong.example.gov.vn/kho-du-lieu/v1
    client_id: str
    secret: str
    timeout_s: float = 20.0
    retry_base_s: float = 30.0  # the first wait after a failure (doubling, at most an hour)


class Refused(Exception):
    """The far side will not take this document as it is (not worth retrying unchanged)."""


def payload(doc_code: str, holder_id: str, result_type: str, name: str, dossier_code: str, unit: str,
            issued_at: str, pdf: bytes) -> dict:
    return {"ma_giay_to": doc_code, "so_dinh_danh": holder_id, "loai_ket_qua": result_type, "ten_giay_to": name,
            "ma_ho_so": dossier_code, "co_quan_cap": unit, "ngay_cap": issued_at,
            "tep": {"ten": f"{doc_code}.pdf", "kieu": "application/pdf", "sha256": hashlib.sha256(pdf).hexdigest(),
                    "du_lieu": base64.b64encode(pdf).decode()}}


def push(ep: Endpoint, body: dict) -> str:
    """Deposit one document; returns the far side's storage reference. Raises Refused, or OSError /
    ValueError for a failure worth retrying. No database: a worker thread calls it."""
    req = urllib.request.Request(f"{ep.url}/giay-to", data=json.dumps(body, ensure_ascii=False).encode(),
                                 method="POST", headers={"Content-Type": "application/json; charset=utf-8",
                                                         "Authorization": f"Bearer {ep.secret}",
                                                         "X-Client-Id": ep.client_id,
                                                         "Idempotency-Key": body["ma_giay_to"]})
    try:
        with urllib.request.urlopen(req, timeout=ep.timeout_s) as resp:
            answer = json.loads(resp.read().decode("utf-8") or "{}")
    except urllib.error.HTTPError as exc:
        detail = ""
        with contextlib.suppress(ValueError, AttributeError):
            detail = str(json.loads(exc.read().decode("utf-8") or "{}").get("loi") or "")
        if exc.code in (400, 409, 422):
            raise Refused(f"HTTP {exc.code}: {detail or exc.reason}") from None
        raise OSError(f"HTTP {exc.code} từ kho dữ liệu{': ' + detail if detail else ''}") from None
    if not isinstance(answer, dict) or not answer.get("ma_luu_tru"):
        raise ValueError("câu trả lời của kho dữ liệu thiếu ma_luu_tru")
    return str(answer["ma_luu_tru"])
