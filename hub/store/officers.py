"""Officer credentials: username + PIN (PBKDF2 hash) and badge codes (keyed hash), with lock-out.

Nothing readable is stored: a stolen database reveals neither PINs nor badge numbers. A PIN is short,
so the real protection is the lock-out after repeated failures (MAX_FAILURES, LOCK_S).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import sqlite_utils

from motcua_core.errors import DomainError

PIN_RE = re.compile(r"^[0-9]{4,8}$")
PBKDF2_ITERATIONS = 60_000  # ~30 ms on a Raspberry Pi 4; runs inside the hub's request transaction
MAX_FAILURES = 5
LOCK_S = 300.0


@dataclass(frozen=True)
class Officer:
    id: str
    name: str
    username: str
    pin_hash: str | None
    failed_logins: int
    locked_until: float | None


def hash_pin(pin: str, *, iterations: int = PBKDF2_ITERATIONS) -> str:
    if not PIN_RE.match(pin or ""):
        raise ValueError("a PIN is 4 to 8 digits")
    salt = secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt.encode(), iterations).hex()
    return f"pbkdf2_sha256${iterations}${salt}${digest}"


def check_pin(pin: str, stored: str | None) -> bool:
    if not stored or not isinstance(pin, str):
        return False
    try:
        algo, iterations, salt, digest = stored.split("$")
    except ValueError:
        return False
    if algo != "pbkdf2_sha256":
        return False
    got = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt.encode(), int(iterations)).hex()
    return hmac.compare_digest(got, digest)


def hash_badge(site_id: str, badge: str) -> str:
    """Deterministic (so a scanned badge can be looked up), keyed by site."""
    code = badge.strip()
    if not 4 <= len(code) <= 64:
        raise ValueError("a badge code is 4 to 64 characters")
    return hashlib.sha256(f"motcua-badge\0{site_id}\0{code}".encode()).hexdigest()


_COLS = "id, name, COALESCE(username, id), pin_hash, failed_logins, locked_until"


def _officer(row: tuple | None) -> Officer | None:
    return Officer(*row) if row else None


def by_username(db: sqlite_utils.Database, site_id: str, username: str) -> Officer | None:
    row = db.execute(f"SELECT {_COLS} FROM officers WHERE site_id = ? AND COALESCE(username, id) = ?",
                     [site_id, username.strip().lower()]).fetchone()
    return _officer(row)


def by_badge(db: sqlite_utils.Database, site_id: str, badge: str) -> Officer | None:
    try:
        h = hash_badge(site_id, badge)
    except ValueError:
        return None
    row = db.execute(f"SELECT {_COLS} FROM officers WHERE site_id = ? AND badge_hash = ?", [site_id, h]).fetchone()
    return _officer(row)


def get(db: sqlite_utils.Database, site_id: str, officer_id: str) -> Officer:
    row = db.execute(f"SELECT {_COLS} FROM officers WHERE site_id = ? AND id = ?", [site_id, officer_id]).fetchone()
    if row is None:
        raise DomainError("not_found", f"unknown officer {officer_id!r}", "Không tìm thấy cán bộ.")
    return Officer(*row)


def set_credentials(db: sqlite_utils.Database, site_id: str, officer_id: str, *, pin: str | None = None,
                    badge: str | None = None, username: str | None = None) -> None:
    """Set any of PIN, badge and username (None leaves it); clears a lock-out. Call inside a transaction."""
    get(db, site_id, officer_id)
    if username is not None:
        db.execute("UPDATE officers SET username = ? WHERE site_id = ? AND id = ?",
                   [username.strip().lower(), site_id, officer_id])
    if pin is not None:
        db.execute("UPDATE officers SET pin_hash = ?, failed_logins = 0, locked_until = NULL "
                   "WHERE site_id = ? AND id = ?", [hash_pin(pin), site_id, officer_id])
    if badge is not None:
        h = hash_badge(site_id, badge)
        other = db.execute("SELECT id FROM officers WHERE site_id = ? AND badge_hash = ? AND id != ?",
                           [site_id, h, officer_id]).fetchone()
        if other:
            raise DomainError("conflict", f"badge already belongs to officer {other[0]}",
                              "Thẻ này đã được gán cho cán bộ khác.")
        db.execute("UPDATE officers SET badge_hash = ? WHERE site_id = ? AND id = ?", [h, site_id, officer_id])


def record_failure(db: sqlite_utils.Database, site_id: str, officer_id: str, now: float) -> bool:
    """Count a wrong PIN; returns True when this failure locks the account."""
    row = db.execute("SELECT failed_logins FROM officers WHERE site_id = ? AND id = ?",
                     [site_id, officer_id]).fetchone()
    failures = (row[0] if row else 0) + 1
    locked = failures >= MAX_FAILURES
    db.execute("UPDATE officers SET failed_logins = ?, locked_until = ? WHERE site_id = ? AND id = ?",
               [0 if locked else failures, now + LOCK_S if locked else None, site_id, officer_id])
    return locked


def record_success(db: sqlite_utils.Database, site_id: str, officer_id: str) -> None:
    db.execute("UPDATE officers SET failed_logins = 0, locked_until = NULL WHERE site_id = ? AND id = ?",
               [site_id, officer_id])
