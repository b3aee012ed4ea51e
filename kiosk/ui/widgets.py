"""Big, plain widgets for people who have never used a touch screen: large targets, clear text.

Every widget a test or a technician may need to find carries a `tid` (test id). Sizes scale with the
app's large-text setting; colours come from the theme (normal or high contrast).
"""

from __future__ import annotations

from dataclasses import dataclass

from kivy.app import App
from kivy.graphics import Color, Rectangle
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label

from devicekit.ui.keyboard import VietKeyboard
from kiosk.i18n import keyboard_labels


@dataclass(frozen=True)
class Theme:
    """One action colour (`button`, also `accent`: what to press, and what is chosen — a choice is also
    marked with "✓" and the words "đã chọn", never by colour alone); `muted` for other buttons; `error`
    (red) only for errors; `warn` for a notice. Every pair keeps a contrast of at least 4.5:1."""

    bg: tuple
    fg: tuple
    button: tuple
    button_fg: tuple
    accent: tuple
    warn: tuple
    muted: tuple
    scale: float
    error: tuple = (0.72, 0.1, 0.1, 1)


ACTION = (0.05, 0.32, 0.62, 1)
NORMAL = Theme(bg=(0.95, 0.96, 0.98, 1), fg=(0.08, 0.1, 0.15, 1), button=ACTION,
               button_fg=(1, 1, 1, 1), accent=ACTION, warn=(0.62, 0.22, 0, 1),
               muted=(0.33, 0.36, 0.43, 1), scale=1.0)
CONTRAST = Theme(bg=(0, 0, 0, 1), fg=(1, 1, 1, 1), button=(1, 0.85, 0, 1), button_fg=(0, 0, 0, 1),
                 accent=(1, 0.85, 0, 1), warn=(1, 0.6, 0.2, 1), muted=(0.9, 0.9, 0.9, 1), scale=1.35,
                 error=(1, 0.55, 0.55, 1))
CHECK = "\u2713"  # ✓ (DejaVu Sans): the mark of a chosen option


def theme() -> Theme:
    return getattr(App.get_running_app(), "theme", NORMAL)


def fs(size: float) -> float:
    return size * theme().scale


class Text(Label):
    """A wrapping label in the theme's colour."""

    tid = StringProperty("")

    def __init__(self, text: str = "", size: float = 24, bold: bool = False, color=None, halign: str = "center",
                 tid: str = "", **kw):
        kw.setdefault("size_hint_y", None)
        super().__init__(text=text, font_size=fs(size), bold=bold, color=color or theme().fg, halign=halign,
                         valign="middle", tid=tid, **kw)
        self.bind(width=lambda *_: setattr(self, "text_size", (self.width - 16, None)),
                  texture_size=lambda *_: setattr(self, "height", self.texture_size[1] + 12))


# Pictograms from DejaVu Sans (bundled with Kivy), so a person who reads little still finds the field.
FIELD_ICONS = {"tu-phap": "\u2696", "dat-dai": "\u2302", "xay-dung": "\u2692", "kinh-doanh": "\u2699",
               "noi-vu": "\u2605", "lao-dong": "\u2602", "nong-nghiep": "\u2618", "van-hoa": "\u266b"}


def _icon_font() -> str:
    from pathlib import Path

    import kivy

    return str(Path(kivy.__file__).parent / "data" / "fonts" / "DejaVuSans.ttf")


class BigButton(Button):
    """A large button whose words are fitted to it: the largest size (up to `size`, scaled by the theme)
    at which they wrap at spaces — never inside a word ("Xã / hội") — with the icon kept above them."""

    tid = StringProperty("")
    label = StringProperty("")  # the words on the button, without the icon markup

    def __init__(self, text: str, on_press=None, size: float = 28, tid: str = "", height: float = 96,
                 color=None, text_color=None, icon: str | None = None, selected: bool = False, **kw):
        th = theme()
        kw.setdefault("size_hint_y", None)
        kw["label"] = text
        self._words, self._icon, self._size = text, icon or (CHECK if selected else None), size
        super().__init__(text=text, font_size=fs(size), bold=True, background_normal="", markup=True,
                         background_color=color or (th.accent if selected else th.button),
                         color=text_color or th.button_fg,
                         halign="center", valign="middle", height=height * th.scale, tid=tid, **kw)
        self.bind(size=self._fit)
        if on_press is not None:
            self.bind(on_release=lambda *_: on_press())

    def _fit(self, *_):
        from kivy.utils import escape_markup

        from devicekit.ui.fit import fit
        from devicekit.ui.fitlabel import measure_for

        top = fs(self._size)
        above = bool(self._icon) and self.height > top * 3.2  # room for the icon over the words
        icon_h = top * 1.6 * 1.25 if above else 0.0
        icon_w = top * 1.5 if self._icon and not above else 0.0  # else it goes before them, never dropped
        box = (max(self.width - 24 - icon_w, 10), max(self.height - 8 - icon_h, 10))
        got = fit(self._words, box, (int(top), int(min(top, self._size * 0.75))), measure_for(True), max_lines=4,
                  shorten=False)
        words = escape_markup(got.text)
        self.font_size = got.font_px
        if above:
            words = f"[font={_icon_font()}][size={int(top * 1.6)}]{self._icon}[/size][/font]\n{words}"
        elif self._icon:
            words = f"[font={_icon_font()}]{self._icon}[/font] {words}"
        self.text = words
        self.text_size = (self.width - 24, None)


class Panel(BoxLayout):
    """A vertical box painted with the theme background."""

    def __init__(self, **kw):
        kw.setdefault("orientation", "vertical")
        super().__init__(**kw)
        with self.canvas.before:
            self._c = Color(*theme().bg)
            self._r = Rectangle(pos=self.pos, size=self.size)
        self.bind(pos=self._sync, size=self._sync)

    def _sync(self, *_):
        self._r.pos, self._r.size = self.pos, self.size


class Keyboard(VietKeyboard):
    """The shared Vietnamese on-screen keyboard (devicekit.ui.keyboard) with the kiosk's big buttons; its
    edit keys in the citizen's language `lang` (screens rebuild it when the language button is pressed)."""

    def __init__(self, on_key, lang: str = "vi", **kw):
        def button(label, press, tid, style):
            color = {"tone": theme().muted, "edit": theme().warn}.get(style)
            extra = {"color": color} if color else {}
            return BigButton(label, press, size=26 if style == "key" else 22, tid=tid, height=64, size_hint_y=1,
                             **extra)
        super().__init__(on_key, button, 68 * theme().scale, edit_labels=keyboard_labels(lang), **kw)
