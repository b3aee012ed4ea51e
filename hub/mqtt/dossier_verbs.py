"""MQTT adapters of the dossier verbs (registered in hub.mqtt.verbs): they take the officer and the ticket
from the counter that asks, then call hub.ops.dossiers."""

from __future__ import annotations

from hub.ops import dossier_files, dossiers, forms, sync_route
from hub.ops.context import Ctx
from hub.store import catalogue as cat_store
from hub.store import sites as site_store
from motcua_core.errors import DomainError


def _counter_info(ctx: Ctx) -> tuple[int | None, str | None, str | None, int | None]:
    """(counter number, officer id, officer name, ticket being served)."""
    if ctx.device is None or ctx.device.counter is None:
        return None, None, None, None
    c = site_store.get_counter(ctx.db, ctx.site.id, ctx.device.counter)
    return c.number, c.officer, site_store.officer_name(ctx.db, ctx.site.id, c.officer), c.current_ticket


def intake(ctx: Ctx, d: dict) -> dict:
    number, officer, name, ticket = _counter_info(ctx)
    data = {k: v for k, v in d.items() if k not in ("ticket_id", "options")}
    options = d.get("options") or {}
    if options.get("on_spot") is False:
        data["on_spot"] = False
    if (d.get("options") or {}).get("outside_area") is True:  # applicant lives outside the office's area
        data["outside_area"] = True
    if options.get("channel") == "post":  # the papers came by public post (Decree 118/2025 Art. 15(2))
        data["channel"] = "post"
    if options.get("receipt_requested") is True:  # on the spot, but the citizen asks for a receipt
        data["receipt_requested"] = True
    if options.get("applies") is not None:  # conditional documents whose case applies to this citizen
        data["applies"] = options["applies"]
    if options.get("competent"):  # the competent agency, named from the province's directory
        data["competent"] = options["competent"]
    for key in ("scans", "reused"):  # scanned at the counter / already held as electronic data
        if options.get(key) is not None:
            data[key] = options[key]
    return dossiers.intake(ctx, data, officer=name or officer, counter=number,
                           ticket_id=d.get("ticket_id", ticket))


def refuse_intake(ctx: Ctx, d: dict) -> dict:
    number, officer, name, ticket = _counter_info(ctx)
    return dossiers.refuse_intake(ctx, d, officer_id=officer, officer=name or officer or f"Quầy {number}",
                                  counter=number, ticket_id=d.get("ticket_id", ticket))


def return_(ctx: Ctx, d: dict) -> dict:
    number, officer, name, ticket = _counter_info(ctx)
    confirm = d["confirm"]
    ticket_id = d.get("ticket_id", ticket)
    view = dossiers.return_dossier(
        ctx, d["code"], fees_paid=confirm.get("fees_paid") is True, signed=confirm.get("signed") is True,
        by=name or officer or f"Quầy {number}", ticket_id=ticket_id, tracking=d.get("tracking"))
    # The citizen's vote opens when that ticket is completed; a walk-in without a ticket gets none.
    return {"dossier": {**view, "return_ticket_id": ticket_id}}


def apology(ctx: Ctx, d: dict) -> dict:
    number, officer, name, _ = _counter_info(ctx)
    return {"apology": dossiers.apologise(ctx, d["code"], d["reason"], name or officer or f"Quầy {number}",
                                          new_due=d.get("new_due"), extra_working_days=d.get("extra_days"))}


def withdraw(ctx: Ctx, d: dict) -> dict:
    number, officer, name, _ = _counter_info(ctx)
    return {"dossier": dossiers.withdraw(ctx, d["code"], name or officer or f"Quầy {number}", d.get("reason") or "")}


def correction(ctx: Ctx, d: dict) -> dict:
    number, officer, name, _ = _counter_info(ctx)
    return {"dossier": dossiers.request_correction(ctx, d["code"], d["reason"], name or officer or f"Quầy {number}")}


def form(ctx: Ctx, d: dict) -> dict:
    return {"form": forms.data(ctx.db, ctx.site, d["code"], d["form"])}


def agencies(ctx: Ctx, d: dict) -> dict:
    """The province's agencies and where each works (the counter's "Nơi giải quyết" list)."""
    return {"agencies": sync_route.known_agencies(ctx.db)}


def search(ctx: Ctx, d: dict) -> dict:
    limit = d.get("limit") or 20
    if not 1 <= limit <= 100:
        raise DomainError("bad_request", "limit must be 1..100", "Giới hạn kết quả từ 1 đến 100.")
    return {"procedures": cat_store.search(ctx.db, d["q"], limit)}


def result_declare(ctx: Ctx, d: dict) -> dict:
    return dossier_files.declare_result(ctx, d["code"], {"sha256": d["sha256"], "size": d["size"],
                                                         "pages": d.get("pages", 1)})


def payment(ctx: Ctx, d: dict) -> dict:
    number, officer, name, _ = _counter_info(ctx)
    return dossier_files.record_payment(ctx, d["code"], d["reference"], name or officer or f"Quầy {number}")
