"""Mosquitto 2.x password hashes (`$7$`: PBKDF2-HMAC-SHA512).

The hub stores only these hashes and writes Mosquitto's password_file straight from its database,
so a device secret exists in plaintext only once: when it is handed to the device at enrolment.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from pathlib import Path

# What mosquitto_passwd uses; Mosquitto reads the salt length and iteration count from each line.
SALT_LEN = 12
HASH_LEN = 64  # SHA-512 output
DEFAULT_ITERATIONS = 101


def hash_secret(secret: str, *, salt: bytes | None = None, iterations: int = DEFAULT_ITERATIONS) -> str:
    """Return `$7$<iterations>$<b64 salt>$<b64 hash>`, the part of a password_file line after `user:`."""
    if iterations < 1:
        raise ValueError("iterations must be at least 1")
    if salt is None:
        salt = os.urandom(SALT_LEN)
    if not salt:
        raise ValueError("salt must not be empty")
    digest = hashlib.pbkdf2_hmac("sha512", secret.encode("utf-8"), salt, iterations, HASH_LEN)
    return f"$7${iterations}${_b64(salt)}${_b64(digest)}"


def verify_secret(secret: str, hashed: str) -> bool:
    """True if `secret` matches `hashed`; a malformed hash never matches. Compares in constant time."""
    parts = hashed.split("$")
    if len(parts) != 5 or parts[0] != "" or parts[1] != "7":
        return False
    try:
        iterations = int(parts[2])
        salt = base64.b64decode(parts[3], validate=True)
        expected = base64.b64decode(parts[4], validate=True)
    except (ValueError, binascii.Error):
        return False
    if iterations < 1 or not salt or not expected:
        return False
    digest = hashlib.pbkdf2_hmac("sha512", secret.encode("utf-8"), salt, iterations, len(expected))
    return hmac.compare_digest(digest, expected)


def secret_file(path: Path) -> str:
    """A broker password kept in `path` (0600, made once at first use): the hub's own, the province
    receiver's."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(new_secret())
    return path.read_text().strip()


def new_secret() -> str:
    """A random URL-safe secret (192 bits): easy to put in a device's config file or a QR code."""
    return secrets.token_urlsafe(24)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
