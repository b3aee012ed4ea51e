"""The lobby's proportions for the screen it is on (pure): 16:9 at any resolution (720p, 1080p, 4K) or
portrait (1080×1920). Every font is a share of the screen height, never below MIN_SHARE, so what is
readable from the seats at 720p stays so at 4K."""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_SHARE = 0.03  # secondary text: at least 3 % of the screen height


@dataclass(frozen=True)
class LobbyLayout:
    portrait: bool
    width: int
    height: int
    gap: int
    header: float  # shares of the height
    banner: float
    notice: float
    panels: float  # landscape: share of the width beside the grid; portrait: share of the height below it
    tile_rows_as_lines: bool  # portrait: one line per counter (name · number · service)
    row_lines: int = 1  # lines a panel row's name may take (portrait panels are narrow)
    notice_lines: int = 2

    def px(self, share: float) -> int:
        return max(self.min_px, round(share * self.height))

    @property
    def min_px(self) -> int:
        return math.ceil(MIN_SHARE * self.height)

    def cols(self, counters: int) -> int:
        if self.tile_rows_as_lines:
            return 1
        return 4 if counters > 6 else 3 if counters > 2 else max(counters, 1)


def lobby_layout(width: int, height: int) -> LobbyLayout:
    gap = max(4, round(height / 120))
    if height > width:
        return LobbyLayout(True, width, height, max(4, gap // 2), header=0.14, banner=0.06, notice=0.13,
                           panels=0.42, tile_rows_as_lines=True, row_lines=2, notice_lines=3)
    return LobbyLayout(False, width, height, gap, header=0.09, banner=0.11, notice=0.09, panels=0.27,
                       tile_rows_as_lines=False)
