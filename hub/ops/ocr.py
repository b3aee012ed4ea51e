"""A searchable copy of each scanned document: the hub adds a Vietnamese text layer (OCRmyPDF with
Debian's Tesseract and its `vie` model) after the counter's upload, in the background.

Why at the hub: Tesseract takes seconds per page even on the hub's machine, and a counter terminal is a
Raspberry Pi class device whose officer must never wait for it. Why a copy: the scan the officer signed
stays exactly as it came (a text layer added to it would break the signature); the copy has the same
pages with the recognised text under them, is PDF/A-2u, and is signed by the centre as the machine
issued it. A failure (no engine, a page it cannot read, a timeout) leaves the signed scan as the
document, the reason recorded beside it, never a lost upload.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import sqlite_utils

from hub import signing_keys
from hub.ops.context import Ctx
from hub.store import dossier_files as store
from hub.store import dossiers as dossier_store
from motcua_core import archive, signing

log = logging.getLogger("motcua.ocr")
LANG = "vie"
TIMEOUT_S = 600  # a whole document, at the lowest priority on a busy machine
# OCRmyPDF's exit codes (ocrmypdf.ExitCode) in words for the officer and the specialist
EXIT_VI = {2: "Tệp không phải PDF đọc được", 4: "Tệp kết quả nhận dạng bị lỗi",
           6: "Tệp đã có chữ điện tử (không phải ảnh quét): không cần nhận dạng",
           8: "Tệp được mã hóa, không đọc được", 130: "Nhận dạng bị dừng"}
_running: dict[int, subprocess.Popen] = {}  # thread id → the OCR process, so a stopping hub can end it
_lock = threading.Lock()


class Interrupted(RuntimeError):
    """The OCR process was ended from outside (the hub stopping): the scan stays waiting."""


def unavailable() -> str | None:
    """Why OCR cannot run on this machine (in Vietnamese, for the status), or None when it can."""
    if os.environ.get("MOTCUA_OCR", "").lower() in ("0", "off", "no", "false"):
        return "Nhận dạng chữ (OCR) đã tắt trên máy chủ (MOTCUA_OCR=off)."
    if shutil.which("tesseract") is None:
        return "Máy chủ chưa cài Tesseract (gói tesseract-ocr)."
    try:
        langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return "Không chạy được Tesseract trên máy chủ."
    if LANG not in langs.split():
        return "Máy chủ chưa có dữ liệu tiếng Việt cho Tesseract (gói tesseract-ocr-vie)."
    try:
        import ocrmypdf  # noqa: F401
    except ImportError:
        return "Máy chủ chưa cài OCRmyPDF (pip install ocrmypdf)."
    return None


def _unsigned(data: bytes) -> bytes:
    """The scan without its signature fields (the copy is a new document; a copied signature would only
    show as broken)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            if "/Annots" in page:
                keep = [a for a in page.Annots if a.get("/FT") != pikepdf.Name.Sig and a.get("/Subtype") != "/Widget"]
                page.Annots = pikepdf.Array(keep)
        if "/AcroForm" in pdf.Root:
            del pdf.Root["/AcroForm"]
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def workdir(data_dir: Path) -> Path:
    """Where OCR works (inside the private data directory, not /tmp: a hub killed mid-recognition leaves
    its half-read scan there, and `clear_workdir` removes it at the next start)."""
    d = Path(data_dir) / "ocr-work"
    d.mkdir(mode=0o700, exist_ok=True)
    return d


def clear_workdir(data_dir: Path) -> None:
    shutil.rmtree(Path(data_dir) / "ocr-work", ignore_errors=True)


def searchable(data: bytes, title: str, work: Path | None = None) -> bytes:
    """`data` (a scan, signed or not) with a Vietnamese text layer under its pages, as PDF/A-2u. Runs
    OCRmyPDF in a child process at the lowest priority, one page at a time (no database: a worker
    thread calls it). Raises RuntimeError with the reason when recognition fails."""
    with tempfile.TemporaryDirectory(prefix="motcua-ocr-", dir=work) as tmp:  # 0700: personal data
        src, dst = Path(tmp) / "in.pdf", Path(tmp) / "out.pdf"
        src.write_bytes(_unsigned(data))
        cmd = [sys.executable, "-m", "ocrmypdf", "-l", LANG, "--output-type", "pdf", "--optimize", "0",
               "--jobs", "1", "--quiet", str(src), str(dst)]
        if shutil.which("nice"):  # the lowest priority (no preexec_fn: the hub has threads)
            cmd = ["nice", "-n", "19", *cmd]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "OMP_THREAD_LIMIT": "1"}, start_new_session=True)
        with _lock:
            _running[threading.get_ident()] = proc
        try:
            _, err = proc.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            _kill(proc)
            proc.communicate()
            raise RuntimeError(f"Nhận dạng quá {TIMEOUT_S // 60} phút nên đã dừng") from None
        finally:
            with _lock:
                _running.pop(threading.get_ident(), None)
        if proc.returncode < 0:  # ended by a signal: a hub stopping (stop_all), not the scan's fault
            raise Interrupted(f"signal {-proc.returncode}")
        if proc.returncode != 0 or not dst.exists():
            last = (err or "").strip().splitlines()[-1:] or [f"mã thoát {proc.returncode}"]
            log.warning("OCRmyPDF exit %s: %s", proc.returncode, last[0][:300])  # the detail for a technician
            raise RuntimeError(EXIT_VI.get(proc.returncode, "Không nhận dạng được chữ trên bản quét"))
        return archive.archival(dst.read_bytes(), title=title, conformance="U")


def _kill(proc: subprocess.Popen) -> None:
    """OCRmyPDF and the Tesseract it started (its own process group)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def stop_all() -> None:
    """End any OCR process (the hub is stopping; the scan stays waiting and is read on the next start)."""
    with _lock:
        for proc in _running.values():
            _kill(proc)


def jobs(db: sqlite_utils.Database, limit: int = 1) -> list[dict]:
    """The next scans to read, with what signing their copy needs (read on the event loop)."""
    out = []
    for f in store.to_ocr(db, limit):
        s = dossier_store.get_settings(db, f["site_id"])
        from hub.ops.dossier_files import site_name

        out.append({"file": f, "data": store.content(db, f["id"]), "data_dir": signing_keys.data_dir_of(db),
                    "unit": s["unit_name"] or site_name(db, f["site_id"]), "place": s["place"] or ""})
    return out


def make_copy(job: dict) -> dict:
    """Read one scan and sign its searchable copy as the centre (seconds to minutes: a worker thread).
    Never raises for a scan it cannot read: the answer carries the reason instead (state `failed`), or
    `interrupted` when the process was stopped from outside (nothing to record: read it again later)."""
    f = job["file"]
    t0 = time.perf_counter()
    try:
        copy = searchable(job["data"], f"{f['name']} – bản có lớp văn bản nhận dạng", workdir(job["data_dir"]))
        seconds = time.perf_counter() - t0
        signer = signing_keys.centre_signer_at(job["data_dir"], job["unit"])
        signed = signing.sign_pdf(copy, signer, role=job["unit"], location=job["place"],
                                  reason=f"Bản có lớp văn bản nhận dạng (OCR) của bản số hóa: {f['name']}"[:200])
    except Interrupted:
        return {"file": f, "state": "interrupted", "note": None, "data": None, "seconds": 0.0}
    except Exception as exc:  # noqa: BLE001 - any failure leaves the scan as it is, with the reason
        return {"file": f, "state": "failed", "note": str(exc)[:300] or type(exc).__name__, "data": None,
                "seconds": time.perf_counter() - t0}
    return {"file": f, "state": "done", "note": None, "data": signed, "seconds": seconds}


def store_copy(ctx: Ctx, done: dict) -> None:
    f = done["file"]
    per_page = done["seconds"] / max(1, f["pages"] or 1)
    store.set_ocr(ctx.db, f["id"], done["state"], done["note"], done["data"], round(per_page, 3), ctx.now)
    ctx.changed("dossier.scan_ocr", f["code"], after={"file_id": f["id"], "state": done["state"],
                                                       "note": done["note"]})


def copy(db: sqlite_utils.Database, code: str, file_id: int) -> tuple[dict, bytes]:
    """The searchable copy of a scan, when it was made."""
    from hub.ops.dossier_files import download
    from motcua_core.errors import DomainError

    f, _ = download(db, code, file_id)
    data = store.ocr_content(db, file_id)
    if data is None:
        raise DomainError("not_found", "no searchable copy of this file (yet)",
                          "Chưa có bản có lớp văn bản nhận dạng của tệp này.")
    return f, data
