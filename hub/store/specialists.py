"""Agency specialists (chuyên viên) who process dossiers through the API and the /agency page.

A specialist logs in with a bearer token printed once by `motcua hub specialist add`; only its SHA-256
is stored (tokens are 32 random bytes, so a fast hash is enough)."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

import sqlite_utils

from motcua_core.errors import DomainError

ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")


@dataclass(frozen=True)
class Specialist:
    id: str
    site_id: str
    agency: str
    name: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add(db: sqlite_utils.Database, *, site_id: str, specialist_id: str, agency: str, name: str,
        now: float) -> tuple[Specialist, str]:
    """Create (or re-issue the token of) a specialist. Call inside a transaction. Returns the token."""
    if not ID_RE.match(specialist_id):
        raise DomainError("bad_request", f"bad specialist id {specialist_id!r}",
                          "Mã chuyên viên chỉ gồm chữ thường không dấu, số, '.', '_' và '-'.")
    if not agency.strip() or not name.strip():
        raise DomainError("bad_request", "agency and name required", "Cần tên cơ quan và họ tên chuyên viên.")
    token = secrets.token_urlsafe(32)
    db.execute("INSERT INTO specialists(id, site_id, agency, name, token_hash, created_at) VALUES(?,?,?,?,?,?) "
               "ON CONFLICT(id) DO UPDATE SET site_id=excluded.site_id, agency=excluded.agency, "
               "name=excluded.name, token_hash=excluded.token_hash",
               [specialist_id, site_id, agency.strip(), name.strip(), _hash(token), now])
    return Specialist(specialist_id, site_id, agency.strip(), name.strip()), token


def by_token(db: sqlite_utils.Database, token: str) -> Specialist | None:
    row = db.execute("SELECT id, site_id, agency, name FROM specialists WHERE token_hash = ?",
                     [_hash(token)]).fetchone()
    return Specialist(*row) if row else None
