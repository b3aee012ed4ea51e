"""Small widgets shared by the counter screens; every one can carry a test id (`tid`)."""

from __future__ import annotations

from kivy.graphics import Color, Rectangle
from kivy.properties import BooleanProperty, ListProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
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


TOUCH_MIN_PX = 48  # 9 mm on the counter's 7-inch 800×480 screen (about 5.2 px per mm)


class CheckRow(BoxLayout):
    """A real checkbox with its words: the box and the words together are one touch target at least
    9 mm high (TOUCH_MIN_PX), ticked or not by a tap anywhere on the row. `text` holds the words, `active`
    the state; `on_toggle(active)` is called after each tap."""

    tid = StringProperty("")
    text = StringProperty("")
    label = StringProperty("")  # what a test reads: "☑ words" or "☐ words"
    active = BooleanProperty(False)

    def __init__(self, text: str = "", active: bool = False, on_toggle=None, font_size: str = "14sp", **kw):
        from kivy.uix.checkbox import CheckBox

        kw.setdefault("size_hint_y", None)
        kw.setdefault("height", TOUCH_MIN_PX)
        super().__init__(orientation="horizontal", spacing=6, padding=(4, 0), **kw)
        self.height = max(self.height, TOUCH_MIN_PX)
        self.box = CheckBox(active=active, size_hint=(None, 1), width=TOUCH_MIN_PX, color=(0.05, 0.2, 0.45, 1))
        self.box.bind(active=lambda _c, v: setattr(self, "active", v))
        self.words = Box(text=text, font_size=font_size, halign="left", bg=(1, 1, 1, 1))
        self.add_widget(self.box)
        self.add_widget(self.words)
        # a long name (three lines) makes the row taller, never cut
        self.words.bind(texture_size=lambda _w, ts: setattr(self, "height", max(TOUCH_MIN_PX, ts[1] + 8)))
        self.text, self.active = text, active
        self.bind(text=lambda _w, v: (setattr(self.words, "text", v), self._paint()),
                  active=lambda _w, v: (setattr(self.box, "active", v), self._paint()))
        self.on_toggle = on_toggle
        with self.canvas.before:
            self._c = Color(*BG)
            self._r = Rectangle(pos=self.pos, size=self.size)
        self.bind(pos=self._sync, size=self._sync)
        self._paint()

    def _sync(self, *_):
        self._r.pos, self._r.size = self.pos, self.size

    def _paint(self) -> None:
        self.words.bg = [0.86, 0.94, 0.88, 1] if self.active else [1, 1, 1, 1]
        self.label = ("\u2611 " if self.active else "\u2610 ") + self.text

    def on_touch_down(self, touch):
        if not self.collide_point(*touch.pos) or self.disabled:
            return super().on_touch_down(touch)
        self.active = not self.active
        if self.on_toggle is not None:
            self.on_toggle(self.active)
        return True
