"""Rules for the electronic side of a dossier (pure): scanned documents declared at intake, documents
taken from data already held instead of paper (Decree 118/2025 Art. 5(1)(i), 17(1)(b)), upload chunks,
and the electronic result's document code (Art. 22: the holder's identity number + the result-type code).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from motcua_core.errors import DomainError

CHUNK_BYTES = 32 * 1024  # raw bytes per MQTT chunk: 43,692 in base64, under the 64 KB message limit
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # one document's PDF (a B/W A4 page is 10–60 KB)
MAX_DOSSIER_BYTES = 100 * 1024 * 1024
MAX_PAGES = 500
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
REUSE_SOURCES = ("csdl-quoc-gia", "vneid", "kho-du-lieu")  # national databases, VNeID, the citizen's data store
TAX_CODE_RE = re.compile(r"^\d{10}(\d{3})?$")
RESULT_TYPE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{1,39}$")


def _bad(message: str, message_vi: str) -> DomainError:
    return DomainError("bad_request", message, message_vi)


@dataclass(frozen=True)
class Scan:
    doc_index: int
    sha256: str
    size: int
    pages: int

    @property
    def chunks(self) -> int:
        return max(1, -(-self.size // CHUNK_BYTES))


def scans(proc: dict, raw: object) -> list[Scan]:
    """The scanned documents the counter declares at intake: [{"doc", "sha256", "size", "pages"}], each
    a document of the procedure's list, within the size limits."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _bad("The list of scanned documents is not valid.", "Danh sách tài liệu đã quét không hợp lệ.")
    out, total = [], 0
    for item in raw:
        if not isinstance(item, dict):
            raise _bad("A scanned document is not valid.", "Tài liệu đã quét không hợp lệ.")
        i, sha, size, pages = item.get("doc"), str(item.get("sha256") or ""), item.get("size"), item.get("pages", 1)
        if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < len(proc["documents"]):
            raise _bad("A scanned document is not one of this procedure's documents.",
                       "Tài liệu đã quét không thuộc thành phần hồ sơ của thủ tục này.")
        if not SHA256_RE.match(sha):
            raise _bad("A scanned document has no valid SHA-256.", "Tài liệu đã quét thiếu mã kiểm tra SHA-256.")
        if not isinstance(size, int) or isinstance(size, bool) or not 0 < size <= MAX_DOCUMENT_BYTES:
            raise _bad(f"A scanned document must be 1 byte to {MAX_DOCUMENT_BYTES // 2**20} MB.",
                       f"Mỗi tài liệu quét tối đa {MAX_DOCUMENT_BYTES // 2**20} MB.")
        if not isinstance(pages, int) or isinstance(pages, bool) or not 1 <= pages <= MAX_PAGES:
            raise _bad("A scanned document has a wrong number of pages.", "Số trang của tài liệu quét không hợp lệ.")
        total += size
        out.append(Scan(i, sha, size, pages))
    if total > MAX_DOSSIER_BYTES:
        raise _bad(f"The scanned documents exceed {MAX_DOSSIER_BYTES // 2**20} MB in all.",
                   f"Tổng dung lượng tài liệu quét vượt quá {MAX_DOSSIER_BYTES // 2**20} MB.")
    return out


def reused(proc: dict, raw: object) -> list[tuple[int, str]]:
    """Documents the officer marked "đã có dữ liệu điện tử": [{"doc": i, "source": …}] or [i]. They count as
    received (nothing to ask for on paper) and are recorded as data reused."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _bad("The list of documents already held is not valid.",
                   "Danh sách giấy tờ đã có dữ liệu điện tử không hợp lệ.")
    out = []
    for item in raw:
        i, source = (item.get("doc"), item.get("source") or REUSE_SOURCES[0]) if isinstance(item, dict) \
            else (item, REUSE_SOURCES[0])
        if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < len(proc["documents"]):
            raise _bad("A document marked as already held is not one of this procedure's documents.",
                       "Giấy tờ đánh dấu đã có dữ liệu điện tử không thuộc thành phần hồ sơ của thủ tục.")
        if source not in REUSE_SOURCES:
            raise _bad(f"The source of the data must be one of {', '.join(REUSE_SOURCES)}.",
                       "Nguồn dữ liệu điện tử không hợp lệ.")
        out.append((i, source))
    return out


def chunk_problem(scan_size: int, chunks: int, seq: int, data: bytes) -> str | None:
    """Why a chunk cannot be part of the declared file (Vietnamese), None when it fits."""
    if not 0 <= seq < chunks:
        return "Số thứ tự phần tải lên không hợp lệ."
    expected = CHUNK_BYTES if seq < chunks - 1 else scan_size - CHUNK_BYTES * (chunks - 1)
    if len(data) != expected:
        return "Kích thước phần tải lên không khớp với tệp đã khai báo."
    return None


def document_code(holder_id: str | None, result_type: str) -> str:
    """The electronic result's document code: `<CCCD (12 digits) or tax code>.<result-type code>`."""
    holder = (holder_id or "").strip()
    if not (re.fullmatch(r"\d{12}", holder) or TAX_CODE_RE.fullmatch(holder)):
        raise DomainError("conflict", "An electronic result needs the holder's citizen ID or tax code.",
                          "Kết quả điện tử cần số định danh cá nhân (CCCD) hoặc mã số thuế của người nhận.")
    if not RESULT_TYPE_RE.fullmatch(result_type or ""):
        raise _bad("The result-type code is not valid.", "Mã loại kết quả không hợp lệ.")
    return f"{holder}.{result_type}"


def result_type(proc: dict) -> str:
    """The procedure's result-type code: the catalogue's `result_code`, else KQ.<national procedure code>."""
    return str(proc.get("result_code") or f"KQ.{proc.get('code') or proc['id']}")


def annotate(proc: dict, docs: list[dict], scans: list[Scan], reused: list[tuple[int, str]]) -> list[dict]:
    """The receipt's list of documents, each saying how it came: scanned (its pages) or taken from data
    already held ("đã có dữ liệu điện tử")."""
    names = [d["name"] for d in proc["documents"]]
    scanned = {names[s.doc_index]: s.pages for s in scans}
    held = {names[i] for i, _ in reused}
    out = []
    for d in docs:
        extra: dict = {}
        if d["name"] in held:
            extra["reused"] = True
        elif d["name"] in scanned:
            extra["scanned_pages"] = scanned[d["name"]]
        out.append({**d, **extra})
    return out
