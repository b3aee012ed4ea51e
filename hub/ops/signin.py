"""Officer sign-in at a counter (counter.login / counter.logout).

The session binds one officer to one counter: signing in elsewhere signs the officer out of the
previous counter, and signing in at a counter someone else holds is a takeover (the answer says whose).
Wrong credentials get one message whatever was wrong, so the terminal never reveals which usernames
exist; five failures lock the account for five minutes.
"""

from __future__ import annotations

import math

from hub.ops import queue
from hub.ops.context import Ctx
from hub.store import officers as officer_store
from hub.store import sites as site_store
from motcua_core.errors import DomainError

BAD_LOGIN_VI = "Tên đăng nhập hoặc mã PIN không đúng."


def login(ctx: Ctx, username: str | None = None, pin: str | None = None, badge: str | None = None) -> dict:
    counter = queue._counter(ctx)
    if badge is not None and (username is not None or pin is not None):
        raise DomainError("bad_request", "give a badge, or a username and PIN", "Quét thẻ hoặc nhập tên và mã PIN.")
    if badge is not None:
        officer = officer_store.by_badge(ctx.db, ctx.site.id, badge)
        if officer is None:
            raise DomainError("auth_failed", "unknown badge", "Thẻ không hợp lệ hoặc chưa được đăng ký.")
        _check_lock(ctx, officer)
    else:
        if not username or not pin:
            raise DomainError("bad_request", "username and pin are required", "Nhập tên đăng nhập và mã PIN.")
        officer = officer_store.by_username(ctx.db, ctx.site.id, username)
        if officer is None:
            raise DomainError("auth_failed", "bad username or PIN", BAD_LOGIN_VI)
        _check_lock(ctx, officer)
        if not officer_store.check_pin(pin, officer.pin_hash):
            failures = officer.failed_logins + 1

            def keep(oid: str = officer.id) -> None:  # runs after the rollback: the count must stick
                officer_store.record_failure(ctx.db, ctx.site.id, oid, ctx.now)

            if failures >= officer_store.MAX_FAILURES:
                raise DomainError("locked", "too many wrong PINs",
                                  "Nhập sai mã PIN quá nhiều lần. Tài khoản bị khóa 5 phút.", keep=keep)
            raise DomainError("auth_failed", "bad username or PIN", BAD_LOGIN_VI, keep=keep)
    officer_store.record_success(ctx.db, ctx.site.id, officer.id)
    took_over = counter.officer if counter.officer not in (None, officer.id) else None
    # One officer, one counter: leave any other counter this officer was signed in at.
    for other in site_store.list_counters(ctx.db, ctx.site.id):
        if other.officer == officer.id and other.number != counter.number:
            status = other.status if other.current_ticket is not None else "closed"
            site_store.update_counter(ctx.db, ctx.site.id, other.number, officer=None, status=status)
    site_store.update_counter(ctx.db, ctx.site.id, counter.number, officer=officer.id)
    ctx.effects.display_sites.add(ctx.site.id)
    state = queue.counter_state(ctx)
    state["officer"] = {"id": officer.id, "name": officer.name, "username": officer.username}
    state["took_over_from"] = took_over and {
        "id": took_over, "name": site_store.officer_name(ctx.db, ctx.site.id, took_over)}
    return state


def _check_lock(ctx: Ctx, officer: officer_store.Officer) -> None:
    if officer.locked_until is not None and officer.locked_until > ctx.now:
        minutes = max(1, math.ceil((officer.locked_until - ctx.now) / 60))
        raise DomainError("locked", "account locked after wrong PINs",
                          f"Tài khoản đang bị khóa do nhập sai mã PIN. Thử lại sau {minutes} phút.")


def logout(ctx: Ctx) -> dict:
    """Sign out; a ticket being served must be finished, skipped, held or transferred first."""
    counter = queue._counter(ctx)
    if counter.current_ticket is not None:
        raise DomainError("conflict", "finish the current ticket before signing out",
                          "Hãy hoàn thành, bỏ qua hoặc tạm giữ số đang phục vụ trước khi đăng xuất.")
    site_store.update_counter(ctx.db, ctx.site.id, counter.number, officer=None, status="closed")
    ctx.effects.display_sites.add(ctx.site.id)
    return queue.counter_state(ctx)
