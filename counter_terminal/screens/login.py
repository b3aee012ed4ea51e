"""Sign-in: username and PIN on an on-screen keyboard, or a badge on the barcode reader."""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.screenmanager import Screen

from devicekit.ui.widgets import ACCENT, BAD, BG, DARK, MUTED, Box, Key

ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")


class LoginScreen(Screen):
    def __init__(self, app, **kw):
        super().__init__(name="login", **kw)
        self.app = app
        self.values = {"username": "", "pin": ""}
        self.field = "username"
        root = BoxLayout(orientation="vertical", padding=12, spacing=8)
        self.title = Box(tid="title", text=f"{app.counter_name} — Đăng nhập cán bộ", bold=True, font_size="24sp",
                         color=(1, 1, 1, 1), bg=DARK, size_hint_y=None, height=52, halign="center")
        root.add_widget(self.title)
        fields = BoxLayout(size_hint_y=None, height=56, spacing=8)
        self.user = Key(tid="username", text="Tên đăng nhập", background_color=(1, 1, 1, 1), color=DARK,
                        bold=False, on_release=lambda *_: self.focus("username"))
        self.pin = Key(tid="pin", text="Mã PIN", background_color=(1, 1, 1, 1), color=DARK, bold=False,
                       on_release=lambda *_: self.focus("pin"))
        fields.add_widget(self.user)
        fields.add_widget(self.pin)
        fields.add_widget(Key(tid="login", text="Đăng nhập", background_color=ACCENT, size_hint_x=0.6,
                              on_release=lambda *_: self.submit()))
        root.add_widget(fields)
        self.message = Box(tid="message", text="Nhập tên đăng nhập và mã PIN, hoặc quét thẻ cán bộ.",
                           color=MUTED, size_hint_y=None, height=36, halign="center")
        root.add_widget(self.message)
        pad = GridLayout(cols=1, spacing=4)
        for row in ROWS:
            line = BoxLayout(spacing=4)
            for ch in row:
                line.add_widget(Key(tid=f"key:{ch}", text=ch, background_color=(0.85, 0.88, 0.92, 1), color=DARK,
                                    on_release=lambda _b, c=ch: self.type(c)))
            if row == ROWS[-1]:
                line.add_widget(Key(tid="key:del", text="Xóa", background_color=MUTED,
                                    on_release=lambda *_: self.backspace()))
            pad.add_widget(line)
        root.add_widget(pad)
        self.add_widget(root)
        self.focus("username")
        with self.canvas.before:
            from kivy.graphics import Color, Rectangle

            Color(*BG)
            self._bg = Rectangle(pos=self.pos, size=self.size)
        self.bind(size=lambda *_: setattr(self._bg, "size", self.size))

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
        self.user.text = self.values["username"] or "Tên đăng nhập"
        self.pin.text = "•" * len(self.values["pin"]) if self.values["pin"] else "Mã PIN"

    def submit(self) -> None:
        self.app.controller.login(self.values["username"], self.values["pin"])

    def show_message(self, text: str, error: bool) -> None:
        self.message.text = text
        self.message.color = BAD if error else MUTED

    def clear(self) -> None:
        self.values = {"username": "", "pin": ""}
        self.focus("username")
