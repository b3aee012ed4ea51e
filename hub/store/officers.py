"""Officer credentials: username + PIN and badge codes, both under scrypt (memory-hard, slow), with
lock-out (hub.domain.lockout).

Nothing readable is stored: a stolen database reveals neither PINs nor badge numbers. A PIN hash has its
own random salt; a badge hash is salted per site (a scanned badge must be found by its hash) — scrypt
makes each guess cost ~80 ms and 16 MiB, where unsalted SHA-256 cost nanoseconds. A 4-digit PIN is still
a small space (10,000 guesses ≈ 15 min of one core against a stolen file), so the database is readable
by the hub's user alone (hub.store.datadir) and sites should use 6-digit PINs. Hashes of the old
schemes (PBKDF2 PINs, SHA-256 badges) still verify and are replaced at the officer's next sign-in.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import sqlite_utils

from hub.store import memo
from hub.store.signin import SESSIONS
from motcua_core.errors import DomainError

PIN_RE = re.compile(r"^[0-9]{4,8}$")
# scrypt N=2^14, r=8: 16 MiB and ~80 ms per hash on a desktop core (~250 ms on a Raspberry Pi 4); it runs
# inside a sign-in request, so it is paid once per sign-in, not per action (actions carry a token).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


@dataclass(frozen=True)
class Officer:
    id: str
    name: str
    username: str
    pin_hash: str | None
    failed_logins: int
    locked_until: float | None


def _scrypt(secret: str, salt: bytes, n: int) -> str:
    return hashlib.scrypt(secret.encode(), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, maxmem=64 * 1024 * 1024,
                          dklen=32).hex()


def hash_pin(pin: str, *, n: int = SCRYPT_N) -> str:
    if not PIN_RE.match(pin or ""):
        raise ValueError("a PIN is 4 to 8 digits")
    salt = secrets.token_bytes(16)
    return f"scrypt${n}${salt.hex()}${_scrypt(pin, salt, n)}"


def check_pin(pin: str, stored: str | None) -> bool:
    if not stored or not isinstance(pin, str):
        return False
    try:
        algo, cost, salt, digest = stored.split("$")
        if algo == "scrypt":
            got = _scrypt(pin, bytes.fromhex(salt), int(cost))
        elif algo == "pbkdf2_sha256":  # the scheme before issue #10; rehashed at the next sign-in
            got = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt.encode(), int(cost)).hex()
        else:
            return False
    except ValueError:
        return False
    return hmac.compare_digest(got, digest)


def needs_rehash(stored: str | None) -> bool:
    return not (stored or "").startswith(f"scrypt${SCRYPT_N}$")


def _badge_code(badge: str) -> str:
    code = badge.strip()
    if not 4 <= len(code) <= 64:
        raise ValueError("a badge code is 4 to 64 characters")
    return code


def hash_badge(site_id: str, badge: str) -> str:
    """Deterministic (so a scanned badge can be looked up), salted by site, slow (scrypt)."""
    salt = hashlib.sha256(f"motcua-badge\0{site_id}".encode()).digest()[:16]
    return "s$" + _scrypt(_badge_code(badge), salt, SCRYPT_N)


def _legacy_badge_hash(site_id: str, badge: str) -> str:
    return hashlib.sha256(f"motcua-badge\0{site_id}\0{_badge_code(badge)}".encode()).hexdigest()


_COLS = "id, name, COALESCE(username, id), pin_hash, failed_logins, locked_until"


def _officer(row: tuple | None) -> Officer | None:
    return Officer(*row) if row else None


def by_username(db: sqlite_utils.Database, site_id: str, username: str) -> Officer | None:
    row = db.execute(f"SELECT {_COLS} FROM officers WHERE site_id = ? AND COALESCE(username, id) = ? AND active = 1",
                     [site_id, username.strip().lower()]).fetchone()
    return _officer(row)


def by_badge(db: sqlite_utils.Database, site_id: str, badge: str) -> Officer | None:
    try:
        h = hash_badge(site_id, badge)
    except ValueError:
        return None
    row = db.execute(f"SELECT {_COLS} FROM officers WHERE site_id = ? AND badge_hash = ? AND active = 1",
                     [site_id, h]).fetchone()
    if row is None:  # a badge stored under the old unsalted scheme: found once, then stored anew
        old = _legacy_badge_hash(site_id, badge)
        row = db.execute(f"SELECT {_COLS} FROM officers WHERE site_id = ? AND badge_hash = ?",
                         [site_id, old]).fetchone()
        if row is not None:
            db.execute("UPDATE officers SET badge_hash = ? WHERE site_id = ? AND badge_hash = ?", [h, site_id, old])
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
        # A new PIN lifts the officer's lock-outs and ends their sign-ins (a PIN reset after a leak).
        db.execute("DELETE FROM signin_failures WHERE site_id = ? AND (scope = ? OR scope LIKE ?)",
                   [site_id, f"officer:{officer_id}", f"pair:{officer_id}:%"])
        db.execute("DELETE FROM officer_sessions WHERE site_id = ? AND officer_id = ?", [site_id, officer_id])
        memo.forget_kind(db, SESSIONS)
    if badge is not None:
        h = hash_badge(site_id, badge)
        other = db.execute("SELECT id FROM officers WHERE site_id = ? AND badge_hash = ? AND id != ?",
                           [site_id, h, officer_id]).fetchone()
        if other:
            raise DomainError("conflict", f"badge already belongs to officer {other[0]}",
                              "Thẻ này đã được gán cho cán bộ khác.")
        db.execute("UPDATE officers SET badge_hash = ? WHERE site_id = ? AND id = ?", [h, site_id, officer_id])


def rehash_pin(db: sqlite_utils.Database, site_id: str, officer_id: str, pin: str) -> None:
    """Store a PIN that just verified under the current scheme (an old PBKDF2 hash is replaced)."""
    db.execute("UPDATE officers SET pin_hash = ? WHERE site_id = ? AND id = ?", [hash_pin(pin), site_id, officer_id])


def set_active(db: sqlite_utils.Database, site_id: str, officer_id: str, active: bool) -> None:
    """Deactivate (or reactivate) an officer: a deactivated one cannot sign in; their history stays."""
    get(db, site_id, officer_id)
    db.execute("UPDATE officers SET active = ? WHERE site_id = ? AND id = ?", [int(active), site_id, officer_id])


def is_active(db: sqlite_utils.Database, site_id: str, officer_id: str) -> bool:
    row = db.execute("SELECT active FROM officers WHERE site_id = ? AND id = ?", [site_id, officer_id]).fetchone()
    return bool(row and row[0])


def find(db: sqlite_utils.Database, site_id: str, officer_id: str) -> dict | None:
    row = db.execute("SELECT id, name, active FROM officers WHERE site_id = ? AND id = ?",
                     [site_id, officer_id]).fetchone()
    return {"id": row[0], "name": row[1], "active": bool(row[2])} if row else None


def set_agency(db: sqlite_utils.Database, site_id: str, officer_id: str, agency: str | None) -> None:
    """The agency that seconded the officer to the one-stop office (None: the office's own staff)."""
    db.execute("UPDATE officers SET seconded_by = ? WHERE site_id = ? AND id = ?", [agency, site_id, officer_id])


def roster(db: sqlite_utils.Database, site_id: str, since_day: str) -> list[dict]:
    """Every officer of a site, retired ones included, for the administrator's list: name, id, counter
    user name, agency, state, the counter they are signed in at now and the counters they served at since
    `since_day` (most used first)."""
    used: dict[str, list[int]] = {}
    for officer, counter, _n in db.execute(
            "SELECT officer, counter, COUNT(*) AS n FROM tickets WHERE site_id = ? AND day >= ? AND officer IS NOT NULL "
            "AND counter IS NOT NULL GROUP BY officer, counter ORDER BY officer, n DESC, counter", [site_id, since_day]):
        used.setdefault(officer, []).append(counter)
    now_at = dict(db.execute("SELECT officer, number FROM counters WHERE site_id = ? AND officer IS NOT NULL",
                             [site_id]).fetchall())
    return [{"id": r[0], "name": r[1], "username": r[2], "agency": r[3], "active": bool(r[4]),
             "signed_in_at": now_at.get(r[0]), "counters": used.get(r[0], []), "has_pin": r[5] is not None}
            for r in db.execute("SELECT id, name, COALESCE(username, id), seconded_by, active, pin_hash FROM officers "
                                "WHERE site_id = ?", [site_id])]
