"""Sign-in lock-out rules (pure): how many wrong attempts each scope allows, and for how long it locks.

Three scopes count failures: the (officer, device) pair, the device, and the officer. The pair locks
first (5 wrong PINs at one counter lock that officer at that counter); a device that keeps failing,
whatever officer it tries, locks itself; the officer alone locks only after many failures from several
counters. So one hostile counter locks itself, never every officer, and each lock-out of the same scope
lasts twice as long as the one before (backoff), up to an hour.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    failures: int  # wrong attempts that lock the scope
    first_lock_s: float
    max_lock_s: float = 3600.0


LIMITS = {
    "pair": Limit(5, 300.0),
    "device": Limit(10, 60.0),
    "officer": Limit(20, 300.0),
}


def scopes(officer_id: str | None, device_id: str) -> dict[str, str]:
    """The scope keys a sign-in attempt counts against (no officer: an unknown username or badge)."""
    out = {"device": f"device:{device_id}"}
    if officer_id is not None:
        out["pair"] = f"pair:{officer_id}:{device_id}"
        out["officer"] = f"officer:{officer_id}"
    return out


def after_failure(kind: str, failures: int, lockouts: int, now: float) -> tuple[int, int, float | None]:
    """The scope's (failures, lockouts, locked_until) after one more wrong attempt."""
    limit = LIMITS[kind]
    failures += 1
    if failures < limit.failures:
        return failures, lockouts, None
    lock_s = min(limit.first_lock_s * 2 ** lockouts, limit.max_lock_s)
    return 0, lockouts + 1, now + lock_s


# --- console sign-in (/login) --------------------------------------------------------------------------
# Counted per (account name, client address), so a stranger who types wrong passwords for `quantri` locks
# only themselves; per address, so one address trying many names stops too; and per account across every
# address except the hub machine's own (127.0.0.1, ::1), so many addresses together are bounded while
# the administrator at the hub machine can always sign in. An unknown name is counted like a known one:
# the answers (and the work done) are the same, so they do not tell which accounts exist.
CONSOLE_PAIR_FREE = 5  # wrong passwords for one name from one address before the first lock
CONSOLE_PAIR_BASE_S = 30.0
LIMITS["console_addr"] = Limit(20, 60.0)
LIMITS["console_account"] = Limit(50, 300.0)
HUB_MACHINE = ("127.0.0.1", "::1")


def console_scopes(username: str, addr: str) -> dict[str, str]:
    out = {"console_pair": f"console:{username}@{addr}", "console_addr": f"console-addr:{addr}"}
    if addr not in HUB_MACHINE:
        out["console_account"] = f"console-account:{username}"
    return out


def console_after_failure(kind: str, failures: int, lockouts: int, now: float) -> tuple[int, int, float | None]:
    """A console scope's (failures, lockouts, locked_until) after one more wrong password. The pair locks
    at the 5th failure for 30 s, and each further failure doubles it (up to an hour); the address and
    account scopes follow `after_failure`."""
    if kind != "console_pair":
        return after_failure(kind, failures, lockouts, now)
    failures += 1
    if failures < CONSOLE_PAIR_FREE:
        return failures, lockouts, None
    lock_s = min(CONSOLE_PAIR_BASE_S * 2 ** (failures - CONSOLE_PAIR_FREE), LIMITS["pair"].max_lock_s)
    return failures, lockouts + 1, now + lock_s
