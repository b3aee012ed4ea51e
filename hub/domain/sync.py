"""The rules of the sync between a centre hub and the provincial hub (docs/province.md, protocol.md §13):
the envelopes, what a batch may carry, which rows of it to apply, and the per-site figures both sides
compute the same way. Pure functions; the shell (hub/sync/, hub/store/sync.py) moves rows and messages."""

from __future__ import annotations

import json
import secrets
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from motcua_core.protocol import ID_RE

VERSION = 1
TOPIC_ROOT = "motcua/sync/v1"
KINDS = ("ticket", "ticket_event", "dossier", "dossier_event", "vote", "audit", "intake_refusal", "presence",
         "held_event", "file", "site_config")
MAX_BATCH_ROWS = 500
REFUSAL_REASONS = ("old_epoch", "unknown_centre", "wrong_site", "bad_batch")
PROVINCE_TZ = "Asia/Ho_Chi_Minh"  # one time zone for the whole country
HELLO_EVERY_S = 10.0  # an idle link says where it stands this often (the province's "link up" and lag)
LINK_DOWN_AFTER_S = 3 * HELLO_EVERY_S
WAIT_TARGET_S = 15 * 60  # the longest wait a centre should reach (Kế hoạch: ≤ 15 min per transaction)
SATISFIED_FROM = 4  # a rating of 4 or 5 (of 5) counts as satisfied


class SyncError(ValueError):
    """A batch or an answer the receiver refuses; `reason` is one of REFUSAL_REASONS."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


def canonical(value: object) -> str:
    """One text for equal values (sorted keys): to tell whether a summary changed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


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


def batch_payload(centre: str, epoch: str, site: str, rows: list[tuple[int, str]], now: float) -> bytes:
    """The same envelope as `batch`, as the bytes the link publishes, from rows already encoded as JSON
    objects ((seq, text), hub.store.sync.outbox_encoded): the outbox keeps each body as JSON text, and
    decoding it only to encode it again cost a few milliseconds of CPU per batch."""
    head = json.dumps({"v": VERSION, "type": "batch", "centre": centre, "epoch": epoch, "site": site,
                       "from_seq": rows[0][0], "to_seq": rows[-1][0], "sent_at": now},
                      ensure_ascii=False, separators=(",", ":"))
    return (head[:-1] + ',"rows":[' + ",".join(text for _, text in rows) + "]}").encode()


def hello(centre: str, epoch: str, site: str, seq: int, now: float, catalog: int = 0, down: int = 0,
          agencies: list[str] | None = None, directory: str = "", *, docs: int = 0) -> dict:
    """The link's heartbeat: the site's last sequence number (the province knows the lag); how far the
    centre holds each of the province's down streams — the catalogue version, the events of held dossiers,
    the publications (hub.domain.sync_down) — so the province sends what is newer; the agencies its
    specialists at the site serve (where the province routes their dossiers) and the digest of the
    province's directory of agencies it holds."""
    return {"v": VERSION, "type": "hello", "centre": centre, "epoch": epoch, "site": site, "seq": seq,
            "sent_at": now, "catalog": catalog, "down": down, "agencies": sorted(agencies or []), "dir": directory,
            "docs": docs}


CATALOGUE_PAGE = 50  # procedures per down message (a few KB each; the broker's packet limit is 1 MiB)


def catalogue_pages(centre: str, epoch: str, changes: dict, page: int = CATALOGUE_PAGE) -> list[dict]:
    """The province's catalogue changes for a centre, as down messages; the last one carries the version
    the centre then holds (a page lost on the way is sent again from the same version). A full resend
    (the centre at version 0, or ahead of the province) says so, and its last page lists every procedure
    the province has: the centre retires the ones it holds that are not listed."""
    procs, removed = changes["procedures"], changes["removed"]
    full = bool(changes.get("full"))
    chunks = [procs[i:i + page] for i in range(0, len(procs), page)] or [[]]
    pages = [{"v": VERSION, "type": "catalogue", "centre": centre, "epoch": epoch, "version": changes["version"],
              "fields": changes["fields"] if i == 0 else [], "procedures": chunk,
              "removed": removed if i == len(chunks) - 1 else [], "last": i == len(chunks) - 1, "full": full}
             for i, chunk in enumerate(chunks)]
    if full:
        pages[-1]["ids"] = [p["id"] for p in procs]
    return pages


def check_hello(msg: object, topic_centre: str) -> dict | None:
    """The hello if well formed and from the topic's centre, else None (then it is checked as a batch)."""
    if isinstance(msg, dict) and msg.get("v") == VERSION and msg.get("type") == "hello" \
            and msg.get("centre") == topic_centre and isinstance(msg.get("site"), str) \
            and isinstance(msg.get("epoch"), str) and isinstance(msg.get("seq"), int) \
            and isinstance(msg.get("catalog", 0), int) and isinstance(msg.get("down", 0), int) \
            and isinstance(msg.get("docs", 0), int):
        return msg
    return None


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


def iso_local(at: float | None, tz: str = PROVINCE_TZ) -> str | None:
    """A time as the citizen reads it: local, to the minute."""
    return None if at is None else datetime.fromtimestamp(at, ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M")


def local_day(at: float, tz: str = PROVINCE_TZ) -> str:
    return datetime.fromtimestamp(at, ZoneInfo(tz)).date().isoformat()


def index_of(kind: str, body: Mapping, tz: str = PROVINCE_TZ) -> tuple:
    """What the province keeps beside a row's body, so its overview is SQL aggregates over an index:
    (day, status, ref_at, ref_no) — a ticket's day, status, queued_at and counter; a vote's day and
    rating; a dossier's day of receipt and whether it finished on time (`ontime`, `late`, or `open`);
    an event's kind."""
    if kind == "ticket":
        return body.get("day"), body.get("status"), body.get("queued_at"), body.get("counter")
    if kind == "dossier":
        finished, due = body.get("finished_at"), body.get("legal_due_at")
        state = "open" if finished is None or due is None else ("ontime" if finished <= due else "late")
        return body.get("day"), state, None, None
    if kind == "presence":
        return None, None, None, body.get("online")
    if kind == "vote":
        at = body.get("at")
        return (local_day(at, tz) if isinstance(at, int | float) else None), str(body.get("rating")), None, None
    return None, body.get("kind"), None, None


def parent_of(kind: str, body: Mapping) -> str | None:
    """The ticket or dossier an event belongs to (the province finds a dossier's events by it)."""
    if kind == "dossier_event":
        return body.get("code")
    if kind == "ticket_event":
        return str(body.get("ticket_id"))
    return None


def down_events(centre: str, epoch: str, rows: list[dict]) -> dict:
    """Events of dossiers held at the province, for the centre that received them (in sequence)."""
    return {"v": VERSION, "type": "events", "centre": centre, "epoch": epoch, "from_seq": rows[0]["seq"],
            "to_seq": rows[-1]["seq"], "rows": rows}


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


def overview_row(site: str, centre: str | None, *, by_status: Mapping[str, int], oldest_waiting_at: float | None,
                 counters_busy: int, votes: Mapping[str, int], dossiers: Mapping[str, int], hwm: int | None,
                 centre_seq: int | None, last_contact: float | None, now: float,
                 devices: Mapping | None = None) -> dict:
    """One centre's line of the province's overview, from its aggregates: waiting, the longest wait
    against the target, counters serving, served today, on-time and satisfaction shares, and the link."""
    rated = sum(votes.values())
    satisfied = sum(n for r, n in votes.items() if r.isdigit() and int(r) >= SATISFIED_FROM)
    finished = dossiers.get("ontime", 0) + dossiers.get("late", 0)
    longest = None if oldest_waiting_at is None else max(0.0, now - oldest_waiting_at)
    link = None
    if hwm is not None:
        up = last_contact is not None and now - last_contact <= LINK_DOWN_AFTER_S
        link = {"up": up, "lag": max(0, (centre_seq or 0) - hwm), "hwm": hwm,
                "last_contact_s": None if last_contact is None else round(now - last_contact, 1)}
    return {
        "site": site, "centre": centre,
        "waiting": by_status.get("waiting", 0),
        "longest_wait_s": None if longest is None else round(longest),
        "wait_target_s": WAIT_TARGET_S,
        "over_target": longest is not None and longest > WAIT_TARGET_S,
        "counters_serving": counters_busy,
        "served_today": by_status.get("done", 0),
        "tickets_today": sum(by_status.values()),
        "on_time_pct": None if not finished else round(100 * dossiers.get("ontime", 0) / finished, 1),
        "dossiers_open": dossiers.get("open", 0),
        "satisfaction_pct": None if not rated else round(100 * satisfied / rated, 1),
        "votes_today": rated,
        "link": link,
        "devices_online": None if devices is None else devices.get("online"),
        "devices_total": None if devices is None else devices.get("total"),
    }


_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_TONES = {"\u0300": 1, "\u0301": 2, "\u0309": 3, "\u0303": 4, "\u0323": 5}  # huyền sắc hỏi ngã nặng


def vi_key(text: str) -> tuple:
    """Vietnamese alphabetical order (a ă â b c d đ e ê …, then the tones): centres listed as people
    expect them, not in code-point order."""
    letters, tones = [], []
    for ch in text.lower():
        parts = unicodedata.normalize("NFD", ch)
        tone = next((_TONES[c] for c in parts if c in _TONES), 0)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        i = _ALPHABET.find(base)
        letters.append((0, i) if i >= 0 else (1, ord(base[0]) if base else 0))
        tones.append(tone)
    return tuple(letters), tuple(tones)


REPORT_COLUMNS = ("site", "name", "tickets", "served", "no_show", "votes", "satisfied_pct", "dossiers",
                  "on_time", "late", "open")


def report_rows(aggregates: Iterable[tuple], names: Mapping[str, str]) -> list[dict]:
    """The province's report over every centre for a period, one row per site (Vietnamese order), from
    (site, kind, day, status, count): tickets issued, served, no-shows; votes and the satisfied share;
    dossiers received in the period and how those finished so far (on time, late, still open)."""
    rows: dict[str, dict] = {}
    for site, kind, _day, status, n in aggregates:
        r = rows.setdefault(site, {"site": site, "name": names.get(site, site), "tickets": 0, "served": 0,
                                   "no_show": 0, "votes": 0, "satisfied": 0, "dossiers": 0, "on_time": 0,
                                   "late": 0, "open": 0})
        if kind == "ticket":
            r["tickets"] += n
            r["served"] += n if status == "done" else 0
            r["no_show"] += n if status == "no_show" else 0
        elif kind == "vote":
            r["votes"] += n
            r["satisfied"] += n if (status or "").isdigit() and int(status) >= SATISFIED_FROM else 0
        elif kind == "dossier":
            r["dossiers"] += n
            key = {"ontime": "on_time", "late": "late"}.get(status or "", "open")
            r[key] += n
    out = []
    for r in rows.values():
        satisfied = r.pop("satisfied")
        r["satisfied_pct"] = None if not r["votes"] else round(100 * satisfied / r["votes"], 1)
        out.append({k: r[k] for k in REPORT_COLUMNS})
    return sorted(out, key=lambda r: vi_key(r["name"]))
