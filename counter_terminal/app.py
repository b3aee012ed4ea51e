"""The counter terminal's Kivy app: a ScreenManager of screens (sign-in, serving; more can be added),
the physical keypad and the badge reader, all driving one CounterController.

Run: `motcua counter --config counter.json [--fullscreen]`. Designed for a 800×480 touch screen.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable

from kivy.app import App
from kivy.clock import Clock
from kivy.uix.screenmanager import NoTransition, ScreenManager

from counter_terminal.controller import CounterController, View
from counter_terminal.core import CounterCore
from counter_terminal.screens.booking import BookingScreen
from counter_terminal.screens.dossier import IntakeScreen, ReturnScreen
from counter_terminal.screens.login import LoginScreen
from counter_terminal.screens.serve import ServeScreen
from counter_terminal.words import counter_name, say
from devicekit.session import DeviceSession
from motcua_core.cccd import looks_like_cccd_qr
from motcua_core.i18n import other_lang

log = logging.getLogger("motcua.counter")

# name → factory(app). Issue #5: dossier intake and return (counter_terminal/screens/dossier.py).
SCREENS: dict[str, Callable] = {"login": LoginScreen, "serve": ServeScreen, "intake": IntakeScreen,
                                "return": ReturnScreen, "booking": BookingScreen}


class CounterApp(App):
    title = "motcua — Quầy"

    def __init__(self, session: DeviceSession, **kw):
        super().__init__(**kw)
        self.session = session
        self.core = CounterCore(session)
        self.controller = CounterController(self.core, on_change=self._changed)
        self.site_config: dict = {}
        self.counter_number: int | None = None
        self.counter_name = counter_name(None, None)
        self._counters: list[int] = []
        self.keypad = None
        self.scanner = None
        self._refresh_due = False
        self._typed = ""  # raw keyboard input since the last Enter (badge codes keep their case)
        session.on_config = lambda cfg: Clock.schedule_once(lambda *_: self._config(cfg))
        session.subscribe_display(self._display)
        last = getattr(session, "_last_config", None)  # arrived before this app existed (session started first)
        if last:
            Clock.schedule_once(lambda *_: self._config(last))

    @property
    def lang(self) -> str:
        """The screen's language ("vi" or "en"): the device config's, until the officer toggles it."""
        return self.controller.view.lang

    def toggle_language(self) -> None:
        self.set_language(other_lang(self.lang))

    def set_language(self, lang: str) -> None:
        """Every screen's words switch at once (no restart); printed forms stay Vietnamese."""
        self.controller.view.lang = lang
        self.title = f"motcua — {self.counter_name.text(lang)}"
        if hasattr(self, "screens"):
            for screen in self.screens.values():
                screen.relabel()
        self._render(self.controller.view)

    # --- building -------------------------------------------------------------------------------

    def build(self):
        self.sm = ScreenManager(transition=NoTransition())
        self.screens = {name: factory(self) for name, factory in SCREENS.items()}
        for s in self.screens.values():
            self.sm.add_widget(s)
        self.sm.current = "login"
        from kivy.core.window import Window

        Window.bind(on_textinput=self._textinput, on_key_down=self._key_down)
        self._start_hardware()
        Clock.schedule_interval(self._tick, 1.0)
        return self.sm

    def _start_hardware(self) -> None:
        hw = self.session.config.hardware
        keypad = hw.get("keypad")
        if keypad:
            from devicekit.drivers.gpio import Keypad, use_mock_pins

            if keypad.get("mock"):
                use_mock_pins()
            try:
                self.keypad = Keypad({k: int(v) for k, v in keypad.get("pins", {}).items()}, self._key,
                                     indicator_pin=keypad.get("indicator"))
            except Exception as exc:  # a wrong pin map must not stop the touch screen
                log.error("keypad not available: %s", exc)
        if hw.get("scanner"):
            from devicekit.drivers.scanner import make_scanner

            try:
                self.scanner = make_scanner(hw["scanner"], self._badge)
                if self.scanner is not None:
                    self.scanner.start()
            except Exception as exc:
                log.error("badge reader not available: %s", exc)

    # --- events from other threads --------------------------------------------------------------

    def _key(self, name: str) -> None:
        """Physical key (gpiozero thread)."""
        self.controller.act(name)

    def _badge(self, code: str) -> None:
        """Badge scanned (reader thread): sign in, or take over the counter. A dossier code (receipt
        barcode, issue #5) opens the return screen instead."""
        from motcua_core.dossier_codes import from_scan, is_code

        if is_code(from_scan(code)[0]) and self.controller.view.officer is not None:
            Clock.schedule_once(lambda *_: self._dossier_scanned(code))
            return
        if looks_like_cccd_qr(code) and self.controller.view.officer is not None:  # issue #12: pre-fill intake
            Clock.schedule_once(lambda *_: self._cccd_scanned(code))
            return
        self.controller.login_badge(code)

    def _cccd_scanned(self, code: str) -> None:
        self.sm.current = "intake"
        self.screens["intake"].cccd_scanned(code)

    def _dossier_scanned(self, code: str) -> None:
        self.sm.current = "return"
        self.screens["return"].scanned(code)

    def _display(self, leaf: str, msg: dict) -> None:
        if leaf == "state":
            self._counters = [c["number"] for c in msg.get("counters", [])]
            self._refresh_due = True  # waiting counts changed somewhere: refresh at the next tick

    def _changed(self, v: View) -> None:
        Clock.schedule_once(lambda *_: self._render(v))

    def _config(self, cfg: dict) -> None:
        self.site_config = cfg
        counter = cfg.get("counter") or {}
        self.counter_number = counter.get("number")
        self.counter_name = counter_name(counter.get("name"), self.counter_number)
        self.set_language(self.lang)  # the counter's name appears in titles

    # --- on the Kivy thread ---------------------------------------------------------------------

    def _render(self, v: View) -> None:
        signed_in = v.officer is not None
        self._drop_token_unless(v.officer)
        want = "serve" if signed_in else "login"
        if self.sm.current in ("login", "serve") and self.sm.current != want:
            self.sm.current = want
            if not signed_in:
                self.screens["login"].clear()
        if signed_in:
            self.screens["serve"].update(v)
        elif v.said is not None:
            self.screens["login"].show_message(v.said, v.error)
        if self.keypad is not None:
            self.keypad.set_indicator("blink" if v.busy else ("on" if signed_in and v.online else "off"))

    def _drop_token_unless(self, officer: dict | None) -> None:
        """The signing token opened with an officer's PIN signs for that officer only: signed out, or
        another officer signed in, its session is closed and the next one is asked for its own PIN."""
        who = (officer or {}).get("id") or (officer or {}).get("username") or (officer or {}).get("name")
        if who == getattr(self, "_token_officer", None):
            return
        self._token_officer = who
        self.token_declined = False
        desk = getattr(self, "scan_desk", None)
        if desk is not None and desk.signer is not None and hasattr(desk.signer, "pkcs11_session"):
            with contextlib.suppress(Exception):  # a token pulled out: nothing left to close
                desk.signer.pkcs11_session.close()
            desk.signer = None

    def _tick(self, _dt) -> None:
        v = self.controller.view
        if self.session.refused and v.officer is None:  # revoked or re-keyed: no sign-in can work here
            self.screens["login"].show_message(say("refused"), True)
            return
        if v.officer is not None:
            if self._refresh_due and not v.busy and self.session.connected:
                self._refresh_due = False
                threading.Thread(target=self._quiet_refresh, daemon=True).start()
            else:
                v.online = self.session.connected
                self.screens["serve"].update(v)

    def _quiet_refresh(self) -> None:
        self.controller.background_refresh()  # never holds the action lock: a tap is never refused for it

    def _textinput(self, _w, text: str) -> None:
        """Typing on a keyboard, or a keyboard-wedge badge reader "typing" a badge code."""
        self._typed += text
        if self.sm.current == "login":
            for ch in text.lower():
                self.screens["login"].type(ch)

    def _key_down(self, _w, key: int, *_a) -> bool:
        if key in (13, 271):  # Enter: a wedge reader ends each badge with it
            typed, self._typed = self._typed.strip(), ""
            login = self.screens["login"]
            if self.sm.current == "serve" and len(typed) >= 4:
                self.controller.login_badge(typed)  # another officer's badge: takeover
                return True
            if self.sm.current == "login":
                if not login.values["pin"] and len(typed) >= 4:
                    login.clear()
                    self.controller.login_badge(typed)  # no PIN typed: it was a badge (case kept)
                else:
                    login.submit()
                return True
        if self.sm.current == "login":
            if key == 8:
                self.screens["login"].backspace()
                return True
            if key == 9:
                login = self.screens["login"]
                login.focus("pin" if login.field == "username" else "username")
                return True
        return False

    def other_counters(self) -> list[int]:
        return self._counters

    def on_stop(self) -> None:
        if self.keypad is not None:
            self.keypad.close()
        if self.scanner is not None:
            self.scanner.stop()


def run_app(session: DeviceSession, *, fullscreen: bool = False, size: str = "800x480") -> None:
    """The window must be configured before Kivy creates it: call configure_window() first (the CLI does)."""
    CounterApp(session).run()


def make_test_app(config_path: str) -> CounterApp:
    """Factory for tests/support/kivyrun: the real app on a real session from a device config file."""
    from motcua_core.device_config import DeviceConfig

    session = DeviceSession(DeviceConfig.load(config_path))
    app = CounterApp(session)
    session.start()
    app.bind(on_stop=lambda *_: session.stop())
    return app
