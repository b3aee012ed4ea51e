"""Sign-in: username and PIN on an on-screen keyboard, or a badge on the barcode reader."""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.screenmanager import Screen

from counter_terminal.words import Said, say, t
from devicekit.ui.widgets import ACCENT, BAD, BG, DARK, MUTED, Box, Key

ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")


class LoginScreen(Screen):
    def __init__(self, app, **kw):
        super().__init__(name="login", **kw)
        self.app = app
        self.values = {"username": "", "pin": ""}
        self.field = "username"
        self.said, self.error = say("login_hint"), False
        root = BoxLayout(orientation="vertical", padding=12, spacing=8)
        top = BoxLayout(size_hint_y=None, height=52, spacing=8)
        self.title = Box(tid="title", text="", bold=True, font_size="24sp", color=(1, 1, 1, 1), bg=DARK,
                         halign="center")
        top.add_widget(self.title)
        # The language toggle names the language it switches to ("English" / "Tiếng Việt").
        self.lang = Key(tid="lang", text="", font_size="16sp", background_color=MUTED, size_hint_x=0.2,
                        on_release=lambda *_: app.toggle_language())
        top.add_widget(self.lang)
        root.add_widget(top)
        fields = BoxLayout(size_hint_y=None, height=56, spacing=8)
        self.user = Key(tid="username", text="", background_color=(1, 1, 1, 1), color=DARK,
                        bold=False, on_release=lambda *_: self.focus("username"))
        self.pin = Key(tid="pin", text="", background_color=(1, 1, 1, 1), color=DARK, bold=False,
                       on_release=lambda *_: self.focus("pin"))
        fields.add_widget(self.user)
        fields.add_widget(self.pin)
        self.login = Key(tid="login", text="", background_color=ACCENT, size_hint_x=0.6,
                         on_release=lambda *_: self.submit())
        fields.add_widget(self.login)
        root.add_widget(fields)
        self.message = Box(tid="message", text="", color=MUTED, size_hint_y=None, height=36, halign="center")
        root.add_widget(self.message)
        pad = GridLayout(cols=1, spacing=4)
        for row in ROWS:
            line = BoxLayout(spacing=4)
            for ch in row:
                line.add_widget(Key(tid=f"key:{ch}", text=ch, background_color=(0.85, 0.88, 0.92, 1), color=DARK,
                                    on_release=lambda _b, c=ch: self.type(c)))
            if row == ROWS[-1]:
                self.delete = Key(tid="key:del", text="", background_color=MUTED,
                                  on_release=lambda *_: self.backspace())
                line.add_widget(self.delete)
            pad.add_widget(line)
        root.add_widget(pad)
        self.add_widget(root)
        self.relabel()
        self.focus("username")
        with self.canvas.before:
            from kivy.graphics import Color, Rectangle

            Color(*BG)
            self._bg = Rectangle(pos=self.pos, size=self.size)
        self.bind(size=lambda *_: setattr(self._bg, "size", self.size))

    def relabel(self) -> None:
        """Every word on this screen in the app's language (called again by the language toggle)."""
        lang = self.app.lang
        self.title.text = t("login_title", lang, counter=self.app.counter_name.text(lang))
        self.lang.text = t("lang_toggle", lang)
        self.login.text = t("login", lang)
        self.delete.text = t("key_del", lang)
        self.show_message(self.said, self.error)
        self._show()

    def focus(self, name: str) -> None:
        self.field = name
        for w, n in ((self.user, "username"), (self.pin, "pin")):
            w.background_color = (1, 0.97, 0.8, 1) if n == name else (1, 1, 1, 1)
        self._show()

    def type(self, ch: str) -> None:
        if self.field == "pin" and not ch.isdigit():
            return
        if len(self.values[self.field]) < (8 if self.field == "pin" else 32):
            self.values[self.field] += ch
        self._show()

    def backspace(self) -> None:
        self.values[self.field] = self.values[self.field][:-1]
        self._show()

    def _show(self) -> None:
        lang = self.app.lang
        self.user.text = self.values["username"] or t("username", lang)
        self.pin.text = "•" * len(self.values["pin"]) if self.values["pin"] else t("pin", lang)

    def submit(self) -> None:
        self.app.controller.login(self.values["username"], self.values["pin"])

    def show_message(self, said: Said, error: bool) -> None:
        self.said, self.error = said, error
        self.message.text = said.text(self.app.lang)
        self.message.color = BAD if error else MUTED

    def clear(self) -> None:
        self.values = {"username": "", "pin": ""}
        self.focus("username")
