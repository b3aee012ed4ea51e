"""The centre's signing certificate, kept in the data directory (`signing/centre.p12`, its passphrase
in `signing/centre.pass`; directory 0700, files 0600): it signs what the machine issues (electronic
results, receipts and notices as PDF).

Until an office installs the certificate a licensed CA issued to it (`motcua hub signing import FILE`),
the hub makes its own on first use, from its own CA, with "(tự cấp)" in its name: signatures then
validate against that CA only (`signing/centre-ca.pem`), which is what a test or a demo needs and what
nobody outside should trust.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import sqlite_utils

from hub.store import location
from motcua_core import pki, signing

_cache: dict[str, object] = {}


def data_dir_of(db: sqlite_utils.Database) -> Path:
    """The data directory of an open hub database (the folder of its file; $MOTCUA_DATA otherwise)."""
    found = location.data_dir(db) or (Path(os.environ["MOTCUA_DATA"]) if os.environ.get("MOTCUA_DATA") else None)
    if found is None:
        raise RuntimeError("no data directory for the centre's signing certificate (set MOTCUA_DATA)")
    return found


def _private_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)


def ensure_centre(data_dir: Path, unit_name: str) -> Path:
    """The centre's PKCS#12, made (self-issued) when none is installed."""
    folder = data_dir / "signing"
    p12 = folder / "centre.p12"
    if not p12.exists():
        ca = pki.make_ca("CA nội bộ motcua (tự cấp)", unit_name)
        suffix = " (tự cấp)"
        # RSA as the licensed CAs issue: an ECDSA key makes pyHanko declare the file PDF 2.0 (ISO 32002),
        # and the archived documents are PDF/A-2, on PDF 1.7
        leaf = pki.issue(ca, pki.clip(unit_name, 64 - len(suffix.encode())) + suffix, unit_name, use_rsa=True)
        passphrase = secrets.token_urlsafe(24).encode()
        _private_write(folder / "centre-ca.pem", ca.cert_pem())
        _private_write(folder / "centre.pass", passphrase)
        _private_write(p12, leaf.pkcs12(passphrase, [ca.cert]))
    return p12


def install(data_dir: Path, p12_bytes: bytes, passphrase: bytes) -> str:
    """Install the certificate a licensed CA issued to the centre; returns its holder's name."""
    folder = data_dir / "signing"
    tmp = folder / "import.p12"
    _private_write(tmp, p12_bytes)
    try:
        signer = signing.pkcs12_signer(tmp, passphrase)
    finally:
        tmp.unlink(missing_ok=True)
    _private_write(folder / "centre.pass", passphrase)
    _private_write(folder / "centre.p12", p12_bytes)
    _cache.clear()
    return signer.signing_cert.subject.native.get("common_name", "")


def centre_signer(db: sqlite_utils.Database, unit_name: str):
    """The centre's signer for this database's data directory (loaded once per process)."""
    return centre_signer_at(data_dir_of(db), unit_name)


def centre_signer_at(d: Path, unit_name: str):
    """The centre's signer kept in data directory `d` (made when none is installed); no database needed,
    so a worker thread may call it."""
    key = str(d)
    if key not in _cache:
        p12 = ensure_centre(d, unit_name)
        _cache[key] = signing.pkcs12_signer(p12, (d / "signing" / "centre.pass").read_bytes())
    return _cache[key]


def trust_roots(db: sqlite_utils.Database) -> list[bytes]:
    """The self-issued CA, when the centre signs with a self-issued certificate (for `validate`)."""
    ca = data_dir_of(db) / "signing" / "centre-ca.pem"
    return [ca.read_bytes()] if ca.exists() else []
