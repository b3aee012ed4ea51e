"""The lobby screen (Kivy, fullscreen in the office: 16:9 at any resolution, or portrait): the number at every counter with the newest
call highlighted, waiting per service, clock and date, the progress board, the site's notices in turn
(paged by sentence) and, after every few notices, an image slide in place of the counters for a while.

It draws `display_controller.lobby.lobby_view` of the retained display state, so a restart shows the
current state at once; the runtime beside it drives the LED boards and the announcer.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from zoneinfo import ZoneInfo

from kivy.app import App
from kivy.clock import Clock
from kivy.graphics import Color, Rectangle
from kivy.properties import ListProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from devicekit.ui import fit as fit_mod
from devicekit.ui.fitlabel import PAD, FitLabel, measure_for
from display_controller import board as board_mod
from display_controller import slides as slides_mod
from display_controller.core import DisplayCore
from display_controller.layout import LobbyLayout, lobby_layout
from display_controller.lobby import WORDS, date_in, lobby_view
from motcua_core import clock as wallclock

NAVY = (0.05, 0.13, 0.27, 1)
TILE = (0.09, 0.20, 0.38, 1)
HIGHLIGHT = (0.98, 0.76, 0.10, 1)
WHITE = (1, 1, 1, 1)
PALE = (0.75, 0.82, 0.92, 1)
RED = (0.80, 0.10, 0.10, 1)
BOOKED = (0.05, 0.55, 0.30, 1)  # appointment tickets
BOARD_MIN_S = 3.0
PAGE_S = 6.0  # how long each screenful of the notice stays (`hardware.screen.page_s` changes it)
SLIDE_RETRY_S = 60.0  # an image slide that could not be fetched or decoded is tried again after this
log = logging.getLogger("motcua.lobby")


class TileWidget(BoxLayout):
    """One counter: its name, the number called there and the service (or "Đóng"/"Tạm dừng"). Landscape:
    a tile; portrait: a line (name · number · service)."""

    def __init__(self, number: int, lay: LobbyLayout, **kw):
        line = lay.tile_rows_as_lines
        super().__init__(orientation="horizontal" if line else "vertical", **kw)
        lo = lay.min_px
        self.name_l = FitLabel(text=f"Quầy {number}", bold=True, color=PALE, bg=TILE, max_px=lay.px(0.05),
                               min_px=lo, shorten=False, **({"size_hint_x": 0.24} if line else {"size_hint_y": 0.24}))
        self.ticket_l = FitLabel(tid=f"counter:{number}", text="—", bold=True, color=WHITE, bg=TILE,
                                 max_px=lay.px(0.075 if line else 0.14), min_px=lo, shorten=False,
                                 **({"size_hint_x": 0.22} if line else {"size_hint_y": 0.42}))
        self.service_l = FitLabel(tid=f"service:{number}", text="", color=PALE, bg=TILE, max_px=lay.px(0.04),
                                  min_px=lo, max_lines=2 if line else 3,
                                  **({"size_hint_x": 0.54} if line else {"size_hint_y": 0.34}))
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


class RowsPanel(BoxLayout):
    """A titled table of rows (name on the left, figure on the right), as many rows as fit at a size
    readable from the seats; more rows than that are shown a page at a time, each for PAGE_S seconds.
    `text` holds every row ("name: figure"), the whole of what the panel says."""

    tid = StringProperty("")
    text = StringProperty("")

    def __init__(self, tid: str, lay: LobbyLayout, names_are_services: bool = False, **kw):
        super().__init__(orientation="vertical", **kw)
        self.tid = tid
        self.names_are_services = names_are_services  # service names may be shortened by rule; other words not
        self.lay = lay
        # service names are shortened by rule to one line; other words (the board's) may take two in portrait
        self.row_lines = 1 if names_are_services else lay.row_lines
        self.row_h = round(lay.min_px * (1.55 + 1.2 * (self.row_lines - 1)))
        with self.canvas.before:
            self._c = Color(*TILE)
            self._r = Rectangle(pos=self.pos, size=self.size)
        self.bind(pos=self._bg, size=self._bg)
        self.title_l = FitLabel(tid=f"{tid}:title", bold=True, color=WHITE, halign="left", size_hint_y=None,
                                height=round(lay.min_px * 1.8), max_px=lay.px(0.036), min_px=lay.min_px,
                                shorten=False)
        self.add_widget(self.title_l)
        self.body = BoxLayout(orientation="vertical")
        self.add_widget(self.body)
        self.rows: list[tuple[str, str]] = []
        self.page = 0
        self._slots: list[tuple[FitLabel, FitLabel]] = []
        self.bind(size=lambda *_: Clock.schedule_once(self._build_slots, 0))
        Clock.schedule_interval(self._turn, PAGE_S)

    def _bg(self, *_):
        self._r.pos, self._r.size = self.pos, self.size

    def per_page(self) -> int:
        return max(1, int((self.height - self.title_l.height) // self.row_h))

    def _build_slots(self, *_):
        n = self.per_page()
        if n == len(self._slots):
            return self._fill()
        self.body.clear_widgets()
        self._slots = []
        for i in range(n):
            row = BoxLayout(size_hint_y=None, height=self.row_h)
            name = FitLabel(tid=f"{self.tid}:{i}:name", color=WHITE, halign="left", max_px=self.lay.px(0.034),
                            min_px=self.lay.min_px, max_lines=self.row_lines, shorten=self.names_are_services)
            value = FitLabel(tid=f"{self.tid}:{i}:value", bold=True, color=HIGHLIGHT, halign="right",
                             size_hint_x=None, max_px=self.lay.px(0.034), min_px=self.lay.min_px, shorten=False)
            row.add_widget(name)
            row.add_widget(value)
            self.body.add_widget(row)
            self._slots.append((name, value))
        self.body.add_widget(Widget())  # the rest of the panel stays free below the rows
        self._fill()

    def show(self, title: str, rows: list[tuple[str, str]]) -> None:
        self.title_l.text = title
        self.text = "\n".join([title, *(f"{a}: {b}" if b != "" else a for a, b in rows)])
        if rows != self.rows:
            self.rows = rows
            self._fill()

    def _turn(self, _dt) -> None:
        if len(self.rows) > len(self._slots):
            self.page += 1
            self._fill()

    def _fill(self) -> None:
        n = len(self._slots)
        if not n:
            return
        pages = max(1, -(-len(self.rows) // n))
        self.page %= pages
        per = -(-len(self.rows) // pages) if self.rows else n  # pages of even length: 5 + 4, not 6 + 3
        shown = self.rows[self.page * per:(self.page + 1) * per]
        for i, (name, value) in enumerate(self._slots):
            a, b = shown[i] if i < len(shown) else ("", "")
            name.text, value.text = a, b
            # the figure gets the width it needs (up to half the row), the name the rest
            need = measure_for(True)(b, int(value.max_px))[0] + 2 * PAD * self.row_h + 4 if b else 0
            value.width = min(need, self.width / 2)


class NoticeLine(FitLabel):
    """The notices in turn, each a page of whole sentences at a time (each page for `page_s` seconds), on up
    to two lines; `on_notice_done` is told each time a notice has been shown whole (with no notice, every
    `page_s` seconds: the image slides' timer).

    Kivy redraws the whole window for any change; a scroll moved every frame cost a 1920×1080 lobby in
    software GL more than a core doing nothing else (`motcua bench footprint`). Pages cost one redraw
    every few seconds (none while one short notice stays), and a still line is easier to read from across
    the hall than a moving one."""

    def __init__(self, on_notice_done=None, page_s: float = PAGE_S, **kw):
        super().__init__(**kw)
        self.page_s = page_s
        self.notices: tuple[str, ...] = ()
        self.pages: list[list[str]] = []
        self._notice = 0
        self._page = 0
        self.on_notice_done = on_notice_done
        self._event = Clock.schedule_interval(self._turn, self.page_s)
        self.bind(size=lambda *_: self.restart())

    def set_notices(self, notices: tuple[str, ...]) -> None:
        if tuple(notices) != self.notices:
            self.notices = tuple(notices)
            self.restart()

    def paginate(self, text: str) -> list[str]:
        pad = PAD * min(self.width, self.height)
        box = (max(self.width - 2 * pad, 1), max(self.height - 2 * pad, 1))
        px = int(self.min_px)
        return fit_mod.pages(text, lambda t: fit_mod.fits(t, box, px, int(self.max_lines), measure_for(self.bold)))

    def restart(self, *_a) -> None:
        self._event.cancel()
        self.pages = [p for p in (self.paginate(t) for t in self.notices) if p]
        self._notice = self._page = 0
        self.text = self.pages[0][0] if self.pages else ""
        self._event = Clock.schedule_interval(self._turn, self.page_s)

    def _turn(self, _dt) -> None:
        done = not self.pages
        if self.pages:
            self._page += 1
            if self._page >= len(self.pages[self._notice]):
                self._page, done = 0, True
                self._notice = (self._notice + 1) % len(self.pages)
            self.text = self.pages[self._notice][self._page]
        if done and self.on_notice_done is not None:
            self.on_notice_done()


class SlideImage(Widget):
    """An image slide drawn as large as the box allows with its own proportions (letter-boxed, never
    stretched). `texture_size` is the drawn size and `text` the image's SHA-256, for the tests' checks."""

    tid = StringProperty("")
    text = StringProperty("")
    texture_size = ListProperty([0, 0])

    def __init__(self, **kw):
        super().__init__(**kw)
        self.texture = None
        with self.canvas:
            Color(1, 1, 1, 1)
            self._rect = Rectangle(size=(0, 0))
        self.bind(pos=self._place, size=self._place)

    def show(self, texture, sha256: str) -> None:
        self.texture, self.text = texture, sha256
        self._place()

    def _place(self, *_):
        if self.texture is None or not self.texture.width or not self.texture.height:
            self._rect.size = (0, 0)
            self.texture_size = [0, 0]
            return
        tw, th = self.texture.size
        scale = min(self.width / tw, self.height / th)
        w, h = tw * scale, th * scale
        self._rect.texture = self.texture
        self._rect.pos = (self.x + (self.width - w) / 2, self.y + (self.height - h) / 2)
        self._rect.size = (w, h)
        self.texture_size = [w, h]


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
        self.slides: tuple = ()  # the state's image slides (display_controller.lobby.Slide)
        self.slide_every, self.slide_s = 3, 8.0
        self.textures: dict[str, object] = {}  # sha256 -> the decoded image, once fetched and checked
        self._fetching: set[str] = set()
        self._retry_at: dict[str, float] = {}  # sha256 -> when to try a failed fetch again
        self._since_slide = 0
        self._slide_turn = 0
        self._slide_end = None
        self.showing: str | None = None  # the sha256 of the slide on screen
        self.screen_px = (1920, 1080)
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
                Clock.schedule_once(lambda *_: (self.end_slide(), self.render()))  # the tiles back for a call

            runtime.on_call = on_call
        prev_config = core.session.on_config

        def on_config(cfg: dict) -> None:
            if prev_config is not None:
                prev_config(cfg)
            self.config_msg = cfg

        core.session.on_config = on_config

    def build(self):
        from kivy.core.window import Window

        lay = self.lay = lobby_layout(*(int(v) for v in Window.size))
        self.screen_px = (int(Window.size[0]), int(Window.size[1]))  # slides are decoded to fit this
        g = lay.gap
        root = BoxLayout(orientation="vertical", padding=g, spacing=g)
        with root.canvas.before:
            Color(*NAVY)
            bg = Rectangle(pos=root.pos, size=root.size)
        root.bind(size=lambda *_: setattr(bg, "size", root.size))
        self.site = FitLabel(tid="site", bold=True, color=WHITE, halign="left", max_px=lay.px(0.05),
                             min_px=lay.min_px, max_lines=2, shorten=False)
        self.date = FitLabel(tid="date", color=PALE, halign="right", max_px=lay.px(0.04), min_px=lay.min_px,
                             shorten=False)
        self.clock = FitLabel(tid="clock", bold=True, color=WHITE, max_px=lay.px(0.075), min_px=lay.min_px,
                              shorten=False)
        if lay.portrait:
            head = BoxLayout(orientation="vertical", size_hint_y=lay.header, spacing=g)
            head.add_widget(self.site)
            line = BoxLayout(spacing=g, size_hint_y=0.4)
            self.site.size_hint_y = 0.6
            self.date.halign = "left"
            line.add_widget(self.date)
            self.clock.size_hint_x = 0.3
            line.add_widget(self.clock)
            head.add_widget(line)
        else:
            head = BoxLayout(size_hint_y=lay.header, spacing=g)
            self.site.size_hint_x, self.date.size_hint_x, self.clock.size_hint_x = 0.57, 0.3, 0.13
            for w in (self.site, self.date, self.clock):
                head.add_widget(w)
        root.add_widget(head)
        self.newest = FitLabel(tid="newest", bold=True, color=NAVY, bg=HIGHLIGHT, size_hint_y=lay.banner,
                               max_px=lay.px(0.075), min_px=lay.min_px, shorten=False)
        root.add_widget(self.newest)
        # the main area: the counters and panels, or for a while an image slide in their place
        self.main = BoxLayout(size_hint_y=1 - lay.header - lay.banner - lay.notice)
        body = self.body = BoxLayout(orientation="vertical" if lay.portrait else "horizontal", spacing=g)
        self.grid = GridLayout(cols=4, spacing=g, **({"size_hint_y": 1 - lay.panels} if lay.portrait
                                                    else {"size_hint_x": 1 - lay.panels}))
        body.add_widget(self.grid)
        side = BoxLayout(orientation="horizontal" if lay.portrait else "vertical", spacing=g,
                         **({"size_hint_y": lay.panels} if lay.portrait else {"size_hint_x": lay.panels}))
        self.waiting = RowsPanel("waiting", lay, names_are_services=True)
        self.board = RowsPanel("board", lay)
        side.add_widget(self.waiting)
        side.add_widget(self.board)
        body.add_widget(side)
        self.main.add_widget(body)
        root.add_widget(self.main)
        self.slide = BoxLayout(orientation="vertical", spacing=g)
        self.slide_image = SlideImage(tid="slide:image")
        self.slide_caption = FitLabel(tid="slide:caption", color=WHITE, size_hint_y=0.13, max_px=lay.px(0.045),
                                      min_px=lay.min_px, max_lines=2 if lay.portrait else 1, shorten=False)
        self.slide.add_widget(self.slide_image)
        self.slide.add_widget(self.slide_caption)
        notice_px = lay.min_px if lay.portrait else lay.px(0.034)
        self.marquee = NoticeLine(tid="notice", color=WHITE, halign="left", size_hint_y=lay.notice,
                                  max_lines=lay.notice_lines, on_notice_done=self._notice_done,
                                  page_s=self.page_s(),
                                  max_px=notice_px, min_px=notice_px, shorten=False)
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

    def page_s(self) -> float:
        """`hardware.screen.page_s`: how long each page of a notice stays (default PAGE_S; an office whose
        visitors read slowly sets more). At least 2 s: a line that changes faster cannot be read."""
        return max(2.0, float(self._screen().get("page_s") or PAGE_S))

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
            self.grid.cols = self.lay.cols(len(view.tiles))
            for t in view.tiles:
                self.tiles[t.number] = TileWidget(t.number, self.lay)
                self.grid.add_widget(self.tiles[t.number])
        for t in view.tiles:
            self.tiles[t.number].show(t, self.lang)
        self.waiting.show(words["waiting"], [(name, str(n)) for name, n in view.waiting])
        b = self.board_view
        rows: list[tuple[str, str]] = []
        if b.has_dossiers:
            rows += [("Hồ sơ đã có kết quả", str(b.ready_total))] + [(r, "") for r in b.ready]
            rows += [("Đúng hạn hôm nay", b.on_time_today), ("Đúng hạn tuần này", b.on_time_week)]
        rows += [_split(line) for line in b.queue]
        self.board.show(words["board"], rows)
        self.marquee.set_notices(view.notices)
        self.slides, self.slide_every, self.slide_s = view.slides, view.slide_every, view.slide_s
        if self.showing and self.showing not in {x.sha256 for x in self.slides}:
            self.end_slide()  # retired while on screen
        self._fetch_missing()

    # --- image slides ---------------------------------------------------------------------------------

    def _notice_done(self) -> None:
        """A notice was shown whole: after every `slide_every` of them, the next image slide ready (one
        that could not be fetched is skipped, so a hub that cannot serve it leaves the notices going)."""
        if self.showing:
            return  # notices shown under a slide do not count: the counters get their turn after it
        self._since_slide += 1
        ready = [x for x in self.slides if x.sha256 in self.textures]
        if not ready or self._since_slide < self.slide_every:
            return
        self._since_slide = 0
        slide = ready[self._slide_turn % len(ready)]
        self._slide_turn += 1
        self.show_slide(slide)

    def show_slide(self, slide) -> None:
        self.slide_image.show(self.textures[slide.sha256], slide.sha256)
        self.slide_caption.text = slide.caption
        self.slide_caption.size_hint_y = 0.13 if slide.caption else 0.001
        self.main.clear_widgets()
        self.main.add_widget(self.slide)
        self.showing = slide.sha256
        self._slide_end = Clock.schedule_once(lambda *_: self.end_slide(), self.slide_s)

    def end_slide(self) -> None:
        if self._slide_end is not None:
            self._slide_end.cancel()
            self._slide_end = None
        if self.showing is not None:
            self.showing = None
            self.main.clear_widgets()
            self.main.add_widget(self.body)

    def _fetch_missing(self) -> None:
        now = time.monotonic()
        for slide in self.slides:
            sha = slide.sha256
            if sha in self.textures or sha in self._fetching or self._retry_at.get(sha, 0) > now:
                continue
            self._fetching.add(sha)
            threading.Thread(target=self._fetch, args=(slide,), daemon=True, name="slide").start()

    def _fetch(self, slide) -> None:
        """Fetch one slide from the hub with this display's own credential, check its SHA-256, and hand it
        to the screen; on any failure try again a minute later (the notices go on meanwhile)."""
        data = None
        try:
            port = self.config_msg.get("http_port")
            cfg = self.core.session.config
            if not port:
                raise OSError("the hub's HTTP port is not known yet")
            raw = slides_mod.fetch_slide(cfg.broker_host, int(port), slide.url, cfg.device_id, cfg.secret,
                                        slide.sha256)
            data = slides_mod.decode_for_screen(raw, self.screen_px)
        except Exception as exc:  # noqa: BLE001 — any failure: no slide, the lobby goes on
            log.warning("image slide %s not fetched or not decoded: %s", slide.sha256[:12], exc)
        Clock.schedule_once(lambda *_: self._fetched(slide, data))

    def _fetched(self, slide, data: tuple[tuple[int, int], bytes] | None) -> None:
        self._fetching.discard(slide.sha256)
        texture = None
        if data is not None:
            try:
                from kivy.graphics.texture import Texture

                (w, h), pixels = data
                texture = Texture.create(size=(w, h), colorfmt="rgba")
                texture.blit_buffer(pixels, colorfmt="rgba", bufferfmt="ubyte")
            except Exception as exc:  # noqa: BLE001 — an image this screen cannot take: skipped
                log.warning("image slide %s not shown: %s", slide.sha256[:12], exc)
                texture = None
        if texture is None:
            self._retry_at[slide.sha256] = time.monotonic() + SLIDE_RETRY_S
            return
        self.textures[slide.sha256] = texture
        for sha in [k for k in self.textures if k not in {x.sha256 for x in self.slides}]:
            del self.textures[sha]  # retired slides: their memory back


def _split(line: str) -> tuple[str, str]:
    """"Đang chờ: 2" → ("Đang chờ", "2"): a board line as a row of the table."""
    name, sep, value = line.rpartition(": ")
    return (name, value) if sep else (line, "")


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
