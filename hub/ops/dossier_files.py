"""The electronic side of a dossier: scans declared at intake and uploaded in chunks by the counter
(`dossier.upload`), the documents reused from data already held, the electronic result signed by the
centre with its document code, and the files a specialist or the citizen may download."""

from __future__ import annotations

import base64
import binascii
import hashlib

import sqlite_utils

from hub import signing_keys
from hub.domain import digital
from hub.ops import datastore
from hub.ops.context import Ctx
from hub.store import dossier_files as store
from hub.store import dossiers as dossier_store
from motcua_core import signing
from motcua_core.dossier_codes import normalise
from motcua_core.errors import DomainError


def declare_intake(ctx: Ctx, code: str, proc: dict, scans: list[digital.Scan],
                   reused: list[tuple[int, str]]) -> None:
    """Record, with the new dossier, the scans the counter will upload and the documents reused."""
    for s in scans:
        store.declare(ctx.db, {"site_id": ctx.site.id, "code": code, "kind": "scan", "doc_index": s.doc_index,
                               "name": proc["documents"][s.doc_index]["name"], "sha256": s.sha256, "size": s.size,
                               "pages": s.pages, "chunks": s.chunks, "declared_at": ctx.now})
    for i, source in reused:
        store.add_reused(ctx.db, code, ctx.site.id, i, proc["documents"][i]["name"], source, ctx.now)


def declare_result(ctx: Ctx, code: str, raw: dict) -> dict:
    """The result's scan the counter will upload at return (signed by the centre once whole)."""
    row = dossier_store.get(ctx.db, normalise(code))
    if row is None or row["site_id"] != ctx.site.id:
        raise DomainError("not_found", "no such dossier here", "Không tìm thấy hồ sơ có mã này.")
    # no identity number, no document code: said now, before the counter uploads anything
    digital.document_code(row["applicant"].get("cccd") or row["applicant"].get("tax_code"), "KQ")
    s = digital.scans({"documents": [{"name": "Kết quả"}]}, [{**raw, "doc": 0}])[0]
    fid = store.declare(ctx.db, {"site_id": ctx.site.id, "code": row["code"], "kind": "result", "doc_index": None,
                                 "name": f"Kết quả: {row['procedure_name']}"[:200], "sha256": s.sha256,
                                 "size": s.size, "pages": s.pages, "chunks": s.chunks, "declared_at": ctx.now})
    return {"file_id": fid, "chunks": s.chunks}


def put_chunk(ctx: Ctx, d: dict) -> dict:
    """One chunk of a declared file from a counter of the dossier's site. Idempotent (a chunk sent
    twice is kept once); the last one makes the file whole, checked against its SHA-256. A result is
    then signed by the centre and gets its document code."""
    code = normalise(d["code"])
    f = store.find(ctx.db, code, d.get("kind") or "scan", d["sha256"])
    if f is None or f["site_id"] != ctx.site.id:
        raise DomainError("not_found", "no such file declared for this dossier",
                          "Tệp này chưa được khai báo cho hồ sơ.")
    if f["completed_at"] is not None:
        return {"file_id": f["id"], "complete": True, "missing": []}
    try:
        chunk = base64.b64decode(d["data"], validate=True)
    except (binascii.Error, ValueError):
        raise DomainError("bad_request", "chunk is not base64", "Dữ liệu tải lên không hợp lệ.") from None
    problem = digital.chunk_problem(f["size"], f["chunks"], d["seq"], chunk)
    if problem:
        raise DomainError("bad_request", "chunk does not fit the declared file", problem)
    store.put_chunk(ctx.db, f["id"], d["seq"], chunk)
    have = store.chunk_numbers(ctx.db, f["id"])
    missing = sorted(set(range(f["chunks"])) - set(have))
    if missing:
        return {"file_id": f["id"], "complete": False, "missing": missing[:100]}
    data = store.assembled(ctx.db, f["id"])
    if hashlib.sha256(data).hexdigest() != f["sha256"]:
        raise DomainError("bad_request", "the file does not match its SHA-256",
                          "Tệp tải lên không khớp mã kiểm tra; cần quét và gửi lại.")
    if f["kind"] == "result" and not _is_pdf(data):
        raise DomainError("bad_request", "the result is not a PDF", "Tệp kết quả không phải PDF hợp lệ để ký số.")
    # a result is kept as uploaded until the centre has signed it (sign_pending, off the event loop)
    store.complete(ctx.db, f["id"], data, ctx.now, stored_sha256=f["sha256"])
    return {"file_id": f["id"], "complete": True, "missing": []}


def _is_pdf(data: bytes) -> bool:
    return data[:5] == b"%PDF-" and b"%%EOF" in data[-1024:]


def to_sign(db: sqlite_utils.Database) -> list[dict]:
    """What the centre must still sign: each result uploaded whole, with its document code and signer's role
    (read on the loop; the signing itself runs in a worker thread: `sign_result`)."""
    from hub.store import catalogue as cat_store

    out = []
    for f in store.unsigned_results(db):
        row = dossier_store.get(db, f["code"])
        proc = cat_store.get(db, row["procedure_id"]) or {"id": row["procedure_id"]}
        s = dossier_store.get_settings(db, row["site_id"])
        out.append({"file": f, "data": store.content(db, f["id"]), "place": s["place"] or "",
                    "data_dir": signing_keys.data_dir_of(db),
                    "unit": s["unit_name"] or site_name(db, row["site_id"]),
                    "doc_code": digital.document_code(row["applicant"].get("cccd") or row["applicant"].get("tax_code"),
                                                      digital.result_type(proc))})
    return out


def site_name(db: sqlite_utils.Database, site_id: str) -> str:
    from hub.store.sites import get_site

    return get_site(db, site_id).name


def sign_result(job: dict) -> dict:
    """The centre's PAdES signature on one result (seconds on a small machine: run it off the event loop;
    it touches no database)."""
    signer = signing_keys.centre_signer_at(job["data_dir"], job["unit"])
    signed = signing.sign_pdf(job["data"], signer, role=job["unit"], reason=f"Kết quả điện tử, mã {job['doc_code']}",
                              location=job["place"])
    return {**job, "signed": signed, "signed_by": signer.signing_cert.subject.native.get("common_name", "")}


def store_signed(ctx: Ctx, done: dict) -> None:
    """Keep the signed result with its document code: from now on the citizen can download it, and it is
    queued for the citizen's data store in the same transaction."""
    f = done["file"]
    store.set_signed(ctx.db, f["id"], done["signed"], hashlib.sha256(done["signed"]).hexdigest(), done["doc_code"],
                     done["signed_by"])
    ctx.changed("dossier.result_electronic", f["code"], after={"doc_code": done["doc_code"]})
    datastore.enqueue_result(ctx, f["id"], done["doc_code"], f["code"])  # to the citizen's data store (Art. 22)


def listing(db: sqlite_utils.Database, code: str) -> dict:
    """What the dossier holds electronically: files (without their bytes) and documents reused."""
    return {"files": [{k: v for k, v in f.items() if k not in ("site_id",)} | {"complete": f["completed_at"] is not None}
                      for f in store.listing(db, normalise(code))],
            "reused": store.reused(db, normalise(code))}


def download(db: sqlite_utils.Database, code: str, file_id: int) -> tuple[dict, bytes]:
    f = store.get(db, file_id)
    data = store.content(db, file_id) if f else None
    if f is None or f["code"] != normalise(code) or data is None:
        raise DomainError("not_found", "no such file", "Không tìm thấy tệp này.")
    return f, data


def electronic_result(db: sqlite_utils.Database, code: str) -> tuple[dict, bytes]:
    """The signed electronic result of a dossier (the latest), for its holder."""
    results = [f for f in store.listing(db, normalise(code)) if f["kind"] == "result" and f["doc_code"]]
    if not results:
        raise DomainError("not_found", "this dossier has no electronic result yet",
                          "Hồ sơ chưa có kết quả điện tử.")
    return download(db, code, results[-1]["id"])


def record_payment(ctx: Ctx, code: str, reference: str, by: str) -> dict:
    """The officer records the bank transfer's reference when it arrives (VietQR, NAPAS 247)."""
    row = dossier_store.get(ctx.db, normalise(code))
    if row is None or row["site_id"] != ctx.site.id:
        raise DomainError("not_found", "no such dossier here", "Không tìm thấy hồ sơ có mã này.")
    if not row["fees_vnd"]:
        raise DomainError("conflict", "this procedure is free", "Thủ tục này không thu phí, lệ phí.")
    ref = " ".join(str(reference or "").split())
    if not 4 <= len(ref) <= 40:
        raise DomainError("bad_request", "type the transfer's reference (4–40 characters)",
                          "Nhập mã giao dịch chuyển khoản (4–40 ký tự).")
    store.record_payment(ctx.db, {"code": row["code"], "site_id": ctx.site.id, "amount_vnd": row["fees_vnd"],
                                  "reference": ref, "method": "transfer", "at": ctx.now, "by_who": by})
    ctx.changed("dossier.payment", row["code"], after={"reference": ref})
    return {"payment": store.payment(ctx.db, row["code"])}


def paid(db: sqlite_utils.Database, code: str) -> bool:
    """A bank transfer was recorded for the dossier's fees."""
    return store.payment(db, normalise(code)) is not None


def digitisation_counts(db: sqlite_utils.Database, site: str, start: float, end: float) -> dict:
    """The 766 index's digitisation figures of a site over [start, end) (Unix times): dossiers received
    and those with every document attached electronically (scanned, or reused from data held), dossiers
    and documents reused, results returned and those issued electronically, with the rates (%)."""
    c = store.digitisation_counts(db, site, start, end)

    def pct(n: int, d: int) -> float | None:
        return None if d == 0 else round(100.0 * n / d, 1)

    return {**c, "documents_attached_rate": pct(c["documents_attached"], c["received"]),
            "results_electronic_rate": pct(c["results_electronic"], c["returned"]),
            "reused_rate": pct(c["reused_dossiers"], c["received"])}
