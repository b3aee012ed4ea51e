"""What each counter action means to the officer: which need a ticket, which are on the keypad, and the
result messages (their words, both languages, are in counter_terminal.words).

Pure: the screen, the keypad and the tests use the same table, so a key and its button never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from counter_terminal.words import Said, action_label, named, say


@dataclass(frozen=True)
class Action:
    name: str
    needs_ticket: bool  # refused locally (no request) when nothing is being served
    keypad: bool  # also on the physical keypad

    @property
    def label(self) -> Said:
        """On the button."""
        return action_label(self.name)


ACTIONS = {a.name: a for a in (
    Action("next", False, True),
    Action("recall", True, True),
    Action("skip", True, True),
    Action("done", True, True),
    Action("hold", True, False),
    Action("resume", False, False),
    Action("transfer", True, False),
    Action("pause", False, False),
    Action("open", False, False),
    Action("undo_skip", False, False),  # "Hoàn tác": the citizen marked absent turned up
)}


def service_of(ticket: dict) -> Said:
    """The ticket's service, in English where the site names it in English."""
    return named(ticket["service_name"], ticket.get("service_name_en"))


def result_message(action: str, result: dict | None) -> Said:
    """The one line shown after an action succeeded."""
    t = (result or {}).get("ticket")
    if action == "next":
        if t is None:
            return say("none_waiting")
        return say("calling", number=t["number"], service=service_of(t))
    if action == "recall":
        return say("recalled", number=t["number"], left=result["recalls_left"])
    if action == "skip":
        return say("skipped", number=t["number"])
    if action == "undo_skip":
        return say("skip_undone", number=t["number"])
    if action == "done":
        return say("done", number=t["number"]) if t else say("done_none")
    if action == "hold":
        return say("held", number=t["number"])
    if action == "resume":
        return say("resumed", number=t["number"])
    if action == "pause":
        return say("paused")
    if action == "open":
        return say("opened")
    return say("ok")
