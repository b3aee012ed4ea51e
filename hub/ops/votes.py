"""Votes: opening a vote on a counter's tablet when a ticket is completed, and storing the answer."""

from __future__ import annotations

import json

from hub.domain import votes as rules
from hub.ops.context import Ctx
from hub.store import devices as device_store
from hub.store import sites as site_store
from hub.store import tickets as ticket_store
from hub.store import votes as vote_store
from hub.store.db import get_meta
from hub.store.tickets import Ticket
from motcua_core.errors import DomainError


def questions(ctx: Ctx) -> list[dict]:
    raw = get_meta(ctx.db, f"vote_questions:{ctx.site.id}", None)
    return json.loads(raw) if raw else rules.DEFAULT_QUESTIONS


def open_vote(ctx: Ctx, t: Ticket, counter_number: int, officer: str | None) -> None:
    """Queue a `vote.open` command for every voting tablet of that counter (sent after commit)."""
    tablets = device_store.active_at_counter(ctx.db, ctx.site.id, "voting", counter_number)
    if not tablets:
        return
    service = site_store.get_service(ctx.db, ctx.site.id, t.service, retired=True)
    cmd = {"cmd": "vote.open", "ticket_id": t.id, "ticket": t.number, "service": t.service,
           "service_name": service.name, "service_name_en": service.name_en, "counter": counter_number,
           "officer_name": site_store.officer_name(ctx.db, ctx.site.id, officer),
           "questions": questions(ctx), "timeout_s": rules.VOTE_TIMEOUT_S, "at": ctx.now}
    from hub.ops import dossier_ratings

    dossier = dossier_ratings.vote_block(ctx, t.id)  # a dossier returned to this citizen: rate its handling too
    if dossier is not None:
        cmd["dossier"] = dossier
    for d in tablets:
        ctx.effects.commands.append((d.id, cmd))


def submit(ctx: Ctx, data: dict) -> dict:
    """Store one vote for a ticket served at this tablet's counter; a second vote is not counted."""
    if ctx.device is None or ctx.device.counter is None:
        raise DomainError("forbidden", "this device is not bound to a counter", "Thiết bị chưa gắn với quầy nào.")
    t = ticket_store.get(ctx.db, data["ticket_id"], ctx.site.id)
    completions = [e for e in ticket_store.events(ctx.db, t.id)
                   if e["kind"] == "complete" and e["counter"] == ctx.device.counter]
    if not completions:
        raise DomainError("not_found", f"ticket {t.number} was not completed at counter {ctx.device.counter}",
                          f"Số {t.number} chưa được phục vụ xong tại quầy này.")
    existing = vote_store.get(ctx.db, t.id)
    if existing is not None:
        return {"vote": existing, "already": True}
    rating, reasons, answers = rules.check_vote(data["rating"], data.get("reasons") or [], data.get("answers"),
                                                data.get("comment"), questions(ctx))
    vote_store.insert(ctx.db, site_id=ctx.site.id, ticket_id=t.id, counter=ctx.device.counter,
                      officer=completions[-1].get("officer") or t.officer, service=t.service, rating=rating,
                      reasons=reasons, answers=answers, comment=data.get("comment"), device_id=ctx.device.id,
                      at=ctx.now)
    return {"vote": vote_store.get(ctx.db, t.id)}
