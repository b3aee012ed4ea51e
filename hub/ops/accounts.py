"""Console accounts as operations: create, sign in and out, change and reset a password, deactivate.

The slow password hash (hub.domain.passwords) is computed by the caller outside the transaction (the
web edge runs it in a worker thread), so a sign-in never holds the write lock for tens of milliseconds;
these operations receive its verdict or the new hash. A wrong password counts even though the sign-in
is refused (DomainError.keep), and its lockout grows with each further failure; the lock-out is per
(name, address) first, so a stranger cannot lock an administrator out (hub.domain.lockout)."""

from __future__ import annotations

import math

import sqlite_utils

from hub.domain import lockout
from hub.ops.context import Ctx
from hub.store import accounts as acc_store
from hub.store import audit
from hub.store import signin as signin_store
from motcua_core.errors import DomainError

WRONG = DomainError("auth_failed", "wrong user name or password", "Sai tên đăng nhập hoặc mật khẩu.")


CONSOLE_SITE = ""  # signin_failures rows of console sign-ins (accounts may have no site)


def check_lock(db: sqlite_utils.Database, username: str, addr: str, now: float) -> None:
    """Refuse a sign-in whose (name, address), address or account is locked: the same answer whether the
    name exists or not (hub.domain.lockout.console_scopes)."""
    until = max((signin_store.failures(db, CONSOLE_SITE, scope)[2] or 0.0
                 for scope in lockout.console_scopes(username, addr).values()), default=0.0)
    if until > now:
        minutes = max(1, math.ceil((until - now) / 60))
        raise DomainError("locked", "account locked after wrong passwords",
                          f"Tài khoản tạm khóa do nhập sai mật khẩu nhiều lần; thử lại sau {minutes} phút.")


def create(ctx: Ctx, *, username: str, role: str, site_id: str | None, agency: str | None, name: str,
           pw_hash: str, must_change: bool = True) -> dict:
    """A new account; `must_change`: its password was chosen by someone else, the user replaces it first."""
    acc_store.validate(username, role, site_id, agency, name)
    acc_store.insert(ctx.db, username=username, role=role, site_id=site_id, agency=agency, name=name,
                     pw_hash=pw_hash, now=ctx.now, must_change=must_change)
    after = acc_store.require(ctx.db, username).public()
    ctx.changed("account.create", username, None, after)
    return after


def sign_in(ctx: Ctx, username: str, password_ok: bool, addr: str) -> dict:
    """Open a session for `username` if the password was right; returns its cookie secret and CSRF token.
    A refusal counts against the (name, address), the address and the account (hub.domain.lockout), for
    an unknown name as for a known one; the counts stick although the operation is refused."""
    check_lock(ctx.db, username, addr, ctx.now)
    acc = acc_store.get(ctx.db, username)
    scopes = lockout.console_scopes(username, addr)
    if acc is None or not acc.active or not password_ok:
        updates = [(scope, *lockout.console_after_failure(kind, *signin_store.failures(ctx.db, CONSOLE_SITE, scope)[:2],
                                                          ctx.now)) for kind, scope in scopes.items()]

        def keep() -> None:  # runs after the rollback: the counts and their record must stick
            for scope, failures, lockouts, until in updates:
                signin_store.set_failures(ctx.db, CONSOLE_SITE, scope, failures, lockouts, until)
                if acc is not None and until is not None and scope == scopes.get("console_account"):
                    acc_store.update(ctx.db, username, ctx.now, locked_until=until)  # "locked" in the list
            if acc is not None:
                audit.append(ctx.db, at=ctx.now, site_id=acc.site_id, who=username, role=acc.role, via="console",
                             action="sign_in.failed", target=username,
                             after={"address": addr, "failures": updates[0][1],
                                    "locked_s": round(updates[0][3] - ctx.now) if updates[0][3] else 0})

        raise DomainError(WRONG.code, WRONG.message, WRONG.message_vi, keep=keep)
    signin_store.clear_failures(ctx.db, CONSOLE_SITE, [scopes["console_pair"]])
    acc_store.update(ctx.db, username, ctx.now, failed=0, locked_until=None)
    secret, csrf = acc_store.open_session(ctx.db, username, ctx.now)
    ctx.changed("sign_in", username)
    return {"session": secret, "csrf": csrf, "account": acc.public()}


def sign_out(ctx: Ctx, username: str, secret: str) -> None:
    acc_store.close_session(ctx.db, secret)
    ctx.changed("sign_out", username)


def change_password(ctx: Ctx, username: str, old_ok: bool, pw_hash: str, keep_session: str) -> None:
    """A user's own change: the old password must have been right; every other session ends."""
    if not old_ok:
        raise DomainError("auth_failed", "wrong current password", "Mật khẩu hiện tại không đúng.")
    acc_store.require(ctx.db, username)
    acc_store.update(ctx.db, username, ctx.now, pw_hash=pw_hash, must_change=0)
    acc_store.close_all(ctx.db, username, keep=keep_session)
    ctx.changed("password.change", username)


def reset_password(ctx: Ctx, username: str, pw_hash: str) -> dict:
    """An administrator's reset: the user must choose a new one at next sign-in; sessions end, lock lifts."""
    before = acc_store.require(ctx.db, username).public()
    acc_store.update(ctx.db, username, ctx.now, pw_hash=pw_hash, must_change=1, failed=0, locked_until=None)
    signin_store.clear_matching(ctx.db, CONSOLE_SITE, [f"console:{username}@%", f"console-account:{username}"])
    acc_store.close_all(ctx.db, username)
    after = acc_store.require(ctx.db, username).public()
    ctx.changed("password.reset", username, before, after)
    return after


def set_active(ctx: Ctx, username: str, active: bool) -> dict:
    before = acc_store.require(ctx.db, username).public()
    acc_store.update(ctx.db, username, ctx.now, active=int(active))
    if not active:
        acc_store.close_all(ctx.db, username)
    after = acc_store.require(ctx.db, username).public()
    ctx.changed("account.activate" if active else "account.deactivate", username, before, after)
    return after
