"""Public look-ups and online bookings under many addresses (issue #21). A per-address limit is no limit
for someone who rotates addresses, so two limits hold per *object*:

- per dossier code: after LOOKUP_CCCD_OFF_AFTER wrong keys in an hour only the receipt's full lookup key
  opens it (the CCCD's last 4 digits are 10,000 guesses; the key is 31^6); after LOOKUP_LOCK_AFTER the
  code is locked for public look-up for LOOKUP_LOCK_S (the citizen asks at the counter, which is not
  affected) and the office sees an alert. Any code string is counted and locked alike, so a lock does not
  tell that a code exists; only a real dossier's lock raises an alert.
- per site: at most the booking policy's `web_per_minute` new online bookings a minute (default
  SITE_BOOKINGS_PER_MINUTE); past it a booking is refused
  (429) and the office sees a `booking_burst` alert, which an administrator releases — cancelling the
  burst's bookings (their seats are free again) or keeping them (`motcua hub security release`).
"""

from __future__ import annotations

import math

import sqlite_utils

from hub.domain import appointments as rules
from hub.ops.context import Ctx
from hub.store import appointments as appt_store
from hub.store import security as store
from motcua_core.errors import DomainError

LOOKUP_WINDOW_S = 3600.0
LOOKUP_CCCD_OFF_AFTER = 5
LOOKUP_LOCK_AFTER = 20
LOOKUP_LOCK_S = 24 * 3600.0
SITE_BOOKINGS_PER_MINUTE = rules.BookingPolicy().web_per_minute  # the default; each site's policy sets its own
BURST_WINDOW_S = 60.0
LOOKUP_LOCKED, BOOKING_BURST = "lookup_locked", "booking_burst"
ANY_SITE = ""  # a lock on a code no dossier has: counted like the others, shown to nobody


def lookup_state(db: sqlite_utils.Database, code: str, now: float) -> tuple[bool, bool]:
    """(locked, the CCCD's last digits still accepted) for a public look-up of `code`."""
    if store.in_force(db, LOOKUP_LOCKED, code, now):
        return True, False
    return False, store.lookup_failures(db, code, now, LOOKUP_WINDOW_S) < LOOKUP_CCCD_OFF_AFTER


def locked_error() -> DomainError:
    return DomainError("locked", "This dossier code is locked for online lookup after too many wrong keys. "
                       "Please ask at the one-stop office.",
                       "Mã hồ sơ này tạm khóa tra cứu trực tuyến do nhập sai mã tra cứu nhiều lần. "
                       "Xin liên hệ Bộ phận một cửa.")


def lookup_failed(db: sqlite_utils.Database, code: str, site_id: str | None, now: float) -> None:
    """Count a wrong key for `code` (inside a transaction); the one that reaches the cap locks the code."""
    n = store.lookup_failure(db, code, now, LOOKUP_WINDOW_S)
    if n >= LOOKUP_LOCK_AFTER and not lookup_state(db, code, now)[0]:
        store.raise_alert(db, site_id or ANY_SITE, LOOKUP_LOCKED, code, now - LOOKUP_WINDOW_S, now,
                          now + LOOKUP_LOCK_S, n)


def check_booking_rate(ctx: Ctx) -> None:
    """Refuse an online booking past the site's ceiling; the refusal opens (or counts into) the alert."""
    since = ctx.now - BURST_WINDOW_S
    ceiling = appt_store.get_policy(ctx.db, ctx.site.id).web_per_minute
    if store.web_bookings_in(ctx.db, ctx.site.id, since) < ceiling:
        return
    db, site_id, now = ctx.db, ctx.site.id, ctx.now

    def keep() -> None:
        alert = store.open_alert(db, site_id, BOOKING_BURST, "", now)
        if alert is None:
            store.raise_alert(db, site_id, BOOKING_BURST, "", since, now, None, 1)
        else:
            store.bump(db, alert.id, now)

    wait = math.ceil(BURST_WINDOW_S)
    raise DomainError("rate_limited", "The office is receiving too many online bookings right now. Please try "
                      "again in a minute, or call the office to book.",
                      "Bộ phận một cửa đang nhận quá nhiều lượt đặt lịch trực tuyến. Xin thử lại sau "
                      f"{wait} giây, hoặc gọi điện để được đặt lịch giúp.", keep=keep)


def alerts(db: sqlite_utils.Database, site_id: str | None, now: float) -> list[dict]:
    """The alerts in force, as the office reads them (a burst lists the bookings it would cancel)."""
    out = []
    for a in store.active(db, site_id, now):
        if a.site_id == ANY_SITE:
            continue
        d = a.public()
        if a.kind == LOOKUP_LOCKED:
            d["text_vi"] = (f"Hồ sơ {a.subject}: nhập sai mã tra cứu {a.count} lần trong một giờ; đã tạm khóa "
                            "tra cứu trực tuyến.")
            d["text_en"] = (f"Dossier {a.subject}: {a.count} wrong lookup keys within an hour; online lookup "
                            "is locked.")
        else:
            d["bookings"] = [c for c, _at in store.web_bookings_since(db, a.site_id, a.since)]
            d["text_vi"] = (f"Có quá nhiều lượt đặt lịch trực tuyến ({len(d['bookings'])} lịch; {a.count} lượt "
                            "bị từ chối). Quản trị viên xem xét và giải phóng (motcua hub security release).")
            d["text_en"] = (f"A burst of online bookings ({len(d['bookings'])} booked; {a.count} refused). An "
                            "administrator reviews and releases it (motcua hub security release).")
        out.append(d)
    return out


def release(ctx: Ctx, alert_id: int, cancel_bookings: bool) -> dict:
    """An administrator ends an alert: a locked code opens again; a burst's online bookings are cancelled
    (their seats free again) unless `cancel_bookings` is False."""
    a = store.get(ctx.db, alert_id)
    if a is None or a.released_at is not None or a.site_id != ctx.site.id:
        raise DomainError("not_found", "no such alert in force", "Không có cảnh báo này (hoặc đã được xử lý).")
    cancelled = []
    if a.kind == BOOKING_BURST and cancel_bookings:
        for code, _at in store.web_bookings_since(ctx.db, a.site_id, a.since):
            appt = appt_store.by_code(ctx.db, a.site_id, code)
            if appt is not None:
                appt_store.update(ctx.db, appt, ctx.now, status=rules.CANCELLED)
                cancelled.append(code)
    who = ctx.actor.who if ctx.actor else "?"
    store.release(ctx.db, alert_id, ctx.now, who)
    ctx.changed("security.release", str(alert_id), a.public(), {"cancelled": cancelled})
    return {"released": alert_id, "kind": a.kind, "cancelled": cancelled}
