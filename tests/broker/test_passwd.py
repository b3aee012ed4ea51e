"""Password hashes: format, verification, and proof that Mosquitto itself accepts them."""

from __future__ import annotations

import base64
import os
import pwd
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from hub.broker.passwd import hash_secret, new_secret, verify_secret
from tests.broker import try_connect
from tests.support.net import free_port, wait_port

HASH_RE = re.compile(r"^\$7\$101\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$")


def test_hash_format_is_mosquitto_7() -> None:
    m = HASH_RE.match(hash_secret("s3cret"))
    assert m, "expected $7$101$<b64 salt>$<b64 hash>"
    assert len(base64.b64decode(m.group(1))) == 12
    assert len(base64.b64decode(m.group(2))) == 64  # SHA-512


def test_verify_right_and_wrong() -> None:
    hashed = hash_secret("đúng-mật-khẩu")
    assert verify_secret("đúng-mật-khẩu", hashed)
    assert not verify_secret("sai-mật-khẩu", hashed)
    assert not verify_secret("", hashed)


def test_salt_and_iterations() -> None:
    salt = b"0123456789ab"
    assert hash_secret("x", salt=salt) == hash_secret("x", salt=salt)
    assert hash_secret("x") != hash_secret("x")  # random salt
    slow = hash_secret("x", iterations=1000)
    assert slow.startswith("$7$1000$") and verify_secret("x", slow)
    with pytest.raises(ValueError):
        hash_secret("x", iterations=0)


@pytest.mark.parametrize("bad", ["", "plain", "$6$101$abc$def", "$7$x$AAAA$AAAA", "$7$101$!!$AAAA", "$7$101$$"])
def test_malformed_hash_never_verifies(bad: str) -> None:
    assert not verify_secret("x", bad)


def test_new_secret_is_random_and_url_safe() -> None:
    a, b = new_secret(), new_secret()
    assert a != b and len(a) == 32 and re.fullmatch(r"[A-Za-z0-9_-]+", a)


@pytest.mark.skipif(shutil.which("mosquitto_passwd") is None, reason="mosquitto_passwd not installed")
def test_verifies_hash_made_by_mosquitto_passwd(tmp_path: Path) -> None:
    pwfile = tmp_path / "pw"
    subprocess.run(["mosquitto_passwd", "-b", "-c", str(pwfile), "alice", "s3cret"], check=True)
    hashed = pwfile.read_text().strip().split(":", 1)[1]
    assert verify_secret("s3cret", hashed)
    assert not verify_secret("s3cret!", hashed)


@pytest.mark.integration
def test_mosquitto_accepts_our_hashes(tmp_path: Path) -> None:
    """The real proof of the format: Mosquitto logs in users whose hash came from hash_secret."""
    mosquitto = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    port = free_port()
    pwfile = tmp_path / "passwd"
    pwfile.write_text(f"alice:{hash_secret('s3cret')}\nbob:{hash_secret('b0b', iterations=1000)}\n")
    conf = tmp_path / "m.conf"
    # `user` only matters when the tests run as root: mosquitto would otherwise drop to the
    # `mosquitto` user and fail to read tmp_path.
    user = pwd.getpwuid(os.geteuid()).pw_name
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous false\npassword_file {pwfile}\nuser {user}\n")
    with open(tmp_path / "m.log", "wb") as out:
        proc = subprocess.Popen([mosquitto, "-c", str(conf)], stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_port(port)
        assert not try_connect(port, "alice", "s3cret").is_failure
        assert not try_connect(port, "bob", "b0b").is_failure
        refused = try_connect(port, "alice", "wrong")
        assert refused.is_failure and refused.value == 135  # mosquitto 2.0 answers Not authorized
        assert try_connect(port, "nobody", "s3cret").is_failure
    finally:
        proc.terminate()
        proc.wait(timeout=10)
