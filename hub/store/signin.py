"""Sign-in sessions and sign-in failure counters (SQL only; the rules are in hub.domain.lockout)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import sqlite_utils

from hub.store import memo

SESSIONS = "officer_session"  # the memo's key kind for sign-ins (hub.store.memo.forget_kind)


@dataclass(frozen=True)
class Session:
    officer_id: str
    device_id: str
    expires_at: float


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()  # 192 random bits: no salt needed


def open_session(db: sqlite_utils.Database, site_id: str, officer_id: str, device_id: str, now: float,
                 ttl_s: float) -> str:
    """A new token for `officer_id` at `device_id`; the officer's other sessions end (one officer, one
    counter), and so does whoever was signed in at this device."""
    memo.forget_kind(db, SESSIONS)
    db.execute("DELETE FROM officer_sessions WHERE site_id = ? AND (officer_id = ? OR device_id = ?)",
               [site_id, officer_id, device_id])
    db.execute("DELETE FROM officer_sessions WHERE expires_at < ?", [now])
    token = secrets.token_urlsafe(24)
    db.execute("INSERT INTO officer_sessions(token_hash, site_id, officer_id, device_id, created_at, expires_at) "
               "VALUES(?,?,?,?,?,?)", [_hash(token), site_id, officer_id, device_id, now, now + ttl_s])
    return token


def get_session(db: sqlite_utils.Database, site_id: str, token: str) -> Session | None:
    """The sign-in a counter's request carries, kept in the registry memo (every officer action reads it;
    every write of officer_sessions forgets them all: `SESSIONS`). Only the token's hash is a key."""
    token_hash = _hash(token)

    def load() -> Session | None:
        row = db.execute("SELECT officer_id, device_id, expires_at FROM officer_sessions "
                         "WHERE token_hash = ? AND site_id = ?", [token_hash, site_id]).fetchone()
        return Session(*row) if row else None
    return memo.lookup(db, (SESSIONS, site_id, token_hash), load)


def end_sessions(db: sqlite_utils.Database, site_id: str, *, device_id: str | None = None,
                 officer_id: str | None = None) -> None:
    memo.forget_kind(db, SESSIONS)
    if device_id is not None:
        db.execute("DELETE FROM officer_sessions WHERE site_id = ? AND device_id = ?", [site_id, device_id])
    if officer_id is not None:
        db.execute("DELETE FROM officer_sessions WHERE site_id = ? AND officer_id = ?", [site_id, officer_id])


def failures(db: sqlite_utils.Database, site_id: str, scope: str) -> tuple[int, int, float | None]:
    """(failures since the last lock, lockouts so far, locked_until) of a scope."""
    row = db.execute("SELECT failures, lockouts, locked_until FROM signin_failures WHERE site_id = ? AND scope = ?",
                     [site_id, scope]).fetchone()
    return (row[0], row[1], row[2]) if row else (0, 0, None)


def set_failures(db: sqlite_utils.Database, site_id: str, scope: str, failures: int, lockouts: int,
                 locked_until: float | None) -> None:
    db.execute("INSERT INTO signin_failures(site_id, scope, failures, lockouts, locked_until) VALUES(?,?,?,?,?) "
               "ON CONFLICT(site_id, scope) DO UPDATE SET failures = excluded.failures, "
               "lockouts = excluded.lockouts, locked_until = excluded.locked_until",
               [site_id, scope, failures, lockouts, locked_until])


def clear_failures(db: sqlite_utils.Database, site_id: str, scopes: list[str]) -> None:
    for scope in scopes:
        db.execute("DELETE FROM signin_failures WHERE site_id = ? AND scope = ?", [site_id, scope])


def clear_matching(db: sqlite_utils.Database, site_id: str, patterns: list[str]) -> None:
    """Lift every lock-out whose scope matches one of the LIKE `patterns` (an administrator's reset)."""
    for pattern in patterns:
        db.execute("DELETE FROM signin_failures WHERE site_id = ? AND scope LIKE ?", [site_id, pattern])
