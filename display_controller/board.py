"""The TTHC progress board: results ready to collect (names masked by the hub) and on-time rates,
with today's queue statistics beside them.

Data: the hub's public HTTP API, `GET /api/v1/sites/<site>/board` (dossiers) and `.../kpis/public` (the
day's overall queue figures; the full KPIs, per officer, need a leader's sign-in).
`board_view` is pure: it turns those answers (either may be missing, e.g. a hub without the dossier
module, or a network cut) into the lines the screen shows, so the screen never has to guess.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field

log = logging.getLogger("motcua.board")
MAX_READY_SHOWN = 8


@dataclass
class BoardView:
    ready: list[str] = field(default_factory=list)  # "HS-… · Nguyễn V** A** · Đăng ký khai sinh"
    ready_total: int = 0
    on_time_today: str = "—"
    on_time_week: str = "—"
    queue: list[str] = field(default_factory=list)  # queue statistics lines
    has_dossiers: bool = False


def _pct(rate: dict | None) -> str:
    if not rate or not rate.get("finished"):
        return "—"
    r = rate.get("rate")
    if r is None:
        r = rate["on_time"] / rate["finished"]
    return f"{r * 100:.0f}% ({rate['on_time']}/{rate['finished']} hồ sơ)"


def _minutes(seconds: float | None) -> str:
    return "—" if seconds is None else f"{round(seconds / 60)} phút"


def board_view(board: dict | None, kpis: dict | None) -> BoardView:
    v = BoardView()
    if board:
        v.has_dossiers = True
        ready = board.get("ready") or []
        v.ready_total = len(ready)
        v.ready = [" · ".join(x for x in (d.get("code"), d.get("applicant"), d.get("procedure")) if x)
                   for d in ready[:MAX_READY_SHOWN]]
        v.on_time_today = _pct(board.get("today"))
        v.on_time_week = _pct(board.get("week"))
    if kpis and kpis.get("overall"):
        o = kpis["overall"]
        v.queue = [
            f"Đã phục vụ hôm nay: {o.get('served', 0)} / {o.get('issued', 0)} lượt",
            f"Đang chờ: {o.get('waiting_now', 0)}",
            f"Thời gian chờ trung bình: {_minutes(o.get('wait_avg_s'))}",
        ]
        within = o.get("wait_within_target")
        if within is not None:
            v.queue.append(f"Chờ không quá 15 phút: {within * 100:.0f}%")
    return v


def _get(url: str, timeout: float) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return json.loads(r.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        log.info("board data unavailable from %s: %s", url, exc)
        return None


def fetch(host: str, http_port: int, site: str, timeout: float = 3.0) -> BoardView:
    base = f"http://{host}:{http_port}/api/v1/sites/{site}"
    return board_view(_get(f"{base}/board", timeout), _get(f"{base}/kpis/public", timeout))
