"""Every request verb a device may send, one record each: who may send it, what its data must hold, and
the operation it runs. Adding a verb is one `Verb(...)` here (and its section in docs/protocol.md, which
tests/unit/test_verbs_doc.py checks against this table).

A handler is `(ctx, data) -> dict`, run by hub.ops.run inside the request's savepoint; `data` has already
passed `schema`. A field spec is (type or tuple of types, required, allowed values or None).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hub.domain.forms import FORM_NAMES, NUMBERS
from hub.mqtt import dossier_verbs
from hub.ops import appointments, dossier_files, dossier_ratings, dossiers, fleet, queue, signin, votes
from hub.ops.authz import Ref
from hub.ops.context import Ctx
from hub.ops.views import display_state
from motcua_core.protocol import PRIORITIES, ROLES, ProtocolError
from motcua_core.text import nfc

FieldSpec = tuple[type | tuple[type, ...], bool, tuple[Any, ...] | None]
Handler = Callable[[Ctx, dict], dict]

MAX_STR = 200
MAX_LEN = {"scan": 1000,  # a scanned CCCD QR carries a full address (issue #12)
           "data": 44_000}  # a file chunk: 32 KB in base64
COUNTER = ("counter",)
KIOSK = ("kiosk",)


# Request fields that name an object of some site. The runner checks every one a request carries against
# the sender's site before the handler runs (hub.domain.authz: another site's object is `not_found`), so a
# new verb cannot forget it; tests/security checks that every field of every verb is classified.
OBJECT_FIELDS = {"code": "dossier", "ticket_id": "ticket"}


@dataclass(frozen=True)
class Verb:
    name: str
    roles: tuple[str, ...]
    schema: dict[str, FieldSpec]
    handler: Handler
    public: tuple[str, ...] = ()  # object fields anyone may name (a public look-up, guarded by its own key)
    signed: bool = False  # an officer action: the officer's sign-in token is checked first (see `signed`)

    def authenticate(self, ctx: Ctx, data: dict[str, Any]) -> None:
        """Who acts, before what they may touch is checked: the officer signed in at this counter."""
        if self.signed:
            signin.require(ctx, data.get("token"))

    def refs(self, data: dict[str, Any]) -> list[Ref]:
        """The objects this request names, for the runner's authorisation check."""
        return [Ref(kind, data[f]) for f, kind in OBJECT_FIELDS.items()
                if f in self.schema and f not in self.public and data.get(f) is not None]

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        """Check request data against the schema; unknown fields are refused, not ignored. Text is put in
        NFC in place (the hub's one normalisation point for MQTT data: callers keep using `data`)."""
        composed = nfc(data)
        data.clear()
        data.update(composed)
        unknown = set(data) - set(self.schema)
        if unknown:
            raise ProtocolError("bad_request", f"unknown field(s) for {self.name}: {', '.join(sorted(unknown))}")
        for name, (typ, required, allowed) in self.schema.items():
            if name not in data or data[name] is None:
                if required:
                    raise ProtocolError("bad_request", f"{self.name} needs field {name!r}")
                continue
            value = data[name]
            if (isinstance(value, bool) and typ is not bool) or not isinstance(value, typ):
                raise ProtocolError("bad_request", f"field {name!r} of {self.name} has the wrong type")
            if allowed is not None and value not in allowed:
                raise ProtocolError("bad_request", f"field {name!r} of {self.name} must be one of {allowed}")
            if isinstance(value, str) and len(value) > MAX_LEN.get(name, MAX_STR):
                raise ProtocolError("bad_request", f"field {name!r} of {self.name} is too long")
        return data


def _table(*verbs: Verb) -> dict[str, Verb]:
    return {v.name: v for v in verbs}


TOKEN: dict[str, FieldSpec] = {"token": (str, False, None)}  # from counter.login; checked by signed()


def signed(name: str, roles: tuple[str, ...], schema: dict[str, FieldSpec], handler: Handler) -> Verb:
    """An officer action: the data must carry the token of the officer signed in at this counter
    (hub.ops.signin.require, run by the runner before the authorisation check: `Verb.authenticate`), else
    `signin_required` — a counter device alone cannot act for anyone."""

    def run(ctx: Ctx, data: dict) -> dict:
        return handler(ctx, {k: v for k, v in data.items() if k != "token"})

    return Verb(name, roles, {**schema, **TOKEN}, run, signed=True)


VERBS: dict[str, Verb] = _table(
    # --- queue: tickets and counters
    Verb("ticket.issue", ("kiosk", "lookup"),
         {"service": (str, True, None), "priority": (str, False, PRIORITIES), "lang": (str, False, ("vi", "en"))},
         lambda ctx, d: queue.issue_ticket(ctx, d["service"], d.get("priority") or "none", d.get("lang") or "vi")),
    # Reception desk: an officer takes a number for a citizen who does not use the kiosk (priority included).
    signed("counter.issue", COUNTER,
           {"service": (str, True, None), "priority": (str, False, PRIORITIES), "lang": (str, False, ("vi", "en"))},
           lambda ctx, d: queue.issue_ticket(ctx, d["service"], d.get("priority") or "none", d.get("lang") or "vi")),
    Verb("ticket.status", ROLES, {"ticket_id": (int, True, None)},
         lambda ctx, d: queue.ticket_status(ctx, d["ticket_id"])),
    Verb("site.state", ROLES, {}, lambda ctx, d: display_state(ctx.db, ctx.site.id, ctx.now, 0)),
    signed("counter.open", COUNTER, {}, lambda ctx, d: queue.counter_open(ctx)),
    signed("counter.pause", COUNTER, {}, lambda ctx, d: queue.counter_pause(ctx)),
    signed("counter.close", COUNTER, {}, lambda ctx, d: queue.counter_close(ctx)),
    signed("counter.next", COUNTER, {}, lambda ctx, d: queue.call_next(ctx)),
    signed("counter.recall", COUNTER, {}, lambda ctx, d: queue.recall(ctx)),
    signed("counter.skip", COUNTER, {}, lambda ctx, d: queue.skip(ctx)),
    signed("counter.transfer", COUNTER, {"to_service": (str, False, None), "to_counter": (int, False, None),
                                       "force": (bool, False, None)},
         lambda ctx, d: queue.transfer(ctx, d.get("to_service"), d.get("to_counter"), bool(d.get("force")))),
    signed("counter.reinstate", COUNTER, {"ticket_id": (int, False, None)},
         lambda ctx, d: queue.reinstate(ctx, d.get("ticket_id"))),
    signed("counter.hold", COUNTER, {}, lambda ctx, d: queue.hold(ctx)),
    signed("counter.resume", COUNTER, {"ticket_id": (int, False, None)},
         lambda ctx, d: queue.resume(ctx, d.get("ticket_id"))),
    signed("counter.complete", COUNTER, {"ticket_id": (int, False, None)},
         lambda ctx, d: queue.complete(ctx, d.get("ticket_id"))),
    Verb("counter.state", COUNTER, {}, lambda ctx, d: queue.counter_state(ctx)),
    # --- officer sign-in at a counter
    Verb("counter.login", COUNTER,
         {"username": (str, False, None), "pin": (str, False, None), "badge": (str, False, None)},
         lambda ctx, d: signin.login(ctx, d.get("username"), d.get("pin"), d.get("badge"))),
    signed("counter.logout", COUNTER, {}, lambda ctx, d: signin.logout(ctx)),
    # --- satisfaction votes
    Verb("vote.submit", ("voting",),
         {"ticket_id": (int, True, None), "rating": (int, True, None), "reasons": (list, False, None),
          "answers": (dict, False, None), "comment": (str, False, None)},
         lambda ctx, d: votes.submit(ctx, d)),
    # a dossier's handling rated at the tablet (Decree 118/2025 Art. 33), beside the queue vote
    Verb("dossier.rate", ("voting",),
         {"ticket_id": (int, True, None), "overall": (int, True, None), "answers": (dict, False, None),
          "comment": (str, False, None)},
         lambda ctx, d: dossier_ratings.rate_at_tablet(ctx, d)),
    # --- dossiers and the catalogue
    Verb("dossier.lookup", ROLES, {"code": (str, True, None), "key": (str, False, None)},
         lambda ctx, d: {"dossier": dossiers.public_lookup(ctx.db, d["code"], d.get("key"),
                                                           f"dev:{ctx.device.id if ctx.device else '?'}", ctx.now)},
         public=("code",)),
    signed("dossier.get", COUNTER, {"code": (str, True, None)},
         lambda ctx, d: {"dossier": dossiers.detail(ctx.db, d["code"], ctx.now)}),
    signed("dossier.intake", COUNTER,
         {"procedure": (str, True, None), "applicant": (dict, True, None), "documents": (list, True, None),
          "sets": (int, False, None), "return_method": (str, False, ("counter", "post")),
          "post_address": (str, False, None), "fees_vnd": (int, False, None),
          "processing_days": ((int, float), False, None), "ticket_id": (int, False, None),
          "options": (dict, False, None)},
         dossier_verbs.intake),
    # papers refused at intake: no dossier, a refusal sheet; applicant and reasons are checked by the rules
    # (hub.domain.intake, .refusals), so a missing one is refused in the officer's words
    signed("dossier.refuse_intake", COUNTER,
         {"applicant": (dict, False, None), "procedure": (str, False, None), "request": (str, False, None),
          "reasons": (list, False, None), "ticket_id": (int, False, None)},
         dossier_verbs.refuse_intake),
    signed("dossier.return", COUNTER,
         {"code": (str, True, None), "confirm": (dict, True, None), "tracking": (str, False, None),
          "ticket_id": (int, False, None)},
         dossier_verbs.return_),
    signed("dossier.apology", COUNTER,
         {"code": (str, True, None), "reason": (str, True, None), "new_due": (str, False, None),
          "extra_days": (int, False, None)},
         dossier_verbs.apology),
    # the citizen withdraws the dossier before the decision (Decree 118/2025 Art. 21); an error in a result
    # goes back to the agency to be corrected within 3 working days (Art. 23)
    signed("dossier.withdraw", COUNTER, {"code": (str, True, None), "reason": (str, False, None)},
         dossier_verbs.withdraw),
    signed("dossier.correction", COUNTER, {"code": (str, True, None), "reason": (str, True, None)},
         dossier_verbs.correction),
    signed("dossier.form", COUNTER, {"code": (str, True, None), "form": (str, True, (*FORM_NAMES, *NUMBERS))},
         dossier_verbs.form),
    # --- the electronic dossier (issue #25): scans and results uploaded in chunks, fees by transfer. A chunk
    # needs no officer token (the outbox may deliver it after sign-out): only files an officer declared at
    # intake or return, of a dossier of this counter's site, are taken, each checked against its SHA-256.
    Verb("dossier.upload", COUNTER,
         {"code": (str, True, None), "sha256": (str, True, None), "kind": (str, False, ("scan", "result")),
          "seq": (int, True, None), "data": (str, True, None)},
         lambda ctx, d: dossier_files.put_chunk(ctx, d)),
    signed("dossier.declare_result", COUNTER,
         {"code": (str, True, None), "sha256": (str, True, None), "size": (int, True, None),
          "pages": (int, False, None)},
         dossier_verbs.result_declare),
    signed("dossier.agencies", COUNTER, {}, dossier_verbs.agencies),
    signed("dossier.payment", COUNTER, {"code": (str, True, None), "reference": (str, True, None)},
         dossier_verbs.payment),
    # --- appointments (issue #12)
    Verb("appointment.checkin", KIOSK, {"scan": (str, True, None), "lang": (str, False, ("vi", "en"))},
         lambda ctx, d: appointments.check_in(ctx, d["scan"], d.get("lang") or "vi")),
    Verb("appointment.slots", ("counter", "kiosk"), {"service": (str, True, None), "day": (str, False, None)},
         lambda ctx, d: appointments.slots(ctx, d["service"], d.get("day"))),
    signed("appointment.book", COUNTER,
         {"service": (str, True, None), "day": (str, True, None), "slot_start": ((int, float), True, None),
          "name": (str, True, None), "phone": (str, True, None), "email": (str, False, None),
          "cccd": (str, False, None), "procedure": (str, False, None)},
         lambda ctx, d: appointments.book(ctx, service=d["service"], day=d["day"], slot_start=d["slot_start"],
                                          name=d["name"], phone=d["phone"], email=d.get("email") or "",
                                          cccd=d.get("cccd"), procedure=d.get("procedure"), source="counter")),
    Verb("procedure.search", ("counter", "kiosk", "lookup"), {"q": (str, True, None), "limit": (int, False, None)},
         dossier_verbs.search),
    # --- the fleet (issue #14)
    Verb("device.selftest", ROLES, {"checks": (list, True, None), "at": (str, False, None)},
         lambda ctx, d: fleet.record_selftest(ctx, d)),
)

# Verbs that change nothing: a counter's other requests are changes, written to the audit log (hub.ops.run).
READS = frozenset({"ticket.status", "site.state", "counter.state", "dossier.lookup", "dossier.get", "dossier.form",
                   "procedure.search", "dossier.agencies"})
AUDITED_ROLES = frozenset({"counter"})
# Verbs whose handler changes nothing but the database and the batch's effects: the router may run one
# before its stored reply is known (read with the handler's first statements, one round trip fewer on
# PostgreSQL) and, should the request turn out to be a retry, undo it with its savepoint and send the
# stored reply. Not a verb that writes files (dossier.upload) or whose refusals keep state (counter.login).
UNDOABLE = frozenset({"ticket.issue", "ticket.status", "site.state", "counter.issue", "counter.open",
                      "counter.pause", "counter.close", "counter.next", "counter.recall", "counter.skip",
                      "counter.transfer", "counter.reinstate", "counter.hold", "counter.resume",
                      "counter.complete", "counter.state"})


def lookup(name: str) -> Verb:
    verb = VERBS.get(name)
    if verb is None:
        raise ProtocolError("unknown_verb", f"unknown verb {name!r}")
    return verb
