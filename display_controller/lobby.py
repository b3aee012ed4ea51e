"""What the lobby screen shows, from the display state (pure): tiles per counter, the newest call,
waiting per service, the date in Vietnamese. The Kivy app only draws this."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from motcua_core.i18n import counter_name

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# The lobby's own words; a lobby with "languages": ["vi", "en"] alternates them (issue #13).
WORDS = {"vi": {"call": "Mời số {ticket} đến {counter}", "idle": "Xin mời công dân chờ đến lượt",
                "waiting": "Số người đang chờ", "board": "Bảng theo dõi",
                "paused": "Tạm dừng", "closed": "Đóng"},
         "en": {"call": "Number {ticket}, please go to {counter}", "idle": "Please wait for your number",
                "waiting": "People waiting", "board": "Progress board",
                "paused": "Paused", "closed": "Closed"}}


@dataclass(frozen=True)
class Tile:
    number: int
    name: str
    ticket: str  # "—" when none
    service: str
    status: str
    newest: bool
    appointment: bool = False  # issue #12: a booked citizen, shown distinctly


@dataclass(frozen=True)
class Slide:
    sha256: str  # what the image's bytes must hash to (the display checks it)
    url: str  # path on the hub, fetched with the display's own credential
    caption: str
    width: int
    height: int


@dataclass(frozen=True)
class Lobby:
    site_name: str
    tiles: tuple[Tile, ...]
    newest: str  # "Mời số 1005 đến Quầy 3" or ""
    waiting: tuple[tuple[str, int], ...]
    notices: tuple[str, ...] = ()  # shown in turn, each paged by sentence
    slides: tuple[Slide, ...] = ()
    slide_every: int = 3  # an image slide after every this many notices
    slide_s: float = 8.0


def notices_of(state: dict) -> tuple[str, ...]:
    """The notices to show in turn: the state's list (a hub that sends one) or its single notice."""
    if isinstance(state.get("notices"), list):
        return tuple(str(n.get("text") or "") for n in state["notices"] if isinstance(n, dict) and n.get("text"))
    return (state["notice"],) if state.get("notice") else ()


def slides_of(state: dict) -> tuple[Slide, ...]:
    out = []
    for s in state.get("slides") or []:
        try:
            out.append(Slide(str(s["sha256"]), str(s["url"]), str(s.get("caption") or ""), int(s["width"]),
                             int(s["height"])))
        except (KeyError, TypeError, ValueError):
            continue  # a slide this screen cannot use: the others and the notices still show
    return tuple(out)


def date_vi(dt: datetime) -> str:
    return f"{WEEKDAYS[dt.weekday()]}, ngày {dt.day:02d}/{dt.month:02d}/{dt.year}"


def date_in(dt: datetime, lang: str) -> str:
    return f"{WEEKDAYS_EN[dt.weekday()]}, {dt.day:02d}/{dt.month:02d}/{dt.year}" if lang == "en" else date_vi(dt)


def lobby_view(state: dict | None, newest_call: dict | None = None, lang: str = "vi") -> Lobby:
    """`newest_call` (a call event) wins over the state's `last_call` when it is more recent. `lang`
    "en" gives the English words and names (the site's `name_en`, "Counter N") where the site has them."""
    if not state:
        return Lobby("", (), "", ())
    en = lang == "en"
    names = {s["code"]: (s.get("name_en") if en and s.get("name_en") else s["name"]) for s in state.get("services", [])}
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
        booked = bool(cur.get("appointment"))
        service = names.get(cur.get("service"), "") if cur else ""
        label = (("Appointment · " if en else "Lịch hẹn · ") + service) if booked else service
        tiles.append(Tile(c["number"], _counter_name(state, c["number"], lang), cur.get("ticket") or "—",
                          label, status, is_newest, booked))
    words = WORDS["en" if en else "vi"]
    newest = words["call"].format(ticket=last["ticket"], counter=_counter_name(state, last["counter"], lang)) \
        if last else ""
    waiting = tuple((names.get(s["code"], s["name"]), int(s.get("waiting", 0))) for s in state.get("services", []))
    site = (state.get("site_name_en") if en else None) or state.get("site_name", "")
    return Lobby(site, tuple(tiles), newest, waiting, notices_of(state), slides_of(state),
                 max(1, int(state.get("slide_every") or 3)), max(3.0, float(state.get("slide_s") or 8)))


def _counter_name(state: dict, number: int, lang: str = "vi") -> str:
    """A counter's name by the counter terminal's rule (motcua_core.i18n.counter_name): in English
    "Counter N" for the default Vietnamese one ("Quầy N"), the office's own name otherwise."""
    name = next((c.get("name") for c in state.get("counters", []) if c["number"] == number), None)
    return counter_name(name, number, lang)

