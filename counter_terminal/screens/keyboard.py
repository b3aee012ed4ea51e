"""The counter's on-screen Vietnamese keyboard for the intake form (issue #13): a touch screen has no
physical keyboard or input method, yet names and addresses need their diacritics. The keys and their
rules are the kiosk's (devicekit.ui.keyboard, devicekit.ui.vnkeys); this is the counter's frame."""

from __future__ import annotations

from collections.abc import Mapping

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.modalview import ModalView
from kivy.uix.textinput import TextInput

from counter_terminal.words import t
from devicekit.ui.keyboard import VietKeyboard
from devicekit.ui.vnkeys import apply_key, capitalise_words
from devicekit.ui.widgets import ACCENT, BG, DARK, GOOD, MUTED, WARN, Box, Key

WORD_CASE = {"name", "address", "post_address"}  # each word starts upper case (no shift key)
ROW_H = 40


class TouchKeyboard(ModalView):
    """Types into one of the form's fields, chosen at the top; "Xong" closes it. `labels` name the fields
    in `lang`, the counter's screen language; the keys' letters are the same in both."""

    def __init__(self, fields: Mapping[str, TextInput], labels: Mapping[str, str], lang: str = "vi", **kw):
        super().__init__(size_hint=(1, 1), auto_dismiss=False, background_color=BG, **kw)
        self.fields, self.labels, self.target = fields, labels, next(iter(fields))
        root = BoxLayout(orientation="vertical", padding=4, spacing=3)
        tabs = BoxLayout(size_hint_y=None, height=34, spacing=3)
        self.tabs: dict[str, Key] = {}
        for key, label in labels.items():
            self.tabs[key] = Key(tid=f"kbd_field:{key}", text=label, font_size="13sp",
                                 on_release=lambda *_, k=key: self.choose(k))
            tabs.add_widget(self.tabs[key])
        root.add_widget(tabs)
        row = BoxLayout(size_hint_y=None, height=38, spacing=3)
        self.preview = Box(tid="kbd_preview", text="", font_size="17sp", bold=True, bg=(1, 1, 1, 1), color=DARK)
        row.add_widget(self.preview)
        row.add_widget(Key(tid="kbd_done", text=t("kbd_done", lang), background_color=GOOD, size_hint_x=0.2, font_size="16sp",
                           on_release=lambda *_: self.dismiss()))
        root.add_widget(row)

        def button(label, press, tid, style):
            color = {"tone": MUTED, "edit": WARN}.get(style, ACCENT)
            return Key(tid=tid, text=label, font_size="15sp", background_color=color,
                       on_release=lambda *_: press())
        edits = (t("kbd_space", lang), t("kbd_backspace", lang), t("kbd_clear", lang))
        root.add_widget(VietKeyboard(self.type, button, ROW_H, spacing=3, edit_labels=edits))
        self.add_widget(root)
        self.choose(self.target)

    def choose(self, key: str) -> None:
        self.target = key
        for k, tab in self.tabs.items():
            tab.background_color = ACCENT if k == key else MUTED
        self._show()

    def type(self, key: str) -> None:
        field = self.fields[self.target]
        text = apply_key(field.text, key)
        field.text = capitalise_words(text) if self.target in WORD_CASE else text
        self._show()

    def _show(self) -> None:
        self.preview.text = f"{self.labels[self.target]}: {self.fields[self.target].text}_"
