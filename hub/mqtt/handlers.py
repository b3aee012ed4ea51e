"""Verb → operation. The router has already checked the envelope, the device and the data schema."""

from __future__ import annotations

from collections.abc import Callable

from hub.ops import queue
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
    # --- counter terminal: officer sign-in (issue #4) -- add below this line
    # --- dossiers: intake, routing, return (issue #5) -- add below this line
}
