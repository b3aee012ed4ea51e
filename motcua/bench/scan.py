"""`motcua bench scan`: seconds and bytes per A4 page through the counter's scan pipeline (a photographed
page → found, flattened, deskewed, cleaned → PDF), and one scanned document signed as an officer signs it.

The photos are made first (a rendered form on a desk, turned, in perspective, shadowed: devicekit.scan.sample)
and not timed. `s_per_page` times everything the officer waits for per page: the pipeline and the page's
share of making the document's PDF (B/W, 200 dpi, CCITT G4 — the default). `gray_*` are the same for
greyscale at 150 dpi (JPEG). No OCR in those (targets: ≤ 2 s and ≤ 300 KB per page): the text layer is
made at the hub after the upload, off the officer's path; `ocr_s_per_page` times it on this machine (null
where Tesseract's Vietnamese is missing). `sample_pdf` is a 2-page PDF/A-2b document (`pdfa`) signed with
an officer certificate from a CA made for the run (`sample_ca` to check it with).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from motcua.bench.common import emit, log


def add_parser(bsub: argparse._SubParsersAction) -> None:
    p = bsub.add_parser("scan", help="scan pipeline: seconds and bytes per A4 page, and a signed sample (issue #25)")
    p.add_argument("--pages", type=int, default=10, help="photographed pages to put through")
    p.add_argument("--pages-per-doc", type=int, default=2)
    p.add_argument("--out", type=Path, default=None, help="folder for sample.pdf (default: a new temporary one)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=main)


def _run_mode(photos: list, per_doc: int, mode: str, dpi: int) -> tuple[float, float, float]:
    from devicekit.scan import pdf, pipeline

    total_s, total_bytes, worst = 0.0, 0, 0.0
    for i in range(0, len(photos), per_doc):
        batch = photos[i:i + per_doc]
        t0 = time.perf_counter()
        pages = [pipeline.process_photo(p, mode=mode, dpi=dpi) for p in batch]
        data = pdf.pages_to_pdf(pages, title="Tờ khai đăng ký khai sinh")
        dt = time.perf_counter() - t0
        total_s += dt
        worst = max(worst, dt / len(batch))
        total_bytes += len(data)
    n = len(photos)
    return total_s / n, total_bytes / n, worst


def _ocr_per_page(doc: bytes, pages: int) -> float | None:
    """Seconds per page of the hub's text layer (hub.ops.ocr: OCRmyPDF + Tesseract `vie`, one page at a
    time at the lowest priority), or None where Tesseract's Vietnamese is not installed."""
    from hub.ops import ocr

    reason = ocr.unavailable()
    if reason:
        log(f"no OCR figure: {reason}")
        return None
    log("OCR (the hub's background job)")
    t0 = time.perf_counter()
    ocr.searchable(doc, "Tờ khai đăng ký khai sinh")
    return round((time.perf_counter() - t0) / pages, 3)


def main(args: argparse.Namespace) -> int:
    from devicekit.scan import pdf, pipeline, sample
    from motcua_core import archive, pki, signing

    n = max(1, args.pages)
    log(f"photographing {n} pages")
    form = sample.render_form()
    photos = [sample.photograph(form, angle=(-1) ** i * (4 + 3 * (i % 6)), seed=i + 1)[0] for i in range(n)]
    log("bilevel 200 dpi")
    s_bw, b_bw, worst_bw = _run_mode(photos, args.pages_per_doc, "bw", 200)
    log("greyscale 150 dpi")
    s_gr, b_gr, _ = _run_mode(photos, args.pages_per_doc, "gray", 150)

    out = args.out or Path(tempfile.mkdtemp(prefix="motcua-bench-scan-"))
    out.mkdir(parents=True, exist_ok=True)
    ca = pki.make_ca("CA thử nghiệm (bench scan)", "motcua bench")
    officer = pki.issue(ca, "Cán bộ tiếp nhận (thử nghiệm)", "motcua bench", use_rsa=True)  # as on the CAs' tokens
    (out / "ca.pem").write_bytes(ca.cert_pem())
    p12 = out / "officer.p12"
    p12.write_bytes(officer.pkcs12(b"bench", [ca.cert]))
    doc = pdf.pages_to_pdf([pipeline.process_photo(p) for p in photos[:2]], title="Tờ khai đăng ký khai sinh")
    t0 = time.perf_counter()
    signed = signing.sign_pdf(doc, signing.pkcs12_signer(p12, b"bench"), role="Công chức tiếp nhận hồ sơ",
                              reason="Số hóa hồ sơ tiếp nhận")
    sign_s = time.perf_counter() - t0
    (out / "sample.pdf").write_bytes(signed)
    checks = signing.validate(signed, [ca.cert_pem()])
    ocr_s = _ocr_per_page(doc, 2)
    emit({"pages": n, "mode": "bw", "dpi": 200, "s_per_page": round(s_bw, 3), "bytes_per_page": round(b_bw),
          "worst_s_per_page": round(worst_bw, 3), "gray_s_per_page": round(s_gr, 3),
          "gray_bytes_per_page": round(b_gr), "target_s_per_page": 2.0, "target_bytes_per_page": 300_000,
          "s_per_page_includes_ocr": False, "ocr_s_per_page": ocr_s, "ocr_where": "hub, after the upload",
          "pdfa": archive.claimed(signed), "sign_s": round(sign_s, 3), "sample_pdf": str(out / "sample.pdf"),
          "sample_ca": str(out / "ca.pem"),
          "sample_valid": bool(checks) and all(c.intact and c.valid and c.trusted for c in checks)}, args.json)
    return 0
