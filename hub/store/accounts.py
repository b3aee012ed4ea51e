"""Console accounts (administrator, leader, specialist, technician, post staff) and their server-side
sessions. A session's secret lives only in the browser's cookie; the database keeps its SHA-256 (it is
32 random bytes, so a fast hash is enough), with the CSRF token the session's forms must echo."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

import sqlite_utils

from hub.domain.authz import scope_problem
from hub.domain.roles import ROLES
from motcua_core.errors import DomainError

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
CONSOLE_ROLES = tuple(r for r in ROLES if r != "officer")  # officers sign in at their counter
SESSION_S = 12 * 3600  # one working day
_COLS = "username, role, site_id, agency, name, pw_hash, active, must_change, failed, locked_until"


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    site_id: str | None
    agency: str | None
    name: str
    pw_hash: str
    active: bool
    must_change: bool
    failed: int
    locked_until: float | None

    def public(self) -> dict:
        return {"username": self.username, "role": self.role, "site": self.site_id, "agency": self.agency,
                "name": self.name, "active": self.active, "must_change": self.must_change,
                "locked": self.locked_until is not None}


def _account(row: tuple | None) -> Account | None:
    if row is None:
        return None
    r = list(row)
    r[6], r[7] = bool(r[6]), bool(r[7])
    return Account(*r)


def validate(username: str, role: str, site_id: str | None, agency: str | None, name: str) -> None:
    if not USERNAME_RE.match(username):
        raise DomainError("bad_request", f"bad user name {username!r}",
                          "Tên đăng nhập gồm 3–40 chữ thường không dấu, số, '.', '_' hoặc '-'.")
    if role not in CONSOLE_ROLES:
        raise DomainError("bad_request", f"role must be one of {', '.join(CONSOLE_ROLES)}",
                          "Vai trò không hợp lệ (quản trị, lãnh đạo, chuyên viên, kỹ thuật viên, bưu điện).")
    if (problem := scope_problem(role, site_id)) is not None:
        raise problem
    if role == "specialist" and not (agency or "").strip():
        raise DomainError("bad_request", "a specialist names an agency", "Chuyên viên cần tên cơ quan giải quyết.")
    if not name.strip() or len(name) > 80:
        raise DomainError("bad_request", "name required", "Cần họ tên (tối đa 80 ký tự).")


def get(db: sqlite_utils.Database, username: str) -> Account | None:
    return _account(db.execute(f"SELECT {_COLS} FROM accounts WHERE username = ?", [username]).fetchone())


def require(db: sqlite_utils.Database, username: str) -> Account:
    acc = get(db, username)
    if acc is None:
        raise DomainError("not_found", f"no account {username}", f"Không có tài khoản {username}.")
    return acc


def list_all(db: sqlite_utils.Database, site_id: str | None = None) -> list[Account]:
    if site_id is None:
        rows = db.execute(f"SELECT {_COLS} FROM accounts ORDER BY username").fetchall()
    else:
        rows = db.execute(f"SELECT {_COLS} FROM accounts WHERE site_id = ? ORDER BY username", [site_id]).fetchall()
    return [a for r in rows if (a := _account(r)) is not None]


def insert(db: sqlite_utils.Database, *, username: str, role: str, site_id: str | None, agency: str | None,
           name: str, pw_hash: str, now: float, must_change: bool = True) -> None:
    if get(db, username) is not None:
        raise DomainError("conflict", f"account {username} exists", f"Tài khoản {username} đã có.")
    db.execute("INSERT INTO accounts(username, role, site_id, agency, name, pw_hash, must_change, created_at, "
               "changed_at) VALUES(?,?,?,?,?,?,?,?,?)",
               [username, role, site_id, (agency or "").strip() or None, name.strip(), pw_hash, int(must_change),
                now, now])


def update(db: sqlite_utils.Database, username: str, now: float, **cols: object) -> None:
    sets = ", ".join(f"{c} = ?" for c in cols)
    db.execute(f"UPDATE accounts SET {sets}, changed_at = ? WHERE username = ?", [*cols.values(), now, username])


# --- sessions -------------------------------------------------------------------------------------

def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def open_session(db: sqlite_utils.Database, username: str, now: float) -> tuple[str, str]:
    """A new session: (cookie secret, CSRF token). Old expired sessions are swept at the same time."""
    secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    db.execute("DELETE FROM sessions WHERE expires_at < ?", [now])
    db.execute("INSERT INTO sessions(id_hash, username, csrf, created_at, expires_at) VALUES(?,?,?,?,?)",
               [_hash(secret), username, csrf, now, now + SESSION_S])
    return secret, csrf


def session(db: sqlite_utils.Database, secret: str, now: float) -> tuple[Account, str] | None:
    """The active account behind a session cookie and its CSRF token, or None."""
    row = db.execute("SELECT username, csrf FROM sessions WHERE id_hash = ? AND expires_at > ?",
                     [_hash(secret), now]).fetchone()
    if row is None:
        return None
    acc = get(db, row[0])
    return (acc, row[1]) if acc is not None and acc.active else None


def close_session(db: sqlite_utils.Database, secret: str) -> None:
    db.execute("DELETE FROM sessions WHERE id_hash = ?", [_hash(secret)])


def close_all(db: sqlite_utils.Database, username: str, keep: str | None = None) -> None:
    """End every session of an account (a password changed or reset), except `keep` (the current one)."""
    db.execute("DELETE FROM sessions WHERE username = ? AND id_hash != ?", [username, _hash(keep or "")])
