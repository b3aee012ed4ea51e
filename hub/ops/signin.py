"""Officer sign-in at a counter (counter.login / counter.logout) and the token every officer action needs.

The session binds one officer to one counter: signing in elsewhere signs the officer out of the
previous counter, and signing in at a counter someone else holds is a takeover (the answer says whose).
A sign-in returns a token (valid SESSION_TTL_S, a working day); `counter.open` and every other officer
action must carry it, so a counter device cannot act for an officer who did not type their PIN there.
Wrong credentials get one message whatever was wrong, so the terminal never reveals which usernames
exist; failures lock the (officer, counter) pair, the counter, and only after many the officer
(hub.domain.lockout), each lock longer than the last.
"""

from __future__ import annotations

import math

from hub.domain import lockout
from hub.ops import queue
from hub.ops.context import Ctx
from hub.store import officers as officer_store
from hub.store import signin as signin_store
from hub.store import sites as site_store
from motcua_core.errors import DomainError

BAD_LOGIN = "The username or PIN is wrong."
BAD_LOGIN_VI = "Tên đăng nhập hoặc mã PIN không đúng."
SESSION_TTL_S = 12 * 3600.0
SIGNIN_REQUIRED = "Your sign-in has expired or is not valid. Please sign in again."
SIGNIN_REQUIRED_VI = "Phiên đăng nhập đã hết hạn hoặc không hợp lệ. Vui lòng đăng nhập lại."


def login(ctx: Ctx, username: str | None = None, pin: str | None = None, badge: str | None = None) -> dict:
    counter = queue._counter(ctx)
    assert ctx.device is not None
    device_id = ctx.device.id
    if badge is not None and (username is not None or pin is not None):
        raise DomainError("bad_request", "Scan your badge or type your username and PIN.",
                          "Quét thẻ hoặc nhập tên và mã PIN.")
    if badge is None and (not username or not pin):
        raise DomainError("bad_request", "Type your username and PIN.", "Nhập tên đăng nhập và mã PIN.")
    _check_lock(ctx, lockout.scopes(None, device_id))  # a locked counter may not even try
    if badge is not None:
        officer = officer_store.by_badge(ctx.db, ctx.site.id, badge)
        if officer is None:
            _fail(ctx, None, device_id, "auth_failed", "This badge is not valid or not registered.",
                  "Thẻ không hợp lệ hoặc chưa được đăng ký.")
        assert officer is not None
        _check_lock(ctx, lockout.scopes(officer.id, device_id))
    else:
        assert username is not None and pin is not None
        officer = officer_store.by_username(ctx.db, ctx.site.id, username)
        if officer is None:
            _fail(ctx, None, device_id, "auth_failed", BAD_LOGIN, BAD_LOGIN_VI)
        assert officer is not None
        _check_lock(ctx, lockout.scopes(officer.id, device_id))
        if not officer_store.check_pin(pin, officer.pin_hash):
            _fail(ctx, officer.id, device_id, "auth_failed", BAD_LOGIN, BAD_LOGIN_VI)
        if officer_store.needs_rehash(officer.pin_hash):
            officer_store.rehash_pin(ctx.db, ctx.site.id, officer.id, pin)
    signin_store.clear_failures(ctx.db, ctx.site.id, list(lockout.scopes(officer.id, device_id).values()))
    took_over = counter.officer if counter.officer not in (None, officer.id) else None
    # One officer, one counter: leave any other counter this officer was signed in at.
    for other in site_store.list_counters(ctx.db, ctx.site.id):
        if other.officer == officer.id and other.number != counter.number:
            status = other.status if other.current_ticket is not None else "closed"
            site_store.update_counter(ctx.db, ctx.site.id, other.number, officer=None, status=status)
    site_store.update_counter(ctx.db, ctx.site.id, counter.number, officer=officer.id)
    token = signin_store.open_session(ctx.db, ctx.site.id, officer.id, device_id, ctx.now, SESSION_TTL_S)
    ctx.effects.display_sites.add(ctx.site.id)
    state = queue.counter_state(ctx)
    state["officer"] = {"id": officer.id, "name": officer.name, "username": officer.username}
    state["took_over_from"] = took_over and {
        "id": took_over, "name": site_store.officer_name(ctx.db, ctx.site.id, took_over)}
    state["token"] = token
    state["token_expires_at"] = ctx.now + SESSION_TTL_S
    return state


def _fail(ctx: Ctx, officer_id: str | None, device_id: str, code: str, message: str, message_vi: str) -> None:
    """Refuse a sign-in; the failure is counted (kept after the rollback) in every scope it belongs to,
    and the failure that locks a scope says so."""
    updates = []
    for kind, scope in lockout.scopes(officer_id, device_id).items():
        failures, lockouts, _ = signin_store.failures(ctx.db, ctx.site.id, scope)
        updates.append((kind, scope, *lockout.after_failure(kind, failures, lockouts, ctx.now)))

    def keep() -> None:
        for _, scope, failures, lockouts, until in updates:
            signin_store.set_failures(ctx.db, ctx.site.id, scope, failures, lockouts, until)

    locks = [(until, kind) for kind, _, _, _, until in updates if until is not None]
    if locks:
        until, kind = max(locks)
        minutes = max(1, math.ceil((until - ctx.now) / 60))
        who, who_en = _locked_who(kind)
        raise DomainError("locked", f"Too many wrong sign-ins. {who_en} is locked for {_minutes(minutes)}.",
                          f"Đăng nhập sai quá nhiều lần. {who} bị khóa {minutes} phút.", keep=keep)
    raise DomainError(code, message, message_vi, keep=keep)


def _check_lock(ctx: Ctx, scopes: dict[str, str]) -> None:
    for kind, scope in scopes.items():
        _, _, until = signin_store.failures(ctx.db, ctx.site.id, scope)
        if until is not None and until > ctx.now:
            minutes = max(1, math.ceil((until - ctx.now) / 60))
            who, who_en = _locked_who(kind)
            raise DomainError("locked", f"{who_en} is locked after too many wrong sign-ins. "
                              f"Try again in {_minutes(minutes)}.",
                              f"{who} đang bị khóa do đăng nhập sai nhiều lần. Thử lại sau {minutes} phút.")


def _locked_who(kind: str) -> tuple[str, str]:
    """What a lock-out locks, as the officer reads it: (Vietnamese, English)."""
    return ("Quầy này", "This counter") if kind == "device" else ("Tài khoản", "The account")


def _minutes(n: int) -> str:
    return "1 minute" if n == 1 else f"{n} minutes"


def require(ctx: Ctx, token: str | None) -> str:
    """The officer signed in at this counter with `token`; refuse (signin_required) otherwise."""
    counter = queue._counter(ctx)
    assert ctx.device is not None
    session = signin_store.get_session(ctx.db, ctx.site.id, token) if isinstance(token, str) and token else None
    if session is None or session.device_id != ctx.device.id or session.expires_at <= ctx.now \
            or counter.officer != session.officer_id:
        raise DomainError("signin_required", SIGNIN_REQUIRED, SIGNIN_REQUIRED_VI)
    return session.officer_id


def logout(ctx: Ctx) -> dict:
    """Sign out; a ticket being served must be finished, skipped, held or transferred first."""
    counter = queue._counter(ctx)
    if counter.current_ticket is not None:
        raise DomainError("conflict", "Finish, skip or hold the number being served before signing out.",
                          "Hãy hoàn thành, bỏ qua hoặc tạm giữ số đang phục vụ trước khi đăng xuất.")
    assert ctx.device is not None
    signin_store.end_sessions(ctx.db, ctx.site.id, device_id=ctx.device.id)
    site_store.update_counter(ctx.db, ctx.site.id, counter.number, officer=None, status="closed")
    ctx.effects.display_sites.add(ctx.site.id)
    return queue.counter_state(ctx)
