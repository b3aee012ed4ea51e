"""The on-screen Vietnamese keyboard, laid out once for every touch screen of ours (kiosk, counter): Latin
letters, ă â đ ê ô ơ ư, the five tone marks, digits and edits. Each app passes its own button maker, so
the keys look like the rest of its screen; the editing rules are devicekit.ui.vnkeys.apply_key."""

from __future__ import annotations

from collections.abc import Callable

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from devicekit.ui.vnkeys import TONES, VN_LETTERS

# make_button(label, on_press, tid, style) → a widget; style is "key", "tone" or "edit".
MakeButton = Callable[[str, Callable[[], None], str, str], Widget]
ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm.-", VN_LETTERS)
EDIT_LABELS = ("Cách", "Xóa", "Xóa hết")  # space, backspace, clear


class VietKeyboard(GridLayout):
    """`edit_labels`: the words on the space, backspace and clear keys, in the screen's language from the
    app's own table (kiosk/i18n.py, counter_terminal/words.py); Vietnamese when none is given."""

    def __init__(self, on_key: Callable[[str], None], make_button: MakeButton, row_height: float,
                 spacing: float = 6, edit_labels: tuple[str, str, str] = EDIT_LABELS, **kw):
        super().__init__(cols=1, spacing=spacing, size_hint_y=None, **kw)
        self.bind(minimum_height=self.setter("height"))
        for row in ROWS:
            line = BoxLayout(spacing=spacing, size_hint_y=None, height=row_height)
            for ch in row:
                line.add_widget(make_button(ch.upper() if ch.isalpha() else ch, lambda c=ch: on_key(c),
                                            f"key:{ch}", "key"))
            self.add_widget(line)
        tones = BoxLayout(spacing=spacing, size_hint_y=None, height=row_height)
        for name in TONES:
            tones.add_widget(make_button(name, lambda c=name: on_key(c), f"key:{name}", "tone"))
        self.add_widget(tones)
        edits = BoxLayout(spacing=spacing, size_hint_y=None, height=row_height)
        space_label, backspace_label, clear_label = edit_labels
        space = make_button(space_label, lambda: on_key("space"), "key:space", "key")
        space.size_hint_x = 2
        edits.add_widget(space)
        edits.add_widget(make_button(backspace_label, lambda: on_key("backspace"), "key:backspace", "edit"))
        edits.add_widget(make_button(clear_label, lambda: on_key("clear"), "key:clear", "edit"))
        self.add_widget(edits)
