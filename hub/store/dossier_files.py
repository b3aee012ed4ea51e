"""Electronic copies of a dossier's documents and results, documents reused from data already held, and
bank-transfer payments (SQL only; the rules are in hub.domain.digital, the operations in
hub.ops.dossier_files)."""

from __future__ import annotations

import sqlite_utils

COLS = "id, site_id, code, kind, doc_index, name, sha256, size, pages, chunks, declared_at, completed_at, " \
       "stored_sha256, doc_code, signed_by, ocr_state, ocr_note, ocr_s"


def _row(r) -> dict:
    return dict(zip([c.strip() for c in COLS.split(",")], r, strict=True))


def declare(db: sqlite_utils.Database, row: dict) -> int:
    """A file the counter will upload (or the hub has made); returns its id. Declaring the same file of
    the same dossier twice returns the first id."""
    found = db.execute("SELECT id FROM dossier_files WHERE code = ? AND kind = ? AND sha256 = ?",
                       [row["code"], row["kind"], row["sha256"]]).fetchone()
    if found:
        return found[0]
    cols = list(row)
    return db.execute(f"INSERT INTO dossier_files({', '.join(cols)}) VALUES({', '.join('?' for _ in cols)}) "
                      "RETURNING id", [row[c] for c in cols]).fetchone()[0]


def find(db: sqlite_utils.Database, code: str, kind: str, sha256: str) -> dict | None:
    r = db.execute(f"SELECT {COLS} FROM dossier_files WHERE code = ? AND kind = ? AND sha256 = ?",
                   [code, kind, sha256]).fetchone()
    return _row(r) if r else None


def get(db: sqlite_utils.Database, file_id: int) -> dict | None:
    r = db.execute(f"SELECT {COLS} FROM dossier_files WHERE id = ?", [file_id]).fetchone()
    return _row(r) if r else None


def listing(db: sqlite_utils.Database, code: str) -> list[dict]:
    rows = db.execute(f"SELECT {COLS} FROM dossier_files WHERE code = ? ORDER BY kind, doc_index, id", [code])
    return [_row(r) for r in rows]


def put_chunk(db: sqlite_utils.Database, file_id: int, seq: int, data: bytes) -> None:
    """Keep one chunk; the same chunk sent again (a retry) changes nothing."""
    db.execute("INSERT INTO dossier_file_chunks(file_id, seq, data) VALUES(?, ?, ?) "
               "ON CONFLICT(file_id, seq) DO NOTHING", [file_id, seq, data])


def chunk_numbers(db: sqlite_utils.Database, file_id: int) -> list[int]:
    return [r[0] for r in db.execute("SELECT seq FROM dossier_file_chunks WHERE file_id = ? ORDER BY seq", [file_id])]


def assembled(db: sqlite_utils.Database, file_id: int) -> bytes:
    return b"".join(r[0] for r in db.execute(
        "SELECT data FROM dossier_file_chunks WHERE file_id = ? ORDER BY seq", [file_id]))


def complete(db: sqlite_utils.Database, file_id: int, data: bytes, at: float, *, stored_sha256: str,
             doc_code: str | None = None, signed_by: str | None = None) -> None:
    """The whole file in place of its chunks (a result is kept as the centre signed it)."""
    db.execute("UPDATE dossier_files SET data = ?, completed_at = ?, stored_sha256 = ?, "
               "doc_code = COALESCE(?, doc_code), signed_by = COALESCE(?, signed_by) "
               "WHERE id = ?", [data, at, stored_sha256, doc_code, signed_by, file_id])
    db.execute("DELETE FROM dossier_file_chunks WHERE file_id = ?", [file_id])


def unsigned_results(db: sqlite_utils.Database, limit: int = 10) -> list[dict]:
    """Results uploaded whole that the centre has not signed yet (the signing runs off the event loop)."""
    rows = db.execute(f"SELECT {COLS} FROM dossier_files WHERE kind = 'result' AND doc_code IS NULL "
                      "AND completed_at IS NOT NULL ORDER BY id LIMIT ?", [limit])
    return [_row(r) for r in rows]


def set_signed(db: sqlite_utils.Database, file_id: int, data: bytes, stored_sha256: str, doc_code: str,
               signed_by: str) -> None:
    db.execute("UPDATE dossier_files SET data = ?, stored_sha256 = ?, doc_code = ?, signed_by = ? "
               "WHERE id = ? AND doc_code IS NULL", [data, stored_sha256, doc_code, signed_by, file_id])


def result_code(db: sqlite_utils.Database, code: str) -> str | None:
    """The document code of the dossier's electronic result, when one was issued."""
    r = db.execute("SELECT doc_code FROM dossier_files WHERE code = ? AND kind = 'result' AND doc_code IS NOT NULL "
                   "ORDER BY id DESC LIMIT 1", [code]).fetchone()
    return r[0] if r else None


def to_ocr(db: sqlite_utils.Database, limit: int = 1) -> list[dict]:
    """Scans uploaded whole whose searchable copy is not made yet, oldest first."""
    rows = db.execute(f"SELECT {COLS} FROM dossier_files WHERE kind = 'scan' AND ocr_state IS NULL "
                      "AND completed_at IS NOT NULL ORDER BY id LIMIT ?", [limit])
    return [_row(r) for r in rows]


def set_ocr(db: sqlite_utils.Database, file_id: int, state: str, note: str | None, data: bytes | None,
            seconds: float | None, at: float) -> None:
    """The searchable copy (`done`) or why there is none (`failed`); the scan itself is not touched."""
    db.execute("UPDATE dossier_files SET ocr_state = ?, ocr_note = ?, ocr_data = ?, ocr_s = ?, ocr_at = ? "
               "WHERE id = ?", [state, (note or "")[:500] or None, data, seconds, at, file_id])


def ocr_content(db: sqlite_utils.Database, file_id: int) -> bytes | None:
    r = db.execute("SELECT ocr_data FROM dossier_files WHERE id = ?", [file_id]).fetchone()
    return None if r is None or r[0] is None else bytes(r[0])


def content(db: sqlite_utils.Database, file_id: int) -> bytes | None:
    r = db.execute("SELECT data FROM dossier_files WHERE id = ?", [file_id]).fetchone()
    return None if r is None or r[0] is None else bytes(r[0])


def dossier_bytes(db: sqlite_utils.Database, code: str) -> int:
    return db.execute("SELECT COALESCE(SUM(size), 0) FROM dossier_files WHERE code = ?", [code]).fetchone()[0]


def add_reused(db: sqlite_utils.Database, code: str, site_id: str, doc_index: int, name: str, source: str,
               at: float) -> None:
    db.execute("INSERT INTO dossier_reused(code, site_id, doc_index, name, source, at) VALUES(?,?,?,?,?,?) "
               "ON CONFLICT(code, doc_index) DO NOTHING", [code, site_id, doc_index, name, source, at])


def reused(db: sqlite_utils.Database, code: str) -> list[dict]:
    rows = db.execute("SELECT doc_index, name, source FROM dossier_reused WHERE code = ? ORDER BY doc_index", [code])
    return [{"doc_index": r[0], "name": r[1], "source": r[2]} for r in rows]


def record_payment(db: sqlite_utils.Database, row: dict) -> None:
    cols = list(row)
    db.execute(f"INSERT INTO dossier_payments({', '.join(cols)}) VALUES({', '.join('?' for _ in cols)}) "
               "ON CONFLICT(code) DO UPDATE SET reference = excluded.reference, at = excluded.at, "
               "by_who = excluded.by_who, method = excluded.method", [row[c] for c in cols])


def payment(db: sqlite_utils.Database, code: str) -> dict | None:
    r = db.execute("SELECT amount_vnd, reference, method, at, by_who FROM dossier_payments WHERE code = ?",
                   [code]).fetchone()
    return None if r is None else {"amount_vnd": r[0], "reference": r[1], "method": r[2], "at": r[3], "by": r[4]}


def digitisation_counts(db: sqlite_utils.Database, site_id: str, start: float, end: float) -> dict:
    """The 766 digitisation figures of the dossiers received at `site_id` in [start, end): dossiers
    received, those with every document attached electronically or reused, results issued electronically
    among those returned, and documents reused from data already held."""
    received = db.execute("SELECT COUNT(*) FROM dossiers WHERE site_id = ? AND received_at >= ? AND received_at < ?",
                          [site_id, start, end]).fetchone()[0]
    with_docs = db.execute(
        "SELECT COUNT(*) FROM dossiers d WHERE d.site_id = ? AND d.received_at >= ? AND d.received_at < ? "
        "AND EXISTS (SELECT 1 FROM dossier_files f WHERE f.code = d.code AND f.kind = 'scan' "
        "AND f.completed_at IS NOT NULL) "
        "AND NOT EXISTS (SELECT 1 FROM dossier_files f WHERE f.code = d.code AND f.kind = 'scan' "
        "AND f.completed_at IS NULL)", [site_id, start, end]).fetchone()[0]
    reused_dossiers = db.execute(
        "SELECT COUNT(DISTINCT r.code) FROM dossier_reused r JOIN dossiers d ON d.code = r.code "
        "WHERE d.site_id = ? AND d.received_at >= ? AND d.received_at < ?", [site_id, start, end]).fetchone()[0]
    reused_docs = db.execute(
        "SELECT COUNT(*) FROM dossier_reused r JOIN dossiers d ON d.code = r.code "
        "WHERE d.site_id = ? AND d.received_at >= ? AND d.received_at < ?", [site_id, start, end]).fetchone()[0]
    returned = db.execute("SELECT COUNT(*) FROM dossiers WHERE site_id = ? AND returned_at >= ? AND returned_at < ?",
                          [site_id, start, end]).fetchone()[0]
    e_results = db.execute(
        "SELECT COUNT(DISTINCT d.code) FROM dossiers d JOIN dossier_files f ON f.code = d.code "
        "WHERE d.site_id = ? AND d.returned_at >= ? AND d.returned_at < ? AND f.kind = 'result' "
        "AND f.doc_code IS NOT NULL AND f.completed_at IS NOT NULL", [site_id, start, end]).fetchone()[0]
    return {"received": received, "documents_attached": with_docs, "reused_dossiers": reused_dossiers,
            "reused_documents": reused_docs, "returned": returned, "results_electronic": e_results}
