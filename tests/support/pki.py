"""The tests' own certificate authority and a SoftHSM2 token standing in for an officer's USB token."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from motcua_core import pki

SOFTHSM_LIB = "/usr/lib/softhsm/libsofthsm2.so"


@dataclass
class TestPki:
    ca: pki.Issued
    officer: pki.Issued
    centre: pki.Issued
    dir: Path

    def p12(self, who: pki.Issued, name: str, passphrase: bytes = b"matkhau") -> Path:
        path = self.dir / f"{name}.p12"
        path.write_bytes(who.pkcs12(passphrase, [self.ca.cert]))
        path.chmod(0o600)
        return path

    def ca_pem(self) -> Path:
        path = self.dir / "ca.pem"
        path.write_bytes(self.ca.cert_pem())
        return path


def make(tmp: Path) -> TestPki:
    tmp.mkdir(parents=True, exist_ok=True)
    ca = pki.make_ca("CA thử nghiệm motcua", "motcua test")
    return TestPki(ca, pki.issue(ca, "Nguyễn Thị Lan", "Trung tâm PVHCC xã Hòa An"),
                   pki.issue(ca, "Trung tâm Phục vụ hành chính công xã Hòa An", "UBND xã Hòa An"), tmp)


def softhsm_token(tmp: Path, who: pki.Issued, *, label: str = "officer", pin: str = "123456",
                  in_child: bool = False) -> dict:
    """A SoftHSM2 token holding `who`'s key and certificate (as a licensed CA's token does). Returns the
    environment and the names pyHanko needs. SoftHSM2 reads its configuration once per process: without
    `in_child` SOFTHSM2_CONF is set in os.environ and the token used in this process; with it, the token
    is made by child processes only, for another process (the app under test) given `env`."""
    if not (shutil.which("softhsm2-util") and Path(SOFTHSM_LIB).exists()):
        raise FileNotFoundError("softhsm2 is not installed")
    tokdir = tmp / "tokens"
    tokdir.mkdir(parents=True, exist_ok=True)
    conf = tmp / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokdir}\nobjectstore.backend = file\nlog.level = ERROR\n")
    if not in_child:
        os.environ["SOFTHSM2_CONF"] = str(conf)
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", "654321"],
                   check=True, capture_output=True, env=env)
    keyfile = tmp / "key.pem"
    keyfile.write_bytes(who.key_pem())
    subprocess.run(["softhsm2-util", "--import", str(keyfile), "--token", label, "--label", "chuky", "--id", "01",
                    "--pin", pin], check=True, capture_output=True, env=env)
    keyfile.unlink()
    if in_child:
        certfile = tmp / "cert.pem"
        certfile.write_bytes(who.cert_pem())
        subprocess.run([sys.executable, "-c", _ADD_CERT, SOFTHSM_LIB, label, pin, str(certfile)], check=True,
                       capture_output=True, env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
        return {"lib": SOFTHSM_LIB, "token": label, "pin": pin, "key": "chuky", "env": {"SOFTHSM2_CONF": str(conf)}}
    import pkcs11
    from cryptography.hazmat.primitives import serialization
    from pkcs11 import Attribute, CertificateType, ObjectClass

    lib = pkcs11.lib(SOFTHSM_LIB)
    token = lib.get_token(token_label=label)
    with token.open(rw=True, user_pin=pin) as s:
        s.create_object({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                         Attribute.TOKEN: True, Attribute.LABEL: "chuky", Attribute.ID: b"\x01",
                         Attribute.SUBJECT: who.cert.subject.public_bytes(),
                         Attribute.VALUE: who.cert.public_bytes(serialization.Encoding.DER)})
    return {"lib": SOFTHSM_LIB, "token": label, "pin": pin, "key": "chuky", "env": {"SOFTHSM2_CONF": str(conf)}}


# the certificate put on the token beside its key, in a child process (see softhsm_token's `in_child`)
_ADD_CERT = """
import sys
import pkcs11
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pkcs11 import Attribute, CertificateType, ObjectClass
lib, label, pin, path = sys.argv[1:]
cert = x509.load_pem_x509_certificate(open(path, "rb").read())
with pkcs11.lib(lib).get_token(token_label=label).open(rw=True, user_pin=pin) as s:
    s.create_object({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                     Attribute.TOKEN: True, Attribute.LABEL: "chuky", Attribute.ID: b"\\x01",
                     Attribute.SUBJECT: cert.subject.public_bytes(),
                     Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER)})
"""
