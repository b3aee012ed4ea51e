"""Rating a dossier's handling (Decree 118/2025 Art. 31, 33): at the centre's tablet after the result was
handed over (the ticket links the dossier), or on the phone page of the receipt's QR (the lookup key)."""

from __future__ import annotations

from hub.domain import dossier_ratings as rules
from hub.ops.context import Ctx
from hub.store import dossier_ratings as store
from hub.store import dossiers as dossier_store
from hub.store import tickets as ticket_store
from motcua_core.dossier_codes import normalise
from motcua_core.errors import DomainError


def _save(ctx: Ctx, code: str, channel: str, data: dict, device_id: str | None) -> dict:
    row = dossier_store.get(ctx.db, code)
    if row is None or row["site_id"] != ctx.site.id:
        raise DomainError("not_found", "There is no dossier with this code.", "Không tìm thấy hồ sơ có mã này.")
    answers, overall, comment = rules.check(data.get("answers"), data.get("overall"), data.get("comment"))
    existing = store.get(ctx.db, code)
    if existing is not None:
        return {"rating": existing, "already": True}
    store.insert(ctx.db, site_id=ctx.site.id, code=code, channel=channel, answers=answers, overall=overall,
                 comment=comment, agency=row["agency"], device_id=device_id, at=ctx.now)
    ctx.changed("dossier.rate", code, after={"channel": channel, "overall": overall})
    return {"rating": store.get(ctx.db, code)}


def rate_at_tablet(ctx: Ctx, data: dict) -> dict:
    """`dossier.rate` from a voting tablet: the dossier returned to the citizen of the ticket just served
    at this tablet's counter."""
    if ctx.device is None or ctx.device.counter is None:
        raise DomainError("forbidden", "this device is not bound to a counter", "Thiết bị chưa gắn với quầy nào.")
    t = ticket_store.get(ctx.db, data["ticket_id"], ctx.site.id)
    if not any(e["kind"] == "complete" and e["counter"] == ctx.device.counter for e in ticket_store.events(ctx.db, t.id)):
        raise DomainError("not_found", f"ticket {t.number} was not completed at counter {ctx.device.counter}",
                          f"Số {t.number} chưa được phục vụ xong tại quầy này.")
    found = store.code_for_ticket(ctx.db, ctx.site.id, t.id)
    if found is None:
        raise DomainError("not_found", "No dossier was returned to this ticket.",
                          "Không có hồ sơ nào được trả cho số thứ tự này.")
    return _save(ctx, found[0], "tablet", data, ctx.device.id)


def rate_on_phone(ctx: Ctx, code: str, data: dict) -> dict:
    """From the phone page (the caller checked the lookup key)."""
    return _save(ctx, normalise(code), "phone", data, None)


def vote_block(ctx: Ctx, ticket_id: int) -> dict | None:
    """What `vote.open` carries for a ticket to which a dossier was returned: its code, procedure and the
    questions of Art. 33(1); None when no dossier, or when it was already rated."""
    found = store.code_for_ticket(ctx.db, ctx.site.id, ticket_id)
    if found is None or store.get(ctx.db, found[0]) is not None:
        return None
    return {"code": found[0], "procedure": found[1], **rules.questions()}
