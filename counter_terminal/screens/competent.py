"""Choosing the competent agency at intake (Decree 118/2025 Art. 14(2): a commune's procedure taken in
at any centre of the province): the province's directory of agencies, each with where it works, one key
each; "Theo danh mục" goes back to the catalogue's agency. The hub routes the dossier there
(docs/province.md, "The province's directory of agencies")."""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.modalview import ModalView
from kivy.uix.scrollview import ScrollView

from counter_terminal.words import refusal, t
from devicekit.ui.background import in_background
from devicekit.ui.widgets import ACCENT, BAD, BG, DARK, MUTED, Box, Key


class CompetentPanel(ModalView):
    def __init__(self, screen, core, **kw):
        super().__init__(size_hint=(0.97, 0.94), auto_dismiss=False, background_color=BG, **kw)
        self.screen, self.lang = screen, screen.app.lang
        lang = self.lang
        root = BoxLayout(orientation="vertical", padding=6, spacing=4)
        root.add_widget(Box(tid="competent_title", text=t("competent_title", lang), bold=True, font_size="16sp",
                            color=(1, 1, 1, 1), bg=DARK, size_hint_y=None, height=38))
        scroll = ScrollView()
        self.listing = GridLayout(cols=1, spacing=3, size_hint_y=None)
        self.listing.bind(minimum_height=self.listing.setter("height"))
        scroll.add_widget(self.listing)
        root.add_widget(scroll)
        self.message = Box(tid="competent_message", text=t("sending", lang), font_size="15sp", color=MUTED,
                           size_hint_y=None, height=44, bg=(1, 1, 1, 1))
        root.add_widget(self.message)
        keys = BoxLayout(size_hint_y=None, height=48, spacing=6)
        keys.add_widget(Key(tid="competent_catalogue", text=t("competent_catalogue", lang), background_color=ACCENT,
                            on_release=lambda *_: self.choose(None)))
        keys.add_widget(Key(tid="competent_cancel", text=t("cancel", lang), background_color=MUTED, size_hint_x=0.3,
                            on_release=lambda *_: self.dismiss()))
        root.add_widget(keys)
        self.add_widget(root)
        in_background(lambda: core.agencies(), self._listed)

    def _listed(self, agencies, err) -> None:
        if err is not None:
            self.message.text, self.message.color = refusal(err).text(self.lang), BAD
            return
        if not agencies:
            self.message.text, self.message.color = t("competent_none", self.lang), BAD
            return
        self.message.text, self.message.color = t("competent_hint", self.lang), MUTED
        for i, a in enumerate(agencies):
            where = a["name"] or a["centre"]
            key = Key(tid=f"competent:{i}", text=t("competent_where", self.lang, agency=a["agency"], where=where),
                      font_size="15sp", bold=False, background_color=ACCENT, size_hint_y=None, height=48,
                      halign="left", valign="middle", shorten=True, shorten_from="right",
                      on_release=lambda *_, name=a["agency"]: self.choose(name))
            key.bind(size=lambda w, s: setattr(w, "text_size", (s[0] - 16, s[1])))
            self.listing.add_widget(key)

    def choose(self, agency: str | None) -> None:
        self.dismiss()
        self.screen.competent_chosen(agency)
