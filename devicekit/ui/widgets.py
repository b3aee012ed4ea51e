"""Small widgets shared by the counter screens; every one can carry a test id (`tid`)."""

from __future__ import annotations

from kivy.graphics import Color, Rectangle
from kivy.properties import ListProperty, StringProperty
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.textinput import TextInput

BG = (0.96, 0.97, 0.98, 1)
DARK = (0.11, 0.16, 0.24, 1)
ACCENT = (0.05, 0.38, 0.73, 1)
GOOD = (0.11, 0.55, 0.27, 1)
WARN = (0.80, 0.42, 0.05, 1)
BAD = (0.75, 0.13, 0.13, 1)
MUTED = (0.42, 0.47, 0.55, 1)


class Box(Label):
    """A label with a background colour (Kivy labels have none)."""

    tid = StringProperty("")
    bg = ListProperty([0, 0, 0, 0])

    def __init__(self, **kw):
        kw.setdefault("color", DARK)
        super().__init__(**kw)
        with self.canvas.before:
            self._c = Color(*self.bg)
            self._r = Rectangle(pos=self.pos, size=self.size)
        self.bind(pos=self._sync, size=self._sync, bg=self._sync)
        self.bind(size=self._wrap)

    def _wrap(self, *_):
        """Left-aligned text wraps inside the box; top-aligned text starts at the top edge."""
        if self.valign == "top":
            self.text_size = (self.width - 16, self.height - 12)
        elif self.halign != "center":
            self.text_size = (self.width - 16, None)

    def _sync(self, *_):
        self._c.rgba = self.bg
        self._r.pos, self._r.size = self.pos, self.size


class Key(Button):
    tid = StringProperty("")

    def __init__(self, **kw):
        kw.setdefault("background_normal", "")
        kw.setdefault("background_color", ACCENT)
        kw.setdefault("color", (1, 1, 1, 1))
        kw.setdefault("font_size", "20sp")
        kw.setdefault("bold", True)
        super().__init__(**kw)


class Field(TextInput):
    """A one-line text field (physical keyboard or a scanner typing like one); Enter validates."""

    tid = StringProperty("")

    def __init__(self, **kw):
        kw.setdefault("multiline", False)
        kw.setdefault("font_size", "16sp")
        kw.setdefault("write_tab", False)
        super().__init__(**kw)
