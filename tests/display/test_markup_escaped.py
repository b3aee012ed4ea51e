"""An applicant's name or a service name is shown as words on every screen, never read as Kivy markup
(issue #21: `[size=30][color=ff0000]NGHỈ HÔM NAY[/color][/size]` as a name took over the lobby board).
The lobby's panels are plain labels now; wherever a label turns markup on (the kiosk's icon buttons), the
words put into it go through Kivy's escape_markup, which Kivy's own parser then shows as typed."""

from __future__ import annotations

import os
import re
from pathlib import Path

os.environ.setdefault("KIVY_NO_ARGS", "1")

ROOT = Path(__file__).resolve().parents[2]
APPS = ("display_controller", "kiosk", "counter_terminal", "devicekit/ui")
MARKUP_ON = re.compile(r"markup\s*[=:]\s*True|\.markup\s*=\s*True|\[\"markup\"\]\s*=\s*True")
HOSTILE = "[size=30][color=ff0000]NGHỈ HÔM NAY[/color][/size]"


def test_every_label_with_markup_on_escapes_what_it_shows() -> None:
    with_markup = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*")):
            if path.suffix not in (".py", ".kv"):
                continue
            text = path.read_text(encoding="utf-8")
            if MARKUP_ON.search(text):
                with_markup.append(path.relative_to(ROOT).as_posix())
                assert "escape_markup(" in text, f"{path}: a label with markup on shows unescaped text"
    assert sorted(with_markup) == ["counter_terminal/screens/serve.py", "kiosk/ui/widgets.py"], with_markup  # a new one: escape it, then list it here


def test_an_escaped_name_is_shown_as_typed_by_kivys_parser() -> None:
    from kivy.core.text.markup import MarkupLabel
    from kivy.utils import escape_markup

    parts = MarkupLabel(text=f"[b]Hộ tịch[/b]\n{escape_markup(HOSTILE)}", markup=True).markup
    tags = [p for p in parts if p.startswith("[") and p.endswith("]")]
    shown = "".join(p for p in parts if p not in tags).replace("&bl;", "[").replace("&br;", "]")
    assert tags == ["[b]", "[/b]"] and HOSTILE in shown
