"""The lobby screen (Kivy, 16:9, fullscreen in the office): the number at every counter with the newest
call highlighted, waiting per service, clock and date, the progress board and a scrolling notice.

It draws `display_controller.lobby.lobby_view` of the retained display state, so a restart shows the
current state at once; the runtime beside it drives the LED boards and the announcer.
"""

from __future__ import annotations

import contextlib
import threading
import time
from zoneinfo import ZoneInfo

from kivy.app import App
from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.stencilview import StencilView

from devicekit.ui.widgets import Box
from display_controller import board as board_mod
from display_controller.core import DisplayCore
from display_controller.lobby import WORDS, date_in, lobby_view, panel_markup
from motcua_core import clock as wallclock

NAVY = (0.05, 0.13, 0.27, 1)
TILE = (0.09, 0.20, 0.38, 1)
HIGHLIGHT = (0.98, 0.76, 0.10, 1)
WHITE = (1, 1, 1, 1)
PALE = (0.75, 0.82, 0.92, 1)
RED = (0.80, 0.10, 0.10, 1)
BOOKED = (0.05, 0.55, 0.30, 1)  # appointment tickets
BOARD_MIN_S = 3.0
PAGE_S = 6.0  # how long each screenful of the notice stays


class TileWidget(BoxLayout):
    def __init__(self, number: int, **kw):
        super().__init__(orientation="vertical", padding=4, **kw)
        self.name_l = Box(text=f"Quầy {number}", font_size="26sp", bold=True, color=PALE, bg=TILE, halign="center",
                          size_hint_y=0.3)
        self.ticket_l = Box(tid=f"counter:{number}", text="—", font_size="64sp", bold=True, color=WHITE, bg=TILE,
                            halign="center")
        self.service_l = Box(tid=f"service:{number}", text="", font_size="18sp", color=PALE, bg=TILE, halign="center",
                             size_hint_y=0.25)
        for w in (self.name_l, self.ticket_l, self.service_l):
            self.add_widget(w)

    def show(self, tile, lang: str = "vi") -> None:
        self.name_l.text = tile.name
        self.ticket_l.text = tile.ticket
        paused = tile.status != "open" and tile.ticket == "—"
        self.service_l.text = WORDS[lang].get(tile.status, "") if paused else tile.service
        bg, fg = (HIGHLIGHT, NAVY) if tile.newest else (TILE, WHITE)
        for w in (self.name_l, self.ticket_l, self.service_l):
            w.bg = list(bg)
        self.ticket_l.color = fg
        self.name_l.color = self.service_l.color = fg if tile.newest else PALE
        if getattr(tile, "appointment", False):  # issue #12: a booked citizen, on a green band
            self.service_l.bg = list(BOOKED)
            self.service_l.color = WHITE


class Marquee(StencilView):
    """The notice line. A notice wider than the screen is shown a screenful at a time, each for PAGE_S
    seconds, instead of scrolling.

    Kivy redraws the whole window for any change; a scroll moved every frame cost a 1920×1080 lobby in
    software GL more than a core doing nothing else (about 100 ms of CPU per redraw here), and even 12
    steps a second stayed far above the 25 % budget (`motcua bench footprint`). Pages cost one redraw
    every few seconds, and a still line is easier to read from across the hall than a moving one."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.label = Box(tid="notice", text="", font_size="24sp", color=WHITE, bg=(0, 0, 0, 0), halign="left",
                         valign="middle")
        self.add_widget(self.label)
        self.text = ""
        self.pages: list[str] = []
        self._page = 0
        self._event = None
        self.bind(size=lambda *_: self.restart(), pos=lambda *_: self.restart())

    def set_text(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self.restart()

    def paginate(self, text: str, width: float) -> list[str]:
        """Whole words per page, each page as wide as the line allows."""
        from kivy.core.text import Label as CoreLabel

        measure = CoreLabel(font_size=self.label.font_size, font_name=self.label.font_name)
        pages, line = [], ""
        for word in text.split():
            candidate = f"{line} {word}".strip()
            if line and measure.get_extents(candidate)[0] > width:
                pages.append(line)
                line = word
            else:
                line = candidate
        return [*pages, line] if line else pages

    def restart(self, *_a) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        self.label.pos, self.label.size = self.pos, self.size
        self.label.text_size = (max(self.width - 20, 10), self.height)
        self.pages = self.paginate(self.text, max(self.width - 20, 10)) or [""]
        self._page = 0
        self.label.text = self.pages[0]
        if len(self.pages) > 1:
            self._event = Clock.schedule_interval(self._turn, PAGE_S)

    def _turn(self, _dt) -> None:
        self._page = (self._page + 1) % len(self.pages)
        self.label.text = self.pages[self._page]


class LobbyApp(App):
    title = "motcua — Màn hình sảnh"

    def __init__(self, core: DisplayCore, runtime=None, **kw):
        super().__init__(**kw)
        self.core = core
        self.runtime = runtime
        self.newest_call: dict | None = None
        self.lang = "vi"
        self.tz = ZoneInfo("Asia/Ho_Chi_Minh")
        self.config_msg: dict = getattr(core.session, "_last_config", None) or {}
        self.tiles: dict[int, TileWidget] = {}
        self.board_view = board_mod.BoardView()
        prev_state = core.on_state

        self._board_wake = threading.Event()

        def on_state(state: dict) -> None:
            if prev_state is not None:
                prev_state(state)
            self._board_wake.set()
            Clock.schedule_once(lambda *_: self.render())

        core.on_state = on_state
        if runtime is not None:
            prev_call = runtime.on_call

            def on_call(call: dict) -> None:
                if prev_call is not None:
                    prev_call(call)
                self.newest_call = call
                Clock.schedule_once(lambda *_: self.render())

            runtime.on_call = on_call
        prev_config = core.session.on_config

        def on_config(cfg: dict) -> None:
            if prev_config is not None:
                prev_config(cfg)
            self.config_msg = cfg

        core.session.on_config = on_config

    def build(self):
        root = BoxLayout(orientation="vertical", padding=8, spacing=8)
        with root.canvas.before:
            from kivy.graphics import Color, Rectangle

            Color(*NAVY)
            bg = Rectangle(pos=root.pos, size=root.size)
        root.bind(size=lambda *_: setattr(bg, "size", root.size))
        head = BoxLayout(size_hint_y=0.1, spacing=8)
        self.site = Box(tid="site", text="", font_size="26sp", bold=True, color=WHITE, bg=NAVY)
        self.date = Box(tid="date", text="", font_size="22sp", color=PALE, bg=NAVY, halign="right", size_hint_x=0.45)
        self.clock = Box(tid="clock", text="", font_size="40sp", bold=True, color=WHITE, bg=NAVY, halign="center",
                         size_hint_x=0.16)
        for w in (self.site, self.date, self.clock):
            head.add_widget(w)
        root.add_widget(head)
        self.newest = Box(tid="newest", text="", font_size="40sp", bold=True, color=NAVY, bg=HIGHLIGHT,
                          halign="center", size_hint_y=0.12)
        root.add_widget(self.newest)
        body = BoxLayout(spacing=8)
        self.grid = GridLayout(cols=4, spacing=8)
        body.add_widget(self.grid)
        side = BoxLayout(orientation="vertical", size_hint_x=0.34, spacing=8)
        self.waiting = Box(tid="waiting", text="", font_size="16sp", color=WHITE, bg=TILE, valign="top")
        self.board = Box(tid="board", text="", font_size="16sp", color=WHITE, bg=TILE, valign="top",
                         size_hint_y=0.8)
        side.add_widget(self.waiting)
        side.add_widget(self.board)
        body.add_widget(side)
        root.add_widget(body)
        self.marquee = Marquee(size_hint_y=0.07)
        root.add_widget(self.marquee)
        Clock.schedule_interval(self._tick, 1.0)
        Clock.schedule_once(lambda *_: self.render(), 0)
        threading.Thread(target=self._board_loop, daemon=True, name="board").start()
        self._tick(0)
        return root

    def _tick(self, _dt) -> None:
        tz = self.config_msg.get("timezone")
        if tz:
            with contextlib.suppress(KeyError, ValueError):  # a bad zone name: keep the previous one
                self.tz = ZoneInfo(tz)
        now = wallclock.now(self.tz)
        self.clock.text = now.strftime("%H:%M")
        langs = self.languages()
        lang = langs[int(time.time() // self.switch_s()) % len(langs)]
        if lang != self.lang:  # bilingual lobby: Vietnamese first, then English, in turn
            self.lang = lang
            self.render()
        self.date.text = date_in(now, self.lang)

    def _screen(self) -> dict:
        hw = getattr(self.runtime, "hardware", None) or self.config_msg.get("hardware") \
            or self.core.session.config.hardware or {}
        return hw.get("screen") or {}

    def languages(self) -> list[str]:
        """`hardware.screen.languages`, e.g. ["vi", "en"]: the lobby alternates them (default Vietnamese only)."""
        langs = [x for x in self._screen().get("languages") or ["vi"] if x in WORDS]
        return langs or ["vi"]

    def switch_s(self) -> float:
        return max(1.0, float(self._screen().get("switch_s") or 10))

    def _board_loop(self) -> None:
        """Refresh the progress board from the hub's HTTP API: every minute, and soon after the queue
        changes (at most every BOARD_MIN_S, so a busy morning does not hammer the hub)."""
        while True:
            port = self.config_msg.get("http_port")
            if not port:
                time.sleep(1)
                self.config_msg = self.config_msg or getattr(self.core.session, "_last_config", None) or {}
                continue
            cfg = self.core.session.config
            self.board_view = board_mod.fetch(cfg.broker_host, int(port), cfg.site)
            Clock.schedule_once(lambda *_: self.render())
            time.sleep(BOARD_MIN_S)
            self._board_wake.wait(60)
            self._board_wake.clear()

    def render(self) -> None:
        view = lobby_view(self.core.state, self.newest_call, self.lang)
        words = WORDS[self.lang]
        self.site.text = view.site_name
        self.newest.text = view.newest or words["idle"]
        if set(self.tiles) != {t.number for t in view.tiles}:
            self.grid.clear_widgets()
            self.tiles = {}
            self.grid.cols = 4 if len(view.tiles) > 6 else 3
            for t in view.tiles:
                self.tiles[t.number] = TileWidget(t.number)
                self.grid.add_widget(self.tiles[t.number])
        for t in view.tiles:
            self.tiles[t.number].show(t, self.lang)
        self.waiting.markup = True  # every line from the hub is escaped (panel_markup): only our bold title is markup
        self.waiting.text = panel_markup(words["waiting"], [f"{name}: {n}" for name, n in view.waiting])
        b = self.board_view
        lines = []
        if b.has_dossiers:
            lines += [f"Hồ sơ đã có kết quả: {b.ready_total}"] + [f"  {r}" for r in b.ready]
            lines += [f"Đúng hạn hôm nay: {b.on_time_today}", f"Đúng hạn tuần này: {b.on_time_week}"]
        lines += b.queue
        self.board.markup = True
        self.board.text = panel_markup(words["board"], lines)
        self.marquee.set_text(view.notice)


def run_app(core: DisplayCore, runtime=None) -> None:
    LobbyApp(core, runtime).run()


def make_test_app(config_path: str, hardware_json: str = "{}") -> LobbyApp:
    """Factory for tests/support/kivyrun: the lobby with its runtime (LED boards, announcer) on a real session."""
    import json

    from devicekit.session import DeviceSession
    from display_controller.runtime import DisplayRuntime
    from motcua_core.device_config import DeviceConfig

    cfg = DeviceConfig.load(config_path)
    session = DeviceSession(cfg)
    core = DisplayCore(session)
    runtime = DisplayRuntime(core, {**cfg.hardware, **json.loads(hardware_json)})
    app = LobbyApp(core, runtime)
    session.start()
    runtime.start()
    app.bind(on_stop=lambda *_: (runtime.stop(), session.stop()))
    return app
