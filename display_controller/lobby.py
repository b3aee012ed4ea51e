"""What the lobby screen shows, from the display state (pure): tiles per counter, the newest call,
waiting per service, the date in Vietnamese. The Kivy app only draws this."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


@dataclass(frozen=True)
class Tile:
    number: int
    name: str
    ticket: str  # "—" when none
    service: str
    status: str
    newest: bool


@dataclass(frozen=True)
class Lobby:
    site_name: str
    tiles: tuple[Tile, ...]
    newest: str  # "Mời số 1005 đến Quầy 3" or ""
    waiting: tuple[tuple[str, int], ...]
    notice: str


def date_vi(dt: datetime) -> str:
    return f"{WEEKDAYS[dt.weekday()]}, ngày {dt.day:02d}/{dt.month:02d}/{dt.year}"


def lobby_view(state: dict | None, newest_call: dict | None = None) -> Lobby:
    """`newest_call` (a call event) wins over the state's `last_call` when it is more recent."""
    if not state:
        return Lobby("", (), "", (), "")
    names = {s["code"]: s["name"] for s in state.get("services", [])}
    last = state.get("last_call")
    ahead = bool(newest_call and (not last or newest_call.get("call_id", 0) > last.get("call_id", 0)))
    if ahead:  # the call event arrived before the state that includes it
        last = newest_call
    elif last and last.get("active") is False:  # served, skipped or held since: the banner goes
        last = None
    tiles = []
    for c in state.get("counters", []):
        cur = c.get("current") or {}
        is_newest = bool(last and last.get("counter") == c["number"] and cur.get("ticket") == last.get("ticket"))
        if ahead and last.get("counter") == c["number"]:
            cur = {"ticket": last["ticket"], "service": last.get("service")}
            is_newest = True
        status = c.get("status", "closed")
        tiles.append(Tile(c["number"], c.get("name") or f"Quầy {c['number']}", cur.get("ticket") or "—",
                          names.get(cur.get("service"), "") if cur else "", status, is_newest))
    newest = f"Mời số {last['ticket']} đến {_counter_name(state, last['counter'])}" if last else ""
    waiting = tuple((s["name"], int(s.get("waiting", 0))) for s in state.get("services", []))
    return Lobby(state.get("site_name", ""), tuple(tiles), newest, waiting, state.get("notice") or "")


def _counter_name(state: dict, number: int) -> str:
    for c in state.get("counters", []):
        if c["number"] == number:
            return c.get("name") or f"Quầy {number}"
    return f"Quầy {number}"
