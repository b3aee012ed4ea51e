"""The device registry: identity, role, site, hashed secret, and last known presence and health."""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from hub.broker.passwd import hash_secret, new_secret
from hub.store import memo
from hub.store.db import get_meta, set_meta
from motcua_core.errors import DomainError
from motcua_core.protocol import ID_RE, ROLES


@dataclass(frozen=True)
class Device:
    id: str
    site_id: str
    role: str
    name: str
    secret_hash: str
    counter: int | None
    hardware: dict
    revoked: bool
    status: str
    version: str | None
    last_seen: float | None
    health: dict | None


_COLS = "id, site_id, role, name, secret_hash, counter, hardware, revoked_at, status, version, last_seen, health"


def _device(r: tuple) -> Device:
    return Device(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7] is not None, r[8], r[9], r[10],
                  json.loads(r[11]) if r[11] else None)


def get(db: sqlite_utils.Database, device_id: str) -> Device | None:
    """One device (from memory after the first read: every request looks its sender up; see memo)."""
    def load() -> Device | None:
        row = db.execute(f"SELECT {_COLS} FROM devices WHERE id = ?", [device_id]).fetchone()
        return _device(row) if row else None
    return memo.lookup(db, ("device", device_id), load)


def list_all(db: sqlite_utils.Database, site_id: str | None = None) -> list[Device]:
    if site_id is None:
        rows = db.execute(f"SELECT {_COLS} FROM devices ORDER BY id")
    else:
        rows = db.execute(f"SELECT {_COLS} FROM devices WHERE site_id = ? ORDER BY id", [site_id])
    return [_device(r) for r in rows]


def active_at_counter(db: sqlite_utils.Database, site_id: str, role: str, counter: int) -> list[Device]:
    """The unrevoked devices of `role` bound to one counter (its voting tablet, say; from memory, see memo)."""
    def load() -> tuple[Device, ...]:
        rows = db.execute(f"SELECT {_COLS} FROM devices WHERE site_id = ? AND role = ? AND counter = ? "
                          "AND revoked_at IS NULL ORDER BY id", [site_id, role, counter])
        return tuple(_device(r) for r in rows)
    return list(memo.lookup(db, ("at_counter", site_id, role, counter), load))


def revision(db: sqlite_utils.Database) -> int:
    """Bumped on every registry change; the hub polls it to rewrite the broker's password and ACL files."""
    return int(get_meta(db, "devices_rev", "0") or 0)


def bump_revision(db: sqlite_utils.Database) -> None:
    """Tell a running hub to re-send accounts and device configs (after a device or site change)."""
    set_meta(db, "devices_rev", str(revision(db) + 1))
    memo.forget(db)


def _next_id(db: sqlite_utils.Database, site_id: str, role: str) -> str:
    n = db.execute("SELECT COUNT(*) FROM devices WHERE site_id = ? AND role = ?", [site_id, role]).fetchone()[0]
    while True:
        n += 1
        candidate = f"{site_id}-{role}-{n:02d}"[:40]
        if get(db, candidate) is None:
            return candidate


def add(db: sqlite_utils.Database, *, site_id: str, role: str, now: float, device_id: str | None = None,
        name: str = "", counter: int | None = None, hardware: dict | None = None) -> tuple[Device, str]:
    """Register a device; returns it with its one-time plaintext secret (only the hash is stored)."""
    if role not in ROLES:
        raise DomainError("bad_request", f"role must be one of {', '.join(ROLES)}")
    if db.execute("SELECT 1 FROM sites WHERE id = ?", [site_id]).fetchone() is None:
        raise DomainError("not_found", f"unknown site {site_id!r}")
    if role in ("counter", "voting") and counter is None:
        raise DomainError("bad_request", f"a {role} device needs --counter")
    if counter is not None and db.execute(
        "SELECT 1 FROM counters WHERE site_id = ? AND number = ? AND active = 1", [site_id, counter]
    ).fetchone() is None:
        raise DomainError("not_found", f"site {site_id} has no counter {counter}")
    device_id = device_id or _next_id(db, site_id, role)
    if not ID_RE.match(device_id):
        raise DomainError("bad_request", f"device id {device_id!r}: lower-case letters, digits and '-', max 40")
    if get(db, device_id) is not None:
        raise DomainError("conflict", f"device {device_id!r} already exists")
    secret = new_secret()
    db.execute(
        """INSERT INTO devices(id, site_id, role, name, secret_hash, counter, hardware, created_at)
           VALUES(?,?,?,?,?,?,?,?)""",
        [device_id, site_id, role, name, hash_secret(secret), counter, json.dumps(hardware or {}), now],
    )
    bump_revision(db)
    dev = get(db, device_id)
    assert dev is not None
    return dev, secret


def rotate_secret(db: sqlite_utils.Database, device_id: str) -> str:
    """A new secret for a replaced or compromised device; the old one stops working at the next reload."""
    if get(db, device_id) is None:
        raise DomainError("not_found", f"unknown device {device_id!r}")
    secret = new_secret()
    db.execute("UPDATE devices SET secret_hash = ?, revoked_at = NULL WHERE id = ?", [hash_secret(secret), device_id])
    bump_revision(db)
    return secret


def revoke(db: sqlite_utils.Database, device_id: str, now: float) -> None:
    if get(db, device_id) is None:
        raise DomainError("not_found", f"unknown device {device_id!r}")
    db.execute("UPDATE devices SET revoked_at = ? WHERE id = ?", [now, device_id])
    bump_revision(db)


def record_status(db: sqlite_utils.Database, device_id: str, status: str, version: str | None, now: float) -> None:
    db.execute("UPDATE devices SET status = ?, version = COALESCE(?, version), last_seen = ? WHERE id = ?",
               [status, version, now, device_id])
    memo.forget(db, ("device", device_id))


def record_health(db: sqlite_utils.Database, device_id: str, health: dict, now: float) -> None:
    db.execute("UPDATE devices SET health = ?, last_seen = ? WHERE id = ?",
               [json.dumps(health, ensure_ascii=False), now, device_id])
    memo.forget(db, ("device", device_id))


def set_hardware(db: sqlite_utils.Database, device_id: str, hardware: dict) -> None:
    """Store a device's hardware map (issue #14: validated by the caller); the hub re-sends its config."""
    db.execute("UPDATE devices SET hardware = ? WHERE id = ?", [json.dumps(hardware, ensure_ascii=False), device_id])
    bump_revision(db)
