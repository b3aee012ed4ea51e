"""Certificates made here (cryptography): a CA and the certificates it issues, as PKCS#12.

Used for the centre's self-issued signing certificate when no certificate from a licensed CA has been
installed (`motcua hub signing init`: marked as such in its name), and by the tests as their test CA.
A real office signs with certificates from a licensed Vietnamese CA, installed with
`motcua hub signing import` (the centre) or on the officer's USB token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class Issued:
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    cert: x509.Certificate

    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())

    def pkcs12(self, passphrase: bytes, chain: list[x509.Certificate] = ()) -> bytes:
        return pkcs12.serialize_key_and_certificates(
            self.cert.subject.rfc4514_string().encode(), self.key, self.cert, list(chain),
            serialization.BestAvailableEncryption(passphrase))


def clip(text: str, limit: int = 64) -> str:
    """`text` cut to `limit` bytes of UTF-8 (X.509 name attributes hold at most 64), whole letters kept."""
    while len(text.encode()) > limit:
        text = text[:-1]
    return text.rstrip()


def _name(cn: str, org: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, clip(org)),
                      x509.NameAttribute(NameOID.COMMON_NAME, clip(cn))])


def make_ca(cn: str, org: str = "motcua", *, now: datetime | None = None, years: int = 10) -> Issued:
    now = now or datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(cn, org)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=365 * years))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return Issued(key, cert)


def issue(ca: Issued, cn: str, org: str = "motcua", *, now: datetime | None = None, years: int = 3,
          use_rsa: bool = False) -> Issued:
    """A signing certificate (digital signature + non-repudiation, document signing use) from `ca`;
    RSA 2048 as on the licensed CAs' USB tokens when `use_rsa`, else ECDSA P-256."""
    now = now or datetime.now(UTC)
    key = rsa.generate_private_key(65537, 2048) if use_rsa else ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name(cn, org)).issuer_name(ca.cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365 * years))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
            .sign(ca.key, hashes.SHA256()))
    return Issued(key, cert)
