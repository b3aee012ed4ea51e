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
    bg: tuple
    fg: tuple
    button: tuple
    button_fg: tuple
    accent: tuple
    warn: tuple
    muted: tuple
    scale: float


NORMAL = Theme(bg=(0.95, 0.96, 0.98, 1), fg=(0.08, 0.1, 0.15, 1), button=(0.05, 0.32, 0.62, 1),
               button_fg=(1, 1, 1, 1), accent=(0.78, 0.1, 0.1, 1), warn=(0.7, 0.25, 0, 1),
               muted=(0.35, 0.38, 0.45, 1), scale=1.0)
CONTRAST = Theme(bg=(0, 0, 0, 1), fg=(1, 1, 1, 1), button=(1, 0.85, 0, 1), button_fg=(0, 0, 0, 1),
                 accent=(1, 0.85, 0, 1), warn=(1, 0.6, 0.2, 1), muted=(0.9, 0.9, 0.9, 1), scale=1.35)


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
    tid = StringProperty("")
    label = StringProperty("")  # the words on the button, without the icon markup

    def __init__(self, text: str, on_press=None, size: float = 28, tid: str = "", height: float = 96,
                 color=None, text_color=None, icon: str | None = None, **kw):
        th = theme()
        kw.setdefault("size_hint_y", None)
        label = text
        if icon:
            from kivy.utils import escape_markup

            text = f"[font={_icon_font()}][size={int(fs(size) * 1.6)}]{icon}[/size][/font]\n{escape_markup(text)}"
            kw["markup"] = True
        kw["label"] = label
        super().__init__(text=text, font_size=fs(size), bold=True, background_normal="",
                         background_color=color or th.button, color=text_color or th.button_fg,
                         halign="center", valign="middle", height=height * th.scale, tid=tid, **kw)
        self.bind(size=lambda *_: setattr(self, "text_size", (self.width - 24, self.height - 8)))
        if on_press is not None:
            self.bind(on_release=lambda *_: on_press())


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
