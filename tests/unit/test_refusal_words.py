"""Issue #13: an officer or citizen who chose English reads the hub's `message` (RequestError.text), so
every refusal of the counter's and the kiosk's verbs must be a full English sentence saying what
`message_vi` says — not a log line ("bad phone") and not the Vietnamese reason inside English words.

The hub's refusals are read from the source (ast): each DomainError / bad(...) / _fail(...) message."""

from __future__ import annotations

import ast
from datetime import datetime
from pathlib import Path

import pytest

from hub.domain import queue as rules

ROOT = Path(__file__).resolve().parents[2]
# The verbs a counter terminal or a kiosk sends: the queue, sign-in, appointments, dossier intake/return,
# refusal at intake.
FILES = ("hub/ops/queue.py", "hub/ops/signin.py", "hub/ops/appointments.py", "hub/ops/dossiers.py",
         "hub/domain/queue.py", "hub/domain/intake.py", "hub/domain/appointments.py", "hub/domain/dossier.py",
         "hub/domain/refusals.py")
MESSAGE_ARG = {"DomainError": 1, "bad": 0, "_bad": 0, "_fail": 4}  # where the English message is
ENGLISH_EXTRAS = ("đồng",)  # a Vietnamese word an English sentence keeps (the currency)


def _messages(path: Path) -> list[tuple[int, ast.expr]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    consts = {t.id: n.value for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
              if isinstance(t, ast.Name) and isinstance(n.value, ast.Constant)}
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        i = MESSAGE_ARG.get(name)
        if i is None or len(node.args) <= i:
            continue
        arg = node.args[i]
        if isinstance(arg, ast.Name) and arg.id in consts:
            arg = consts[arg.id]
        if isinstance(arg, ast.Constant | ast.JoinedStr):
            out.append((node.lineno, arg))
    return out


def _parts(arg: ast.expr) -> list[str | None]:
    """The message's literal text, None where a value is filled in; a value named `…_en` is English
    sentences already (the ticket hours' "Ticket hours: 07:30–16:30, Monday to Friday.")."""
    if isinstance(arg, ast.Constant):
        return [str(arg.value)]
    out: list[str | None] = []
    for v in arg.values:  # type: ignore[attr-defined]
        if isinstance(v, ast.Constant):
            out.append(v.value)
        elif isinstance(v, ast.FormattedValue) and isinstance(v.value, ast.Name) and v.value.id.endswith("_en"):
            out.append("English.")
        else:
            out.append(None)
    return out


def test_every_counter_and_kiosk_refusal_is_an_english_sentence() -> None:
    problems, seen = [], 0
    for rel in FILES:
        for line, arg in _messages(ROOT / rel):
            seen += 1
            parts = _parts(arg)
            text = "".join(p if p is not None else "{}" for p in parts)
            first, last = parts[0], parts[-1]
            letters = text
            for word in ENGLISH_EXTRAS:
                letters = letters.replace(word, "")
            if first is not None and not first[:1].isupper():
                problems.append(f"{rel}:{line} does not start a sentence: {text!r}")
            if last is None or not last.rstrip().endswith((".", "?", "!")):
                problems.append(f"{rel}:{line} does not end a sentence: {text!r}")
            if any(c.isalpha() and not c.isascii() for c in letters):
                problems.append(f"{rel}:{line} has Vietnamese in its English: {text!r}")
    assert seen > 80, "the refusals were not found in the source"
    assert problems == []


@pytest.mark.parametrize(("at", "en"), [
    (datetime(2026, 12, 2, 6, 5), "It is not yet time for tickets. Ticket hours: 07:30–16:30, Monday to Friday."),
    (datetime(2026, 12, 2, 16, 45), "Ticket hours are over for today. Ticket hours: 07:30–16:30, Monday to Friday."),
    (datetime(2026, 12, 5, 9, 0), "No tickets are given today. Ticket hours: 07:30–16:30, Monday to Friday."),
])
def test_the_ticket_hours_refusal_gives_the_hours_in_english_too(at: datetime, en: str) -> None:
    refusal = rules.ticket_hours_refusal(rules.TicketHours(), at)
    assert refusal is not None and refusal.code == "closed"
    assert refusal.text("en") == en
    assert refusal.text("vi").endswith("Giờ cấp số: 07:30–16:30, Thứ Hai đến Thứ Sáu.")
    odd = rules.ticket_hours_refusal(rules.TicketHours(weekdays=(1, 3)), at)
    assert odd is not None and odd.text("en").endswith("Ticket hours: 07:30–16:30, Tuesday, Thursday.")


def test_a_transfer_warning_names_the_problem_in_both_languages() -> None:
    assert rules.transfer_target_problem("closed", "lan1") == ("đang đóng", "is closed")
    assert rules.transfer_target_problem("open", None) == ("chưa có cán bộ", "has no officer signed in")
    assert rules.transfer_target_problem("open", "lan1") is None
