"""The authorisation matrix of the MQTT verbs, generated from the verb records (hub.mqtt.verbs.VERBS):
every verb × every device role × a device of the object's own site and one of the other site, each
naming demo's objects (its dossier, its ticket) over the real broker. A counter acts with its own officer
signed in, as an attacker at a counter of xa2 would.

Expected: a role the verb does not list is `forbidden`; a verb naming an object of another site is
`not_found` (the same answer as an unknown one); everything else gets past the rule (whatever the
operation then says). A device has no province scope: it always belongs to one site, and its topics
(broker ACL) carry that site."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.mqtt.verbs import OBJECT_FIELDS, VERBS, Verb
from motcua_core.errors import RequestError
from motcua_core.protocol import ROLES
from tests.security.conftest import SITES, Walls
from tests.support.hubproc import register

# Fields that name no object of a site (text, numbers, choices, the catalogue's public procedures).
NOT_OBJECTS = frozenset({
    "service", "priority", "lang", "token", "to_service", "to_counter", "force", "username", "pin", "badge",
    "rating", "reasons", "answers", "comment", "key", "procedure", "applicant", "documents", "sets",
    "return_method", "post_address", "fees_vnd", "processing_days", "options", "request", "confirm",
    "tracking", "reason", "new_due", "extra_days", "form", "scan", "day", "slot_start", "name", "phone",
    "email", "cccd", "q", "limit", "checks", "at", "overall", "sha256", "kind", "seq", "data", "size", "pages",
    "reference"})


def test_every_verb_field_is_classified() -> None:
    """A new field that names an object must be added to OBJECT_FIELDS (the runner then checks it) or,
    knowingly, to this list: a verb cannot grow a way around the rule unseen."""
    unknown = [(v.name, f) for v in VERBS.values() for f in v.schema
               if f not in OBJECT_FIELDS and f not in NOT_OBJECTS]
    assert not unknown, f"verb fields neither objects nor known plain data: {unknown}"
    for v in VERBS.values():
        assert set(v.public) <= set(OBJECT_FIELDS), v.name


@pytest.fixture(scope="module")
def devices(walls: Walls) -> Iterator[dict]:
    """A device of every role at each site; the counters with their officer signed in."""
    out = {}
    for site in SITES:
        for role in ROLES:
            cfg = register(walls.h.data, role, walls.h.mqtt_port, site=site, counter=1 if role in ("counter", "voting") else None,
                           device_id=f"{site}-{role}-m")
            asyncio.run_coroutine_threadsafe(walls.h.hub.sync_registry(), walls.h.thread.loop).result(10)
            out[(site, role)] = walls.h.session(cfg)
    for site in SITES:
        counter = out[(site, "counter")]
        counter.officer_token = counter.request("counter.login", {"username": "lan1", "pin": "1111"})["token"]
    yield out


def payload(verb: Verb, objects: dict, token: str | None) -> dict:
    """The smallest request the schema accepts, naming `objects` where it names any."""
    data: dict = {}
    for name, (typ, required, allowed) in verb.schema.items():
        if name == "token":
            if token:
                data[name] = token
            continue
        if name in OBJECT_FIELDS:
            data[name] = objects[OBJECT_FIELDS[name]]
        elif not required:
            continue
        elif allowed:
            data[name] = allowed[0]
        else:
            t = typ[0] if isinstance(typ, tuple) else typ
            data[name] = {str: "x", int: 1, float: 1.0, dict: {}, list: [], bool: False}[t]
    if verb.name == "ticket.issue":
        data["service"] = "HT"
    return data


def answer(session, verb: str, data: dict) -> tuple[str, str]:  # noqa: ANN001
    try:
        session.request(verb, data, timeout=10, retries=2)
        return "ok", ""
    except RequestError as exc:
        return exc.code, exc.message


def test_the_matrix(walls: Walls, devices: dict, artifacts_dir: Path) -> None:
    ticket = devices[("demo", "kiosk")].request("ticket.issue", {"service": "HT"})["ticket"]["id"]
    objects = {"dossier": walls.codes["demo"], "ticket": ticket}
    status_before = walls.dossier_status(walls.codes["demo"])
    # The other site first (nothing of demo's may change), then demo's own devices; sign-out last.
    names = sorted(VERBS, key=lambda n: n == "counter.logout")
    wrong, cells = [], []
    for site in ("xa2", "demo"):
        for role in ROLES:
            session = devices[(site, role)]
            for name in names:
                verb = VERBS[name]
                data = payload(verb, objects, session.officer_token)
                code, message = answer(session, name, data)
                if role not in verb.roles:
                    want = "forbidden"
                elif verb.refs(data) and site != "demo":
                    want = "not_found"
                else:
                    want = "allowed"
                refused_by_rule = code == "forbidden" or (code == "not_found" and any(
                    message.startswith(f"no {k} ") for k in OBJECT_FIELDS.values()))
                got = code if refused_by_rule else "allowed"
                cells.append({"device": f"{role}@{site}", "verb": name, "answer": code, "expected": want})
                if got != want or code in ("internal", "timeout"):
                    wrong.append(f"{role}@{site} {name}: {code} {message!r}, expected {want}")
        if site == "xa2":
            assert walls.dossier_status(walls.codes["demo"]) == status_before, "xa2's devices changed demo's dossier"
    out = artifacts_dir / "security"
    out.mkdir(exist_ok=True)
    (out / "mqtt-matrix.json").write_text(json.dumps(cells, ensure_ascii=False, indent=0), encoding="utf-8")
    assert not wrong, "\n".join(wrong)
