"""docs/protocol.md §7 lists every verb with the roles that may send it; the hub's registry is the truth,
and this test keeps the two equal (a verb added without its documentation fails here)."""

from __future__ import annotations

import re
from pathlib import Path

from hub.mqtt.verbs import VERBS
from motcua_core.protocol import ROLES

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def documented() -> dict[str, tuple[str, ...]]:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## 7. Verbs"):]
    section = section[:section.index("\n## ", 5)]
    out = {}
    for verb, roles in re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \| ([^|]+) \|$", section, re.M):
        out[verb] = ROLES if roles.strip() == "all roles" else tuple(re.findall(r"`([a-z]+)`", roles))
    return out


def test_every_verb_is_documented_with_its_roles():
    doc = documented()
    assert sorted(doc) == sorted(VERBS)
    for name, verb in VERBS.items():
        assert set(doc[name]) == set(verb.roles), name


def test_every_verb_has_its_request_fields_documented():
    """Each verb's schema fields appear in the docs beside the verb's name (its table row or section)."""
    text = DOC.read_text(encoding="utf-8")
    for name, verb in VERBS.items():
        places = [m.start() for m in re.finditer(re.escape(f"`{name}`"), text)]
        near = " ".join(text[i:i + 1500] for i in places)
        missing = [f for f in verb.schema if f"`{f}`" not in near]
        assert missing == [], f"{name}: {missing}"
