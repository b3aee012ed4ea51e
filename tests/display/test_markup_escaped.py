"""An applicant's name or a service name is shown as words on the lobby board, never read as Kivy markup
(issue #21: `[size=30][color=ff0000]NGHỈ HÔM NAY[/color][/size]` as a name took over the board). The
panel text goes through Kivy's own markup parser, as the lobby's label does."""

from __future__ import annotations

import os

os.environ.setdefault("KIVY_NO_ARGS", "1")

from display_controller.board import board_view  # noqa: E402
from display_controller.lobby import panel_markup  # noqa: E402

HOSTILE = "[size=30][color=ff0000]NGHỈ HÔM NAY[/color][/size]"


def _tags_and_text(markup: str) -> tuple[list[str], str]:
    from kivy.core.text.markup import MarkupLabel

    parts = MarkupLabel(text=markup, markup=True).markup
    tags = [p for p in parts if p.startswith("[") and p.endswith("]")]
    shown = "".join(p for p in parts if p not in tags)
    return tags, shown.replace("&bl;", "[").replace("&br;", "]").replace("&amp;", "&")


def test_a_name_with_markup_is_shown_as_typed_and_styles_nothing() -> None:
    board = board_view({"ready": [{"code": "HS1", "applicant": HOSTILE, "procedure": "Khai sinh"}],
                        "today": {"finished": 1, "on_time": 1}}, None)
    text = panel_markup("Bảng theo dõi", [f"  {r}" for r in board.ready] + ["Dịch vụ [b]A&B[/b]: 3"])
    tags, shown = _tags_and_text(text)
    assert tags == ["[b]", "[/b]"]  # only the panel's own title is bold
    assert HOSTILE in shown and "Dịch vụ [b]A&B[/b]: 3" in shown
