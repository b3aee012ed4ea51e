"""Verb → operation. The router has already checked the envelope, the device and the data schema."""

from __future__ import annotations

from collections.abc import Callable

from hub.ops import dossier_msgs, dossiers, queue, signin, votes
from hub.ops.context import Ctx
from hub.ops.views import display_state

Handler = Callable[[Ctx, dict], dict]

HANDLERS: dict[str, Handler] = {
    "ticket.issue": lambda ctx, d: queue.issue_ticket(ctx, d["service"], d.get("priority") or "none",
                                                      d.get("lang") or "vi"),
    "ticket.status": lambda ctx, d: queue.ticket_status(ctx, d["ticket_id"]),
    "counter.open": lambda ctx, d: queue.counter_open(ctx, d.get("officer")),
    "counter.pause": lambda ctx, d: queue.counter_pause(ctx),
    "counter.close": lambda ctx, d: queue.counter_close(ctx),
    "counter.next": lambda ctx, d: queue.call_next(ctx),
    "counter.recall": lambda ctx, d: queue.recall(ctx),
    "counter.skip": lambda ctx, d: queue.skip(ctx),
    "counter.transfer": lambda ctx, d: queue.transfer(ctx, d.get("to_service"), d.get("to_counter")),
    "counter.hold": lambda ctx, d: queue.hold(ctx),
    "counter.resume": lambda ctx, d: queue.resume(ctx, d.get("ticket_id")),
    "counter.complete": lambda ctx, d: queue.complete(ctx, d.get("ticket_id")),
    "counter.state": lambda ctx, d: queue.counter_state(ctx),
    "site.state": lambda ctx, d: display_state(ctx.db, ctx.site.id, ctx.now, 0),
    # --- kiosk: catalogue replica, dossier status, votes (issue #3) -- add below this line
    "vote.submit": lambda ctx, d: votes.submit(ctx, d),
    # --- counter terminal: officer sign-in (issue #4) -- add below this line
    "counter.login": lambda ctx, d: signin.login(ctx, d.get("username"), d.get("pin"), d.get("badge")),
    "counter.logout": lambda ctx, d: signin.logout(ctx),
    # --- dossiers: intake, routing, return (issue #5) -- add below this line
    "dossier.lookup": lambda ctx, d: {"dossier": dossiers.public_view(ctx.db, d["code"], ctx.now)},
    "dossier.get": lambda ctx, d: {"dossier": dossiers.detail(ctx.db, d["code"], ctx.now)},
    "dossier.intake": lambda ctx, d: dossier_msgs.intake(ctx, d),
    "dossier.return": lambda ctx, d: dossier_msgs.return_(ctx, d),
    "dossier.apology": lambda ctx, d: dossier_msgs.apology(ctx, d),
    "dossier.form": lambda ctx, d: dossier_msgs.form(ctx, d),
    "procedure.search": lambda ctx, d: dossier_msgs.search(ctx, d),
}
