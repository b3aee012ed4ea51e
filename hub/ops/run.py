"""The one way to run an operation, whatever asked for it: an MQTT request, an HTTP action, a timer or a
CLI command.

`Runner.run` opens the transaction, builds the context, runs the operation in a savepoint of its own,
lets a refusal keep what it must (a wrong PIN still counts), commits, and only then publishes the
operation's effects. The router serves a batch of requests in one transaction and calls `Runner.step`
for each, then publishes the batch's effects after its commit. Errors have one shape everywhere:
`error_body`, with `http_status` and `cli_message` for the other two edges.

Every operation run with an actor (a console user, a CLI user, a counter device and its officer) leaves
one row in the append-only audit log per change it states (`ctx.changed`, before → after), or one row
naming the action, in the operation's own savepoint: the change and its record commit together.

Every transaction the Runner opens (its own, and the router's batches through `Runner.transaction`) ends
with the sync capture (hub.store.sync.capture): at a centre of a province, what the transaction appended
reaches the sync outbox in that same transaction, so no operation has to remember it (docs/province.md).

Outside the hub process (a CLI command against the data directory of a running hub) nothing can publish:
the effects are written to `deferred_effects` in the same transaction, and the hub publishes them within
a second (hub.timers), so they too go out only after their commit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import sqlite_utils

from hub.domain import audit_words, authz
from hub.ops import authz as authz_ops
from hub.ops.context import Actor, Ctx, Effects
from hub.ops.sync_extras import sync_extras
from hub.store import audit
from hub.store import deferred as deferred_store
from hub.store import sync as sync_store
from hub.store.db import savepoint, transaction
from hub.store.devices import Device
from hub.store.sites import Site, get_site
from motcua_core import clock as wallclock
from motcua_core.errors import DomainError
from motcua_core.protocol import ERROR_CODES, ProtocolError

T = TypeVar("T")
Publish = Callable[[Effects], None]

# Domain and protocol error codes → HTTP status (everything else: 400).
HTTP_STATUS = {
    "not_found": 404, "unknown_device": 404, "forbidden": 403, "wrong_site": 403, "conflict": 409,
    "recall_limit": 409, "auth_failed": 401, "unauthorized": 401, "locked": 423, "payload_too_large": 413,
    "rate_limited": 429, "internal": 500, "busy": 503, "timeout": 504,
}


def error_body(exc: DomainError | ProtocolError) -> dict:
    """The one shape of a refusal: code, English message for logs, Vietnamese message for people."""
    return {"code": exc.code, "message": exc.message,
            "message_vi": exc.message_vi or ERROR_CODES.get(exc.code, ERROR_CODES["internal"])}


def http_status(code: str) -> int:
    return HTTP_STATUS.get(code, 400)


def cli_message(exc: DomainError | ProtocolError) -> str:
    return f"lỗi: {exc.message_vi or exc.message}"


def as_protocol_error(exc: DomainError) -> ProtocolError:
    return ProtocolError(exc.code, exc.message, exc.message_vi)


class Runner:
    """Runs operations on one database connection. `publish` sends effects (the hub's MQTT); None means
    no publisher in this process, so effects are deferred to the hub through the database."""

    def __init__(self, db: sqlite_utils.Database, clock: Callable[[], float] = wallclock.time,
                 publish: Publish | None = None, actor: Actor | None = None):
        self.db = db
        self.clock = clock
        self.publish = publish
        self.actor = actor  # the default actor (the CLI's user); None: only operations given one are audited

    def run(self, site: str | Site | None, op: Callable[[Ctx], T], *, device: Device | None = None,
            now: float | None = None, actor: Actor | None = None, action: str | None = None,
            subject: authz.Subject | None = None, refs: Iterable[authz_ops.Ref] = ()) -> T:
        """Run `op(ctx)` in a transaction of its own; effects are published after the commit. A
        DomainError is raised after what it keeps has been committed."""
        effects = Effects()
        refusal: DomainError | None = None
        with self.transaction():
            try:
                result = self.step(site, op, effects, device=device, now=now, actor=actor, action=action,
                                   subject=subject, refs=refs)
            except DomainError as exc:
                refusal = exc
            if self.publish is None and effects:
                defer(self.db, effects, self.clock())
        if refusal is not None:
            raise refusal
        if self.publish is not None and effects:
            self.publish(effects)
        return result

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN … COMMIT with the sync capture just before the COMMIT: the one place every operation's
        changes reach the sync outbox."""
        with transaction(self.db):
            before = _changes(self.db)
            yield
            if before is None or _changes(self.db) != before:  # a transaction that wrote nothing sends nothing
                marks = sync_store.marks(self.db)  # none on a hub outside a province: one read, nothing else
                if marks:
                    now = self.clock()
                    sync_store.capture(self.db, now, extras=sync_extras, marks=marks)
                    sync_store.capture_down(self.db, now, marks=marks)

    def step(self, site: str | Site | None, op: Callable[[Ctx], T], effects: Effects, *,
             device: Device | None = None, now: float | None = None,
             then: Callable[[T], None] | None = None, actor: Actor | Callable[[], Actor] | None = None,
             action: str | None = None, subject: authz.Subject | None = None,
             refs: Iterable[authz_ops.Ref] = (), authenticate: Callable[[Ctx], object] | None = None) -> T:
        """One operation inside a transaction that is already open: a savepoint of its own, so a refusal
        undoes this operation alone; `then(result)` runs inside the savepoint (the router stores the
        reply there). Effects are merged into `effects` only when the operation succeeded. With an actor
        (or the runner's default one) the change is written to the audit log inside the savepoint; an actor
        given as a function is asked after the operation (a counter's officer is known once signed in).

        Before the operation: `authenticate(ctx)` (who is acting: the officer signed in at a counter) and,
        with a `subject` (who asks: a device, a console user), the authorisation rule
        (hub.domain.authz): the operation's site and every object in `refs` must be in its scope, else
        `forbidden` or `not_found` and nothing runs."""
        now = self.clock() if now is None else now
        if isinstance(site, str):
            site = get_site(self.db, site)
        own = Effects()
        actor = actor or self.actor
        ctx = Ctx(self.db, site, device, now, own, actor if isinstance(actor, Actor) else None)  # type: ignore[arg-type]
        if authenticate is not None:
            authenticate(ctx)
        if subject is not None:
            if site is not None:
                authz.check(subject, authz.Target("site", site.id, site.id))
            authz_ops.enforce(self.db, subject, refs)
        try:
            with savepoint(self.db, "op"):
                result = op(ctx)
                if actor is not None:
                    _audit(ctx, actor if isinstance(actor, Actor) else actor(), action or _op_name(op), result)
                if then is not None:
                    then(result)
        except DomainError as exc:
            if exc.keep is not None:
                exc.keep()
            raise
        effects.merge(own)
        return result

    def view(self, site: str | Site, op: Callable[[Ctx], T], *, now: float | None = None) -> T:
        """A read-only operation (a public page): no transaction, and it may leave no effect."""
        site = get_site(self.db, site) if isinstance(site, str) else site
        ctx = Ctx(self.db, site, None, self.clock() if now is None else now, Effects())
        result = op(ctx)
        assert not ctx.effects, "a view left effects to publish: run it with Runner.run"
        return result


def _changes(db) -> int | None:  # noqa: ANN001 (either engine's Db)
    """What this connection has written so far (SQLite's total_changes: rows; PostgreSQL's engine: write
    statements); None where the engine cannot say: then the capture always runs."""
    return getattr(db.conn, "total_changes", None)


def _op_name(op: Callable) -> str:
    """An operation's name for the audit log: the function's, or the function a lambda was written in
    (a CLI command `cmd_token_add` → `token_add`)."""
    name = getattr(op, "__qualname__", "") or getattr(op, "__name__", "op")
    name = name.split(".<locals>")[0].split(".")[-1]
    return name.removeprefix("cmd_")


def _audit(ctx: Ctx, actor: Actor, action: str, result: object = None) -> None:
    site = ctx.site.id if ctx.site is not None else None
    if not ctx.changes:  # the operation named no target: the ticket, dossier or device it returned
        audit.append(ctx.db, at=ctx.now, site_id=site, who=actor.who, role=actor.role, via=actor.via, action=action,
                     target=audit_words.target_of(result))
    for c in ctx.changes:
        audit.append(ctx.db, at=ctx.now, site_id=site, who=actor.who, role=actor.role, via=actor.via,
                     action=c.action, target=c.target, before=c.before, after=c.after)


# --- effects committed by a process without a publisher -------------------------------------------

def defer(db: sqlite_utils.Database, effects: Effects, now: float) -> None:
    deferred_store.add(db, now, json.dumps(effects.to_dict(), ensure_ascii=False))


def take_deferred(db: sqlite_utils.Database) -> Effects:
    """Everything other processes committed for the hub to publish, removed in the same transaction."""
    out = Effects()
    if not deferred_store.any_waiting(db):
        return out  # the common case: nothing, and no write lock taken
    with transaction(db):
        for body in deferred_store.take_all(db):
            out.merge(Effects.from_dict(json.loads(body)))
    return out
