"""Appointment check-in on the dispenser (issue #12): scan the booking QR or the CCCD card's QR, or type
the booking code on the screen keyboard; the ticket is printed and shown like any other, with the
booking's message ("Đã xác nhận lịch hẹn lúc 09:00…", or that a late arrival queues as a walk-in)."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from devicekit.ui.background import in_background
from kiosk.i18n import Words, refusal, t
from kiosk.ui.widgets import BigButton, Keyboard, Panel, Text, theme

CODE_CHARS = 7  # HK7-M2Q


class CheckinScreen(Screen):
    code: str = ""
    message: Words | None = None
    busy = False

    def __init__(self, app, **kw):
        super().__init__(**kw)
        self.app = app
        self.request_id: str | None = None
        # A scan on any dispenser screen is a check-in: nothing else is scanned at a ticket dispenser.
        app.rt.on_code = lambda text: Clock.schedule_once(lambda *_: self.scanned(text))

    def on_pre_enter(self, *_):
        if self.app.rt.camera is not None:
            self.app.rt.camera.active.set()
        self.refresh()

    def on_leave(self, *_):
        if self.app.rt.camera is not None:
            self.app.rt.camera.active.clear()
        self.code, self.message, self.request_id = "", None, None

    def refresh(self) -> None:
        th, lang = theme(), self.app.lang
        self.clear_widgets()
        box = Panel(padding=(30, 16), spacing=12)
        box.add_widget(Text(t("checkin_title", lang), size=38, bold=True, tid="title"))
        row = BoxLayout(spacing=16, size_hint_y=1)
        left = BoxLayout(orientation="vertical", spacing=12, size_hint_x=0.46)
        left.add_widget(Text(t("checkin_hint", lang), size=24, tid="hint"))
        left.add_widget(Text(self.code or "…", size=48, bold=True, color=th.fg, tid="code"))
        left.add_widget(BigButton(t("please_wait", lang) if self.busy else t("checkin_submit", lang),
                                  lambda: self.submit(self.code), size=34, tid="checkin"))
        if self.message:
            left.add_widget(Text(self.message(lang), size=24, bold=True, color=th.warn, tid="message"))
        left.add_widget(BoxLayout())
        left.add_widget(BigButton(t("back", lang), self.app.go_home, tid="back", color=th.muted, height=80))
        row.add_widget(left)
        right = BoxLayout(orientation="vertical", size_hint_x=0.54)
        right.add_widget(BoxLayout())  # the keyboard low, where a standing person's hand is
        right.add_widget(Keyboard(self._key, lang))
        row.add_widget(right)
        box.add_widget(row)
        self.add_widget(box)

    def _key(self, key: str) -> None:
        if key in ("backspace", "clear"):
            self.code = self.code[:-1] if key == "backspace" else ""
        elif len(key) == 1 and (key.isascii() and key.isalnum() or key == "-") and len(self.code) < CODE_CHARS:
            self.code += key.upper()
        self.refresh()

    def scanned(self, text: str) -> None:
        if self.app.sm.current != self.name:
            self.app.go(self.name)
        self.submit(text, scanned=True)

    def submit(self, scan: str, scanned: bool = False) -> None:
        if self.busy or not scan.strip():
            return
        core, lang = self.app.core, self.app.lang
        if self.request_id is None:
            self.request_id = core.new_confirmation()  # a second tap or a retry: the same ticket
        self.busy, self.message = True, None
        if not scanned:
            self.code = scan
        self.refresh()

        in_background(lambda: core.check_in(scan, lang, self.request_id),
                      lambda issued, err: self._done(issued) if err is None else self._failed(refusal(err)))

    def _done(self, issued) -> None:
        self.busy = False
        self.app.go("result", issued=issued)

    def _failed(self, message: Words) -> None:
        self.busy, self.message, self.request_id = False, message, None  # refused: nothing was issued
        self.refresh()
