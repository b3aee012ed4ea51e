"""The kiosk's Kivy app: one app, three modes (dispenser, lookup, voting) chosen by the pushed config.

The window shows a header (unit name, clock, language and large-text switches) above a ScreenManager.
Work that waits on the network runs in threads; results come back to the Kivy thread through
Clock.schedule_once. Any touch resets the idle timer; when it runs out the mode's home screen returns.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk.i18n import site_clock, t
from kiosk.runtime import Runtime, open_runtime
from kiosk.ui.widgets import CONTRAST, NORMAL, BigButton, Panel, Text, theme

log = logging.getLogger("motcua.kiosk.ui")

DEFAULT_IDLE_S = 60.0


class KioskApp(App):
    title = "motcua – kiosk"

    def __init__(self, runtime: Runtime, **kw):
        super().__init__(**kw)
        self.rt = runtime
        self.core = runtime.core
        self.lang = "vi"
        self.large = False
        self.theme = NORMAL
        self.last_touch = time.monotonic()
        self.mode: str | None = None
        self.sm: ScreenManager | None = None
        self.home_name = "waiting"
        self.queue: dict[str, tuple[int, int | None]] = {}  # service -> (waiting, minutes) from the lobby state
        self.counters: list[dict] = []  # the counters as the lobby state has them (who takes what, open)

    # --- shell ------------------------------------------------------------------------------------

    def build(self):
        self.root_box = Panel()
        self.header = BoxLayout(size_hint_y=None, height=84, padding=(12, 6), spacing=10)
        self.root_box.add_widget(self.header)
        self.sm = ScreenManager(transition=NoTransition())
        self.root_box.add_widget(self.sm)
        from kiosk.ui.waiting import WaitingScreen

        self.sm.add_widget(WaitingScreen(name="waiting"))
        self._draw_header()
        Window.bind(on_touch_down=self._touched)
        self.core.on_config_change = self._wrap_config(self.core.on_config_change)
        if self.core.config is not None:
            Clock.schedule_once(lambda *_: self._apply_config(self.core.config))
        self.rt.on_catalog = lambda: Clock.schedule_once(lambda *_: self.refresh())
        self.core.session.subscribe_display(self._display)
        Clock.schedule_interval(self._tick, 1.0)
        return self.root_box

    def _wrap_config(self, inner):
        def on_config(cfg: dict) -> None:
            if inner is not None:
                inner(cfg)
            Clock.schedule_once(lambda *_: self._apply_config(cfg))
        return on_config

    def _apply_config(self, cfg: dict) -> None:
        mode = self.core.mode
        screen_cfg = self.core.hardware.get("screen") or {}
        self.idle_s = float(screen_cfg.get("idle_timeout_s", DEFAULT_IDLE_S))
        if mode == self.mode:
            self.refresh()
            return
        self.mode = mode
        for name in [s.name for s in self.sm.screens if s.name != "waiting"]:
            self.sm.remove_widget(self.sm.get_screen(name))
        if mode == "dispenser":
            from kiosk.ui.dispenser import screens
        elif mode == "lookup":
            from kiosk.ui.lookup import screens
        else:
            from kiosk.ui.voting import screens
        made = screens(self)
        for s in made:
            self.sm.add_widget(s)
        self.home_name = made[0].name
        self.go(self.home_name)
        self._draw_header()

    def _draw_header(self) -> None:
        th = theme()
        self.header.clear_widgets()
        cfg = self.core.config or {}
        name = cfg.get("site_name_en") if self.lang == "en" and cfg.get("site_name_en") else cfg.get("site_name", "")
        self.header.add_widget(Text(name or "…", size=22, bold=True, halign="left", tid="hdr:site",
                                    size_hint_y=1, size_hint_x=3))
        self.clock_label = Text(site_clock(self.core.config), size=26, bold=True, tid="hdr:clock", size_hint_y=1,
                                size_hint_x=0.6)
        self.header.add_widget(self.clock_label)
        self.header.add_widget(BigButton(t("lang_toggle", self.lang), self.toggle_lang, size=20, tid="hdr:lang",
                                         size_hint_x=0.8, size_hint_y=1, height=72, color=th.muted))
        self.header.add_widget(BigButton(t("normal_text" if self.large else "big_text", self.lang), self.toggle_large,
                                         size=20, tid="hdr:large",
                                         size_hint_x=0.8, size_hint_y=1, height=72, color=th.muted))

    def _display(self, leaf: str, msg: dict) -> None:
        """The retained lobby state: people waiting and the wait now, per service, for the service buttons."""
        if leaf != "state":
            return
        queue = {s["code"]: (int(s.get("waiting", 0)), s.get("est_wait_min")) for s in msg.get("services", [])}
        self.counters = msg.get("counters", [])
        if queue != self.queue:
            self.queue = queue
            Clock.schedule_once(lambda *_: self.sm.current == "services" and self.refresh())

    def toggle_lang(self) -> None:
        self.lang = "en" if self.lang == "vi" else "vi"
        self._draw_header()
        self.refresh()

    def toggle_large(self) -> None:
        self.large = not self.large
        self.theme = CONTRAST if self.large else NORMAL
        self.root_box._c.rgba = self.theme.bg
        self._draw_header()
        for s in self.sm.screens:
            if hasattr(s, "refresh"):
                s.refresh()

    def refresh(self) -> None:
        current = self.sm.current_screen
        if current is not None and hasattr(current, "refresh"):
            current.refresh()

    def go(self, name: str, **state) -> None:
        screen = self.sm.get_screen(name)
        for k, v in state.items():
            setattr(screen, k, v)
        if self.sm.current == name and hasattr(screen, "refresh"):
            screen.refresh()
        self.sm.current = name

    def go_home(self) -> None:
        """Back to the first screen in Vietnamese, normal text: the next citizen starts fresh."""
        if self.lang != "vi" or self.large:
            self.lang = "vi"
            if self.large:
                self.toggle_large()
            self._draw_header()
        self.go(self.home_name)

    def _touched(self, *_):
        self.last_touch = time.monotonic()

    def _tick(self, _dt) -> None:
        self.clock_label.text = site_clock(self.core.config)
        current = self.sm.current_screen
        if getattr(current, "busy", False):  # waiting for the hub: the citizen is still there
            self.last_touch = time.monotonic()
        idle = time.monotonic() - self.last_touch
        if self.mode and self.sm.current == self.home_name and idle > getattr(self, "idle_s", DEFAULT_IDLE_S):
            if getattr(current, "reset", None) is not None:  # e.g. the last citizen's search text
                current.reset()
            if self.lang != "vi" or self.large:
                self.go_home()
            self.last_touch = time.monotonic()
        elif self.mode and idle > getattr(self, "idle_s", DEFAULT_IDLE_S):
            if getattr(current, "on_idle", None) is not None:
                current.on_idle()
            else:
                self.go_home()
            self.last_touch = time.monotonic()

    def on_stop(self) -> None:
        self.rt.stop()


def build_app(config: str | Path) -> KioskApp:
    """Start the kiosk's runtime from a device config file and return the app (not yet running)."""
    rt = open_runtime(Path(config)).start()
    return KioskApp(rt)
