"""Voting tablet screens: idle (counter and officer), the rating, reasons when not satisfied, thanks.

The hub opens a vote with `vote.open` when the officer completes a ticket. The answer goes to the
durable outbox at once: it reaches the hub even if the hub or the network is down right now.
"""

from __future__ import annotations

import time

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.screenmanager import Screen

from kiosk.i18n import t
from kiosk.ui.dispenser import _Base
from kiosk.ui.widgets import BigButton, Text, theme
from kiosk.voting import ASKING, DOSSIER, REASONS, THANKS, VoteFlow

THANKS_S = 5.0
RATING_COLOURS = {4: (0.05, 0.5, 0.2, 1), 3: (0.2, 0.6, 0.3, 1), 2: (0.55, 0.5, 0.1, 1), 1: (0.75, 0.15, 0.1, 1)}


class VoteScreen(_Base):
    """One screen whose content follows the VoteFlow state."""

    def __init__(self, app, **kw):
        super().__init__(app, **kw)
        self.flow = VoteFlow()
        self.officer: str | None = None
        self._timer = None
        app.core.on_vote_open = lambda cmd: Clock.schedule_once(lambda *_: self.open(cmd))
        pending, app.core.pending_vote = app.core.pending_vote, None
        if pending is not None:
            Clock.schedule_once(lambda *_: self.open(pending))
        app.core.session.subscribe_display(self._display)

    def _display(self, leaf: str, msg: dict) -> None:
        if leaf != "state":
            return
        number = ((self.app.core.config or {}).get("counter") or {}).get("number")
        c = next((c for c in msg.get("counters", []) if c.get("number") == number), None)
        officer = c.get("officer") if c else None
        if officer != self.officer:
            self.officer = officer
            Clock.schedule_once(lambda *_: self.refresh() if self.flow.state == "idle" else None)

    def open(self, cmd: dict) -> None:
        if self.flow.open(cmd):
            self.app.last_touch = time.monotonic()
            self._arm(float(cmd.get("timeout_s") or 60))
            self.refresh()

    def _arm(self, seconds: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = Clock.schedule_once(lambda *_: self._timeout(), seconds)

    def _timeout(self) -> None:
        self._send(self.flow.timeout())
        if self.flow.state != THANKS:
            self.flow.reset()
        self.refresh()

    def _send(self, vote: dict | None) -> None:
        if vote is None:
            return
        self.app.core.submit_vote(vote["ticket_id"], vote["rating"], vote["reasons"])
        self._arm(float(self.flow.vote.get("timeout_s") or 60) if self.flow.state == DOSSIER else THANKS_S)

    def _answer(self, value: int | None) -> None:
        rating = self.flow.answer_dossier(value)
        if rating is not None:
            self.app.core.submit_dossier_rating(rating)
            self._arm(THANKS_S)
        self.refresh()

    def _choose(self, rating: int) -> None:
        self._send(self.flow.choose(rating))
        self.refresh()

    def _toggle(self, reason: str) -> None:
        self.flow.toggle_reason(reason)
        self.refresh()

    def _submit(self) -> None:
        self._send(self.flow.send())
        self.refresh()

    def fill(self, box, lang):
        th = theme()
        cfg = self.app.core.config or {}
        counter = (cfg.get("counter") or {}).get("name", "")
        flow = self.flow
        if flow.state == THANKS:
            box.add_widget(Text(t("vote_thanks", lang), size=54, bold=True, color=th.fg, tid="thanks",
                                size_hint_y=1))
            return
        if flow.state == DOSSIER:
            q, d = flow.dossier_question, flow.vote["dossier"]
            n = len(flow.dossier_questions)
            box.add_widget(Text(t("vote_dossier", lang, code=d["code"], i=flow.step + 1, n=n), size=22,
                                color=th.muted, tid="dossier"))
            box.add_widget(Text(q.get("text", ""), size=32, bold=True, tid="question"))
            grid = GridLayout(cols=1, spacing=12, size_hint_y=1)
            for o in q.get("options", []):
                grid.add_widget(BigButton(o["text"], lambda v=o["value"]: self._answer(v), size=30,
                                          tid=f"dq:{q['id']}:{o['value']}", size_hint_y=1))
            if q["id"] != "overall":
                grid.add_widget(BigButton(t("vote_skip", lang), lambda: self._answer(None), size=26, tid="skip",
                                          size_hint_y=1, color=th.muted))
            box.add_widget(grid)
            return
        if flow.state in (ASKING, REASONS):
            q = flow.question
            box.add_widget(Text(f"{counter} · {flow.vote.get('service_name', '')} · {flow.vote.get('ticket', '')}",
                                size=22, color=th.muted, tid="context"))
            text = q.get("text_en") if lang == "en" else q.get("text_vi")
            box.add_widget(Text(text, size=36, bold=True, tid="question"))
            if flow.state == ASKING:
                grid = GridLayout(cols=1, spacing=14, size_hint_y=1)
                for o in q["options"]:
                    grid.add_widget(BigButton(o["en"] if lang == "en" else o["vi"], lambda v=o["value"]: self._choose(v),
                                              size=40, tid=f"rate:{o['value']}", size_hint_y=1,
                                              color=th.button if th.scale > 1 else RATING_COLOURS.get(o["value"])))
                box.add_widget(grid)
            else:
                box.add_widget(Text(t("vote_reasons", lang), size=26, tid="reasons_title"))
                grid = GridLayout(cols=2, spacing=12, size_hint_y=1)
                for r in q.get("reasons", []):
                    on = r["id"] in flow.reasons
                    words = r["en"] if lang == "en" else r["vi"]
                    grid.add_widget(BigButton(t("chosen", lang, what=words) if on else words,
                                              lambda rid=r["id"]: self._toggle(rid), size=26, tid=f"reason:{r['id']}",
                                              size_hint_y=1, selected=on, color=th.accent if on else th.muted))
                box.add_widget(grid)
                row = BoxLayout(size_hint_y=None, height=110 * th.scale)
                row.add_widget(BigButton(t("vote_send", lang), self._submit, size=36, tid="send", size_hint_y=1))
                box.add_widget(row)
            return
        box.add_widget(Text(counter, size=90, bold=True, color=th.fg, tid="counter", size_hint_y=1))
        box.add_widget(Text(t("officer", lang, name=self.officer) if self.officer else t("no_officer", lang),
                            size=36, bold=True, tid="officer"))
        box.add_widget(Text(t("vote_idle_hint", lang), size=26, color=th.muted, tid="hint"))

    def on_idle(self) -> None:  # the app's idle timer: the vote has its own timeout
        pass


def screens(app) -> list[Screen]:
    return [VoteScreen(app, name="vote")]
