"""Console passwords: a slow, salted, memory-hard hash (scrypt) and the lockout rule.

scrypt with N=2^14, r=8 takes 16 MiB and tens of milliseconds per guess, so a stolen database does not
give up passwords the way a fast hash would; each password has its own random salt. The lockout doubles
with every failure past the fifth, so guessing on line is slow too, and one wrong password never locks
anyone out for long."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

N, R, P = 2**14, 8, 1
MIN_LENGTH = 10
FREE_FAILURES = 5  # wrong passwords allowed before the first lockout
LOCK_BASE_S = 30.0
LOCK_MAX_S = 3600.0


def hash_password(password: str, *, n: int = N) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=R, p=P, maxmem=64 * 1024 * 1024, dklen=32)
    return f"scrypt${n}${R}${P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p),
                             maxmem=64 * 1024 * 1024, dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, _unb64(digest))


def weakness(password: str, username: str) -> tuple[str, str] | None:
    """Why a new password is refused (English, Vietnamese), or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return (f"password must have at least {MIN_LENGTH} characters",
                f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự.")
    if username and username.lower() in password.lower():
        return "password must not contain the user name", "Mật khẩu không được chứa tên đăng nhập."
    if len(set(password)) < 4:
        return "password is too simple", "Mật khẩu quá đơn giản."
    return None


def lock_seconds(failures: int) -> float:
    """How long an account stays locked after `failures` consecutive wrong passwords (0: not locked)."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(LOCK_MAX_S, LOCK_BASE_S * 2 ** (failures - FREE_FAILURES))


def _b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def _unb64(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
