"""Scanning at the counter, without a screen: each document of the checklist captured page by page (a
document camera or a SANE scanner, `devicekit.scan`), made one PDF, signed with the officer's personal
certificate when one is set up, kept privately on the terminal, declared with the intake and then
uploaded to the hub in chunks through the durable outbox. A document the state already holds as data is
marked instead of scanned. The Kivy scanning panel and the tests call this.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devicekit.scan.pipeline import Page
from devicekit.session import DeviceSession

CHUNK_BYTES = 32 * 1024  # as the hub expects (hub.domain.digital.CHUNK_BYTES)
REUSE_SOURCES = {"csdl-quoc-gia": "Cơ sở dữ liệu quốc gia", "vneid": "Tài khoản định danh VNeID",
                 "kho-du-lieu": "Kho dữ liệu của công dân"}


def needs_pin(hw: dict | None) -> bool:
    """The hardware map names a USB token: the officer types its PIN on the screen (never in a file)."""
    return bool(hw) and hw.get("type") == "pkcs11"


def officer_signer(hw: dict | None, pin: str | None = None):
    """The officer's signer from the counter's hardware map entry `signing`, or None (scans unsigned):
    {"type": "pkcs12", "path": "…/officer.p12", "passphrase_file": "…"} or
    {"type": "pkcs11", "lib": "/usr/lib/…/vendor.so", "token": "<label>", "key": "<key label>"} with the
    `pin` the officer typed on the screen (counter_terminal/screens/token_pin.py): used to log in to the
    token and dropped, never stored or logged. A wrong PIN raises motcua_core.signing.WrongPin."""
    if not hw:
        return None
    from motcua_core import signing

    if hw.get("type") == "pkcs12":
        return signing.pkcs12_signer(hw["path"], Path(hw["passphrase_file"]).read_bytes().strip())
    if hw.get("type") == "pkcs11":
        if not pin:
            raise ValueError("a PKCS#11 token needs the officer's PIN, typed on the screen")
        session = signing.pkcs11_session(hw["lib"], hw["token"], pin)
        return signing.pkcs11_signer(session, hw["key"], hw.get("cert"))
    raise ValueError(f"unknown signing type {hw.get('type')!r} (pkcs12, pkcs11)")


@dataclass
class ScannedDoc:
    doc: int
    title: str
    path: Path
    sha256: str
    size: int
    pages: int


@dataclass
class ScanDesk:
    session: DeviceSession
    source: Any  # devicekit.scan.source.CameraSource | SaneSource
    folder: Path  # private: the terminal's copies until the hub has them whole
    signer: Any | None = None  # the officer's (pyHanko) signer: PKCS#12 or the USB token
    officer_role: str = "Công chức tiếp nhận hồ sơ"
    pages: dict[int, list[Page]] = field(default_factory=dict)
    done: dict[int, ScannedDoc] = field(default_factory=dict)
    reused: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)

    # --- one dossier's documents -------------------------------------------------------------------
    def capture(self, doc: int) -> int:
        """Add the next page(s) of document `doc` (one photo, or every sheet in the feeder); returns its
        page count. Raises devicekit.scan.sane.ScannerError with the officer's message."""
        self.reused.pop(doc, None)
        self.pages.setdefault(doc, []).extend(self.source.capture())
        return len(self.pages[doc])

    def drop_last_page(self, doc: int) -> int:
        if self.pages.get(doc):
            self.pages[doc].pop()
        return len(self.pages.get(doc, []))

    def finish(self, doc: int, title: str) -> ScannedDoc:
        """Document `doc`'s pages → one PDF (signed by the officer when a certificate is set up), kept 0600."""
        from devicekit.scan import pdf

        data = pdf.pages_to_pdf(self.pages.get(doc) or [], title=title)
        if self.signer is not None:
            from motcua_core import signing

            data = signing.sign_pdf(data, self.signer, role=self.officer_role, reason="Số hóa hồ sơ tiếp nhận")
        sha = hashlib.sha256(data).hexdigest()
        path = self.folder / f"{sha}.pdf"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        self.done[doc] = ScannedDoc(doc, title, path, sha, len(data), len(self.pages[doc]))
        return self.done[doc]

    def mark_reused(self, doc: int, source: str = "csdl-quoc-gia") -> None:
        """"Đã có dữ liệu điện tử": taken from the national databases / VNeID instead of paper."""
        if source not in REUSE_SOURCES:
            raise ValueError(f"source must be one of {sorted(REUSE_SOURCES)}")
        self.pages.pop(doc, None)
        self.done.pop(doc, None)
        self.reused[doc] = source

    def intake_options(self) -> dict:
        """What `dossier.intake` carries in `options` about this dossier's electronic documents."""
        return {"scans": [{"doc": d.doc, "sha256": d.sha256, "size": d.size, "pages": d.pages}
                          for d in self.done.values()],
                "reused": [{"doc": i, "source": s} for i, s in sorted(self.reused.items())]}

    def handed_in(self) -> list[int]:
        """Documents to tick as received: those scanned (the paper was there)."""
        return sorted(self.done)

    def reset(self) -> None:
        self.pages.clear()
        self.done.clear()
        self.reused.clear()

    # --- upload ------------------------------------------------------------------------------------
    @staticmethod
    def chunks(data: bytes) -> list[bytes]:
        return [data[i:i + CHUNK_BYTES] for i in range(0, len(data), CHUNK_BYTES)] or [b""]

    def upload(self, code: str, docs: list[ScannedDoc] | None = None, kind: str = "scan") -> int:
        """Queue every chunk of the documents in the durable outbox: they reach the hub now or after a
        network cut or a restart of either side (each chunk keeps its request id). Returns the chunks queued."""
        n = 0
        for d in docs if docs is not None else list(self.done.values()):
            for seq, chunk in enumerate(self.chunks(d.path.read_bytes())):
                self.session.outbox.put("dossier.upload", {"code": code, "sha256": d.sha256, "kind": kind,
                                                           "seq": seq, "data": base64.b64encode(chunk).decode()})
                n += 1
        return n

    def send_chunk(self, code: str, d: ScannedDoc, seq: int, kind: str = "scan") -> dict:
        """One chunk, waiting for the hub's answer (the answer comes after the hub's commit)."""
        chunk = self.chunks(d.path.read_bytes())[seq]
        return self.session.request("dossier.upload", {"code": code, "sha256": d.sha256, "kind": kind, "seq": seq,
                                                       "data": base64.b64encode(chunk).decode()})

    def scan_result(self, code: str, title: str) -> ScannedDoc:
        """At return: the paper result's pages (captured with `capture(-1)`) → PDF, declared and queued;
        the hub signs it as the centre and gives it its document code."""
        d = self.finish(-1, title)
        self.session.request("dossier.declare_result", {"code": code, "sha256": d.sha256, "size": d.size,
                                                        "pages": d.pages, "token": self.session.officer_token})
        self.upload(code, [d], kind="result")
        return d

    def forget(self, sha256s: set[str]) -> None:
        """Delete the terminal's copies the hub holds whole (from `dossier.get`'s `electronic.files`)."""
        for p in self.folder.glob("*.pdf"):
            if p.stem in sha256s:
                p.unlink()
