"""API tokens: a secret scoped to one role (and one site, except for administrators), for scripts and
integrations that call the hub's HTTP API. Printed once by `motcua hub token add`; only its SHA-256 is
stored (a token is 32 random bytes, so a fast hash is enough)."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

import sqlite_utils

from hub.domain.authz import may_hold_global
from hub.domain.roles import ROLES
from motcua_core.errors import DomainError

NAME_RE = re.compile(r"^[\w .-]{1,60}$")
PREFIX = "mct_"


@dataclass(frozen=True)
class ApiToken:
    id: int
    role: str
    site_id: str | None
    agency: str | None
    name: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def add(db: sqlite_utils.Database, *, role: str, site_id: str | None, name: str, now: float,
        agency: str | None = None) -> tuple[ApiToken, str]:
    """Create a token; returns it with its one-time secret. Call inside a transaction."""
    if role not in ROLES:
        raise DomainError("bad_request", f"role must be one of {', '.join(ROLES)}",
                          f"Vai trò phải là một trong: {', '.join(ROLES)}.")
    if site_id is None and not may_hold_global(role):
        raise DomainError("bad_request", "only an admin, leader or technician token may span every site",
                          "Chỉ mã của quản trị viên, lãnh đạo, kỹ thuật viên cấp tỉnh mới dùng được cho mọi đơn vị; "
                          "hãy chọn đơn vị.")
    if role == "province_leader" and site_id is not None:
        raise DomainError("bad_request", "a province leader reads every centre: no --site",
                          "Lãnh đạo cấp tỉnh xem mọi trung tâm; không chọn đơn vị.")
    if role == "specialist" and not (agency or "").strip():
        raise DomainError("bad_request", "a specialist token names its agency", "Mã của chuyên viên cần tên cơ quan.")
    if not NAME_RE.match(name):
        raise DomainError("bad_request", "bad token name", "Tên mã chỉ gồm chữ, số, khoảng trắng, '.', '-' (tối đa 60).")
    secret = PREFIX + secrets.token_urlsafe(32)
    token_id = db.execute("INSERT INTO api_tokens(role, site_id, agency, name, secret_hash, created_at) "
                          "VALUES(?,?,?,?,?,?) RETURNING id",
                          [role, site_id, (agency or "").strip() or None, name, hash_secret(secret), now]).fetchone()[0]
    return ApiToken(token_id, role, site_id, (agency or "").strip() or None, name), secret


def by_secret(db: sqlite_utils.Database, secret: str) -> ApiToken | None:
    if not secret.startswith(PREFIX):
        return None
    row = db.execute("SELECT id, role, site_id, agency, name FROM api_tokens "
                     "WHERE secret_hash = ? AND revoked_at IS NULL", [hash_secret(secret)]).fetchone()
    return ApiToken(*row) if row else None


def list_all(db: sqlite_utils.Database) -> list[tuple[ApiToken, float, float | None]]:
    rows = db.execute("SELECT id, role, site_id, agency, name, created_at, revoked_at FROM api_tokens ORDER BY id")
    return [(ApiToken(*r[:5]), r[5], r[6]) for r in rows]


def revoke(db: sqlite_utils.Database, token_id: int, now: float) -> None:
    cur = db.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [now, token_id])
    if cur.rowcount == 0:
        raise DomainError("not_found", f"no active token {token_id}", f"Không có mã đang dùng số {token_id}.")
