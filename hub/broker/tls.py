"""The hub's own certificate authority for the broker's TLS listener.

An office LAN has no public name to get a certificate for, so the hub makes a CA of its own (once, in
the broker directory: ca.key never leaves it) and a server certificate for the names and addresses the
devices use. Device configs carry the CA certificate (PEM), so a device checks it talks to this hub
and no one else can read its password or the citizens' data on the wire. Delete server.crt/server.key
to issue a new server certificate (a new address); delete ca.* too to start a new CA (every device
config must then be re-issued: `motcua hub device config`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
import socket
from collections.abc import Iterable
from pathlib import Path

CA_CERT, CA_KEY = "ca.crt", "ca.key"
SERVER_CERT, SERVER_KEY = "server.crt", "server.key"
CA_YEARS, SERVER_YEARS = 20, 5


def _write(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def default_names(bind: str) -> list[str]:
    """What devices may call the hub: localhost, this machine's name and addresses, the bind address."""
    names = ["localhost", "127.0.0.1", socket.gethostname()]
    with contextlib.suppress(OSError):
        names += [str(a[4][0]) for a in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    if bind not in ("0.0.0.0", "::", ""):
        names.append(bind)
    return sorted(set(names))


def ensure(workdir: Path, names: Iterable[str]) -> tuple[Path, Path, Path]:
    """Make the CA and the server certificate if missing; return (ca.crt, server.crt, server.key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    workdir.mkdir(mode=0o700, parents=True, exist_ok=True)
    ca_crt, ca_key_path = workdir / CA_CERT, workdir / CA_KEY
    srv_crt, srv_key = workdir / SERVER_CERT, workdir / SERVER_KEY
    now = dt.datetime.now(dt.UTC)
    pem = serialization.Encoding.PEM
    no_pass = serialization.NoEncryption()
    pkcs8 = serialization.PrivateFormat.PKCS8
    if not (ca_crt.exists() and ca_key_path.exists()):
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "motcua hub CA"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "motcua")])
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                             content_commitment=False, key_encipherment=False,
                                             data_encipherment=False, key_agreement=False,
                                             encipher_only=False, decipher_only=False), critical=True)
                .sign(key, hashes.SHA256()))
        _write(ca_key_path, key.private_bytes(pem, pkcs8, no_pass), 0o600)
        _write(ca_crt, cert.public_bytes(pem), 0o644)
        srv_crt.unlink(missing_ok=True)  # a new CA: the old server certificate is not signed by it
    if not (srv_crt.exists() and srv_key.exists()):
        ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), None)
        ca = x509.load_pem_x509_certificate(ca_crt.read_bytes())
        key = ec.generate_private_key(ec.SECP256R1())
        sans: list[x509.GeneralName] = []
        for n in names:
            try:
                sans.append(x509.IPAddress(ipaddress.ip_address(n)))
            except ValueError:
                sans.append(x509.DNSName(n))
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "motcua hub broker")]))
                .issuer_name(ca.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365 * SERVER_YEARS))
                .add_extension(x509.SubjectAlternativeName(sans), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .sign(ca_key, hashes.SHA256()))  # type: ignore[arg-type]
        _write(srv_key, key.private_bytes(pem, pkcs8, no_pass), 0o600)
        _write(srv_crt, cert.public_bytes(pem), 0o644)
    return ca_crt, srv_crt, srv_key


def ca_pem(workdir: Path) -> str | None:
    """The CA certificate devices need, or None when the hub has no TLS listener yet."""
    path = workdir / CA_CERT
    return path.read_text() if path.exists() else None
