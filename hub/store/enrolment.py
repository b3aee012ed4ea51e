"""Enrolment codes and the fleet's own columns beside the device registry (issue #14).

A device added for enrolment is *pending*: it has no broker account (hub.app.broker_accounts leaves it
out), so whatever secret a previous board held stops working when the broker reloads. The code is kept
only as a SHA-256 hash (40 random bits, throttled: a fast hash is enough), is single-use and expires.
"""

from __future__ import annotations

import json

import sqlite_utils

from motcua_core import enrol_code
from motcua_core.errors import DomainError

FAILURE_WINDOW_S = 600.0
MAX_FAILURES_PER_ADDR = 5
MAX_FAILURES_ALL = 50  # across every address: a distributed guesser is slowed down too
# ...but only addresses that have guessed wrong themselves: past the overall cap an address gets one try,
# so wrong codes from ten addresses cannot keep the technician's real code out from a fresh one.


def new_code(db: sqlite_utils.Database, device_id: str, now: float, valid_s: float) -> str:
    """Give a device a fresh code (any earlier one stops working); returns the plaintext once."""
    while True:
        code = enrol_code.new_code()
        h = enrol_code.code_hash(code)
        if db.execute("SELECT 1 FROM enrolments WHERE code_hash = ?", [h]).fetchone() is None:
            break
    db.execute("INSERT INTO enrolments(device_id, code_hash, created_at, expires_at) VALUES (?,?,?,?) "
               "ON CONFLICT(device_id) DO UPDATE SET code_hash = excluded.code_hash, "
               "created_at = excluded.created_at, expires_at = excluded.expires_at, used_at = NULL, used_by = NULL",
               [device_id, h, now, now + valid_s])
    return code


def pending_ids(db: sqlite_utils.Database) -> set[str]:
    return {r[0] for r in db.execute("SELECT device_id FROM enrolments WHERE used_at IS NULL")}


def is_pending(db: sqlite_utils.Database, device_id: str) -> bool:
    return db.execute("SELECT 1 FROM enrolments WHERE device_id = ? AND used_at IS NULL",
                      [device_id]).fetchone() is not None


def throttled(db: sqlite_utils.Database, addr: str, now: float) -> bool:
    """True when `addr` may not try a code now: it failed MAX_FAILURES_PER_ADDR times in the window, or it
    failed at all while the failures of every address together reached MAX_FAILURES_ALL. An address that
    has not failed is never held back by the others."""
    since = now - FAILURE_WINDOW_S
    mine = db.execute("SELECT COUNT(*) FROM enrol_failures WHERE addr = ? AND at > ?", [addr, since]).fetchone()[0]
    if mine == 0:
        return False
    total = db.execute("SELECT COUNT(*) FROM enrol_failures WHERE at > ?", [since]).fetchone()[0]
    return mine >= MAX_FAILURES_PER_ADDR or total >= MAX_FAILURES_ALL


def record_failure(db: sqlite_utils.Database, addr: str, now: float) -> None:
    db.execute("DELETE FROM enrol_failures WHERE at < ?", [now - FAILURE_WINDOW_S])
    db.execute("INSERT INTO enrol_failures(addr, at) VALUES (?, ?)", [addr, now])


def consume(db: sqlite_utils.Database, code: str, addr: str, now: float) -> str:
    """The device id a valid, unused, unexpired code is for, marking it used. A refusal is a DomainError
    whose `keep` records the failure (kept although the operation is refused)."""
    def refuse(message: str, message_vi: str, count: bool = True) -> DomainError:
        exc = DomainError("auth_failed" if count else "conflict", message, message_vi)
        if count:
            exc.keep = lambda: record_failure(db, addr, now)
        return exc

    if throttled(db, addr, now):
        raise DomainError("rate_limited", "too many wrong enrolment codes; wait ten minutes",
                          "Nhập sai mã quá nhiều lần. Vui lòng chờ 10 phút rồi thử lại.")
    if not enrol_code.looks_valid(code):
        raise refuse("an enrolment code is 8 letters and digits (ABCD-EFGH)",
                     "Mã đăng ký gồm 8 chữ và số (dạng ABCD-EFGH). Vui lòng kiểm tra lại.")
    row = db.execute("SELECT device_id, expires_at, used_at FROM enrolments WHERE code_hash = ?",
                     [enrol_code.code_hash(code)]).fetchone()
    if row is None:
        raise refuse("unknown enrolment code", "Mã đăng ký không đúng. Vui lòng kiểm tra lại.")
    device_id, expires_at, used_at = row
    if used_at is not None:
        raise refuse("this enrolment code was already used; ask for a new one (device replace)",
                     "Mã đăng ký này đã được dùng. Hãy xin mã mới trên máy chủ.", count=False)
    if now > expires_at:
        raise refuse("this enrolment code has expired; ask for a new one",
                     "Mã đăng ký đã hết hạn. Hãy xin mã mới trên máy chủ.", count=False)
    db.execute("UPDATE enrolments SET used_at = ?, used_by = ? WHERE device_id = ?", [now, addr, device_id])
    set_address(db, device_id, addr)
    return device_id


def set_address(db: sqlite_utils.Database, device_id: str, addr: str) -> None:
    db.execute("INSERT INTO device_fleet(device_id, address) VALUES (?, ?) "
               "ON CONFLICT(device_id) DO UPDATE SET address = excluded.address", [device_id, addr])


def set_selftest(db: sqlite_utils.Database, device_id: str, result: dict, now: float) -> None:
    db.execute("INSERT INTO device_fleet(device_id, selftest, selftest_at) VALUES (?, ?, ?) "
               "ON CONFLICT(device_id) DO UPDATE SET selftest = excluded.selftest, selftest_at = excluded.selftest_at",
               [device_id, json.dumps(result, ensure_ascii=False), now])


def fleet_extras(db: sqlite_utils.Database) -> dict[str, dict]:
    """Per device: since when its status holds, its address, the last self-test, enrolment state."""
    out: dict[str, dict] = {}
    for dev, since, addr, st, st_at in db.execute(
            "SELECT device_id, status_since, address, selftest, selftest_at FROM device_fleet"):
        out[dev] = {"status_since": since, "address": addr, "selftest": json.loads(st) if st else None,
                    "selftest_at": st_at}
    for dev, expires_at in db.execute("SELECT device_id, expires_at FROM enrolments WHERE used_at IS NULL"):
        out.setdefault(dev, {})["enrol_expires_at"] = expires_at
    return out
