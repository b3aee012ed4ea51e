"""Labels that keep their text inside their box (devicekit.ui.fit decides size and wording): the lobby's."""

from __future__ import annotations

from functools import lru_cache

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.graphics import Color, Rectangle
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, OptionProperty, StringProperty
from kivy.uix.widget import Widget

from devicekit.ui.fit import Fitted, fit

PAD = 0.04  # of the box's smaller side, kept free around the text


@lru_cache(maxsize=8192)
def _extent(text: str, px: int, bold: bool) -> tuple[float, float]:
    w, h = CoreLabel(font_size=px, bold=bold).get_extents(text)
    return float(w), float(h)


def measure_for(bold: bool):
    return lambda text, px: _extent(text, int(px), bold)


class FitLabel(Widget):
    """Text drawn at the largest size in [min_px, max_px] that fits the box on at most `max_lines` lines,
    else shortened by rule. `text` is what the screen means; `shown` what it draws. `texture_size` is the
    drawn text's size, so a test can check it against the box."""

    tid = StringProperty("")
    text = StringProperty("")
    shown = StringProperty("")
    color = ListProperty([1, 1, 1, 1])
    bg = ListProperty([0, 0, 0, 0])
    bold = BooleanProperty(False)
    halign = OptionProperty("center", options=["left", "center", "right"])
    max_px = NumericProperty(24)
    min_px = NumericProperty(16)
    max_lines = NumericProperty(1)
    shorten = BooleanProperty(True)
    font_size = NumericProperty(0)
    texture_size = ListProperty([0, 0])

    def __init__(self, **kw):
        super().__init__(**kw)
        with self.canvas:
            self._bg_c = Color(*self.bg)
            self._bg_r = Rectangle(pos=self.pos, size=self.size)
            self._fg_c = Color(*self.color)
            self._fg_r = Rectangle(size=(0, 0))
        self._trigger = Clock.create_trigger(self.refit, -1)
        for prop in ("text", "bold", "max_px", "min_px", "max_lines", "size", "halign", "shorten"):
            self.bind(**{prop: self._trigger})
        self.bind(pos=self._place, bg=self._paint, color=self._paint)
        self._trigger()

    def _paint(self, *_):
        self._bg_c.rgba = self.bg
        self._fg_c.rgba = self.color

    def fitted(self) -> Fitted:
        pad = PAD * min(self.width, self.height)
        box = (max(self.width - 2 * pad, 1), max(self.height - 2 * pad, 1))
        lo = int(self.min_px)
        return fit(self.text, box, (max(int(self.max_px), lo), lo), measure_for(self.bold), int(self.max_lines),
                   self.shorten)

    def refit(self, *_):
        f = self.fitted()
        self.shown = f.text
        self.font_size = f.font_px
        if f.text:
            core = CoreLabel(text=f.text, font_size=f.font_px, bold=self.bold, halign=self.halign)
            core.refresh()
            tex = core.texture
            self._fg_r.texture = tex
            self.texture_size = list(tex.size)
        else:
            self._fg_r.texture = None
            self.texture_size = [0, 0]
        self._place()

    def _place(self, *_):
        self._bg_r.pos, self._bg_r.size = self.pos, self.size
        tw, th = self.texture_size
        pad = PAD * min(self.width, self.height)
        x = {"left": self.x + pad, "right": self.right - pad - tw}.get(self.halign, self.center_x - tw / 2)
        self._fg_r.pos = (int(x), int(self.center_y - th / 2))
        self._fg_r.size = (tw, th)
