"""The voting tablet's rules, without a screen: which ticket is being rated, what to send, when to stop.

States: idle → asking (vote.open arrived) → reasons (only for "not satisfied") → [dossier: when a result was
handed over with that ticket, its handling is rated on the contents of Decree 118/2025 Art. 33(1), one
question a page, each skippable but the overall one] → thanks → idle.
One vote per ticket: a repeated vote.open (QoS 1 may deliver twice) or a second tap is ignored.
A citizen who rated but walked away from the reasons page still has the rating counted, without reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field

IDLE, ASKING, REASONS, DOSSIER, THANKS = "idle", "asking", "reasons", "dossier", "thanks"


@dataclass
class VoteFlow:
    state: str = IDLE
    vote: dict | None = None  # the vote.open command being answered
    rating: int | None = None
    reasons: list[str] = field(default_factory=list)
    done: set[int] = field(default_factory=set)  # ticket ids already answered or abandoned
    step: int = 0  # the dossier question being asked (criteria, then the overall one)
    answers: dict = field(default_factory=dict)

    def open(self, cmd: dict) -> bool:
        """Start rating a ticket; False when it was already rated (or is being rated)."""
        tid = cmd.get("ticket_id")
        if not isinstance(tid, int) or tid in self.done or (self.vote and self.vote["ticket_id"] == tid):
            return False
        self.state, self.vote, self.rating, self.reasons = ASKING, cmd, None, []
        return True

    @property
    def question(self) -> dict:
        assert self.vote is not None
        return self.vote["questions"][0]

    def choose(self, rating: int) -> dict | None:
        """A rating was tapped; returns the vote to send now, or None when reasons are asked first."""
        if self.state != ASKING:
            return None
        self.rating = rating
        if rating <= self.question.get("reasons_at_or_below", 1) and self.question.get("reasons"):
            self.state = REASONS
            return None
        return self._finish()

    def toggle_reason(self, reason: str) -> None:
        if self.state == REASONS:
            if reason in self.reasons:
                self.reasons.remove(reason)
            else:
                self.reasons.append(reason)

    def send(self) -> dict | None:
        return self._finish() if self.state == REASONS else None

    def timeout(self) -> dict | None:
        """The citizen left: a rating already given is still sent; otherwise nothing is."""
        if self.state == REASONS:
            return self._finish()
        if self.state == DOSSIER:  # left before the overall answer: the dossier is not rated
            self.state, self.vote = IDLE, None
            return None
        if self.state == ASKING and self.vote is not None:
            self.done.add(self.vote["ticket_id"])
        self.state, self.vote = IDLE, None
        return None

    def _finish(self) -> dict:
        assert self.vote is not None and self.rating is not None
        self.done.add(self.vote["ticket_id"])
        out = {"ticket_id": self.vote["ticket_id"], "rating": self.rating, "reasons": list(self.reasons)}
        self.state = DOSSIER if self.vote.get("dossier") else THANKS
        self.step, self.answers = 0, {}
        return out

    # --- the dossier's handling (Decree 118/2025 Art. 33) ------------------------------------------
    @property
    def dossier_questions(self) -> list[dict]:
        d = (self.vote or {}).get("dossier") or {}
        return [*d.get("criteria", []), {"id": "overall", **d.get("overall", {})}]

    @property
    def dossier_question(self) -> dict:
        return self.dossier_questions[self.step]

    def answer_dossier(self, value: int | None) -> dict | None:
        """An answer (None: skipped) to the current question; returns the rating to send once the overall
        question is answered. The overall answer cannot be skipped."""
        if self.state != DOSSIER:
            return None
        q = self.dossier_question
        if q["id"] == "overall":
            if value is None:
                return None
            assert self.vote is not None
            self.state = THANKS
            return {"ticket_id": self.vote["ticket_id"], "overall": value, "answers": dict(self.answers)}
        if value is not None:
            self.answers[q["id"]] = value
        self.step += 1
        return None

    def reset(self) -> None:
        self.state, self.vote, self.rating, self.reasons = IDLE, None, None, []
        self.step, self.answers = 0, {}
