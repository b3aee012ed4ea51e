"""The rules of the sync between a centre hub and the provincial hub (docs/province.md, protocol.md §13):
the envelopes, what a batch may carry, which rows of it to apply, and the per-site figures both sides
compute the same way. Pure functions; the shell (hub/sync/, hub/store/sync.py) moves rows and messages."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from motcua_core.protocol import ID_RE

VERSION = 1
TOPIC_ROOT = "motcua/sync/v1"
KINDS = ("ticket", "ticket_event", "dossier", "dossier_event", "vote", "audit", "intake_refusal")
MAX_BATCH_ROWS = 500
REFUSAL_REASONS = ("old_epoch", "unknown_centre", "wrong_site", "bad_batch")


class SyncError(ValueError):
    """A batch or an answer the receiver refuses; `reason` is one of REFUSAL_REASONS."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


def up_topic(centre: str) -> str:
    return f"{TOPIC_ROOT}/{centre}/up"


def down_topic(centre: str) -> str:
    return f"{TOPIC_ROOT}/{centre}/down"


def centre_of_topic(topic: str) -> str | None:
    """The centre a topic belongs to (the ACL lets only that centre write its `up`), or None."""
    parts = topic.split("/")
    if len(parts) == 5 and "/".join(parts[:3]) == TOPIC_ROOT and ID_RE.match(parts[3]):
        return parts[3]
    return None


def broker_username(centre: str) -> str:
    return f"centre-{centre}"


def new_epoch() -> str:
    return secrets.token_hex(8)


def batch(centre: str, epoch: str, site: str, rows: list[dict], now: float) -> dict:
    """A batch envelope: rows of one site, contiguous in sequence."""
    return {"v": VERSION, "type": "batch", "centre": centre, "epoch": epoch, "site": site,
            "from_seq": rows[0]["seq"], "to_seq": rows[-1]["seq"], "sent_at": now, "rows": rows}


def ack(centre: str, epoch: str, site: str, hwm: int) -> dict:
    return {"v": VERSION, "type": "ack", "centre": centre, "epoch": epoch, "site": site, "hwm": hwm}


def refused(centre: str, epoch: str, site: str, reason: str, message: str) -> dict:
    return {"v": VERSION, "type": "refused", "centre": centre, "epoch": epoch, "site": site,
            "reason": reason, "message": message}


def check_batch(msg: object, topic_centre: str) -> dict:
    """The batch if well formed and sent by the centre whose topic it came on; SyncError otherwise."""
    if not isinstance(msg, dict) or msg.get("v") != VERSION or msg.get("type") != "batch":
        raise SyncError("bad_batch", "not a v1 batch")
    if msg.get("centre") != topic_centre:
        raise SyncError("bad_batch", f"batch names centre {msg.get('centre')!r} on {topic_centre!r}'s topic")
    site, epoch, rows = msg.get("site"), msg.get("epoch"), msg.get("rows")
    if not isinstance(site, str) or not ID_RE.match(site) or not isinstance(epoch, str) or not epoch:
        raise SyncError("bad_batch", "site or epoch missing")
    if not isinstance(rows, list) or not rows or len(rows) > MAX_BATCH_ROWS:
        raise SyncError("bad_batch", f"a batch carries 1 to {MAX_BATCH_ROWS} rows")
    expected = msg.get("from_seq")
    for row in rows:
        if not isinstance(row, dict) or row.get("seq") != expected or row.get("kind") not in KINDS \
                or not isinstance(row.get("id"), str) or not isinstance(row.get("body"), dict) \
                or not isinstance(row.get("at"), int | float):
            raise SyncError("bad_batch", f"row {expected} malformed or out of sequence")
        expected += 1
    if msg.get("to_seq") != expected - 1:
        raise SyncError("bad_batch", "to_seq does not match the rows")
    return msg


def check_epoch(current: str | None, sent: str) -> None:
    """A batch of an epoch the province no longer holds for the centre (an old copy of its database)."""
    if current != sent:
        raise SyncError("old_epoch", f"epoch {sent} is not the centre's current epoch: the centre joined "
                                     "again since (a restored or replaced hub); this copy must rejoin")


@dataclass(frozen=True)
class Plan:
    """What to do with a batch: apply `rows` and move the mark to `hwm` (rows empty: nothing to apply)."""

    rows: list[dict]
    hwm: int
    gap: bool = False


def plan(hwm: int, rows: list[dict]) -> Plan:
    """Rows at or below the high-water mark were applied before (a resend): skipped. A batch that starts
    above hwm + 1 would leave a hole: nothing applied, the ack repeats the mark and the sender rewinds."""
    new = [r for r in rows if r["seq"] > hwm]
    if not new:
        return Plan([], hwm)
    if new[0]["seq"] != hwm + 1:
        return Plan([], hwm, gap=True)
    return Plan(new, new[-1]["seq"])


def index_of(kind: str, body: Mapping) -> tuple[str | None, str | None]:
    """The (day, status) the province keeps beside a row's body, so its figures are SQL aggregates."""
    if kind == "ticket":
        return body.get("day"), body.get("status")
    if kind == "dossier":
        return body.get("day"), body.get("status")
    if kind == "vote":
        return None, str(body.get("rating"))
    return None, body.get("kind")


SERVED = ("done",)
WAITING = ("waiting",)


def site_figures(tickets: Iterable[Mapping], votes: Iterable[Mapping], dossiers: Iterable[Mapping],
                 day: str) -> dict:
    """The per-site figures a leader reads (tickets of the day by status, served, waiting, votes and
    their mean, dossiers received): computed the same way from the centre's tables and from the
    province's copy, so the two can be compared number for number."""
    by_status: dict[str, int] = {}
    for t in tickets:
        if t.get("day") == day:
            by_status[t["status"]] = by_status.get(t["status"], 0) + 1
    ratings = [int(v["rating"]) for v in votes]
    return {
        "day": day,
        "tickets": sum(by_status.values()),
        "by_status": dict(sorted(by_status.items())),
        "served": sum(by_status.get(s, 0) for s in SERVED),
        "waiting": sum(by_status.get(s, 0) for s in WAITING),
        "votes": len(ratings),
        "rating_sum": sum(ratings),
        "dossiers": sum(1 for _ in dossiers),
    }
