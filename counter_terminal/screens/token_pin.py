"""The officer's USB signing token PIN, asked on the counter's screen when the scanning panel first needs
the token (hardware map `signing` of type `pkcs11`): a masked field (the physical keyboard, or the keys
on the screen), in Vietnamese. A wrong PIN is said plainly with what the token reports about the tries
left (PKCS#11 gives only "a wrong PIN was entered", "final try" and "locked"); a locked token stops the
asking. The PIN is handed to the token and cleared from the field at once: it is never kept by the app,
written to a file or logged. "Không ký" leaves the scans unsigned for this session, and the panel says so.
"""

from __future__ import annotations

import threading

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.modalview import ModalView

from counter_terminal.scan_desk import officer_signer
from devicekit.ui.widgets import ACCENT, BAD, DARK, GOOD, MUTED, WARN, Box, Field, Key

WORDS = {
    "title": ("Mở thiết bị ký số (USB token)", "Open the signing token (USB)"),
    "ask": ("Nhập mã PIN của token để ký số các bản số hóa với chữ ký số cá nhân của cán bộ.",
            "Type the token's PIN to sign the scans with your personal signature."),
    "open": ("Mở token", "Open token"),
    "back": ("Xóa", "Delete"),
    "clear": ("Xóa hết", "Clear"),
    "skip": ("Không ký", "Don't sign"),
    "working": ("Đang mở token…", "Opening the token…"),
    "empty": ("Chưa nhập mã PIN.", "Type the PIN first."),
    "ok": ("Đã mở token: các bản số hóa sẽ được ký bởi {name}.", "Token open: scans will be signed by {name}."),
    "wrong_here": (" (sai {n} lần tại quầy này)", " ({n} wrong at this counter)"),
    "skipped": ("Các bản số hóa sẽ KHÔNG được ký số cho đến khi đăng nhập lại.",
                "Scans will NOT be signed until you sign in again."),
}


def w(key: str, lang: str, **kw) -> str:
    vi, en = WORDS[key]
    return (en if lang == "en" else vi).format(**kw)


class PinPrompt(ModalView):
    def __init__(self, panel, **kw):
        super().__init__(size_hint=(0.8, 0.92), auto_dismiss=False, **kw)
        self.panel = panel
        self.app = panel.app
        self.lang = self.app.lang
        self.hw = self.app.session.config.hardware.get("signing")
        self.wrong = 0
        root = BoxLayout(orientation="vertical", padding=8, spacing=6)
        root.add_widget(Box(tid="token_header", text=w("title", self.lang), bold=True, font_size="16sp",
                            color=(1, 1, 1, 1), bg=DARK, size_hint_y=None, height=40))
        self.message = Box(tid="token_message", text=w("ask", self.lang), font_size="14sp", color=DARK,
                           bg=(1, 1, 1, 1), size_hint_y=None, height=64, text_size=(560, None))
        root.add_widget(self.message)
        self.pin = Field(tid="token_pin", password=True, password_mask="*", size_hint_y=None, height=48,
                         font_size="22sp", on_text_validate=lambda *_: self.submit())
        root.add_widget(self.pin)
        pad = GridLayout(cols=6, spacing=4)
        for k in "1234567890":
            pad.add_widget(Key(tid=f"token_key:{k}", text=k, font_size="20sp", background_color=ACCENT,
                               on_release=lambda _b, k=k: self._type(k)))
        pad.add_widget(Key(tid="token_key:back", text=w("back", self.lang), font_size="16sp", background_color=WARN,
                           on_release=lambda *_: self._type(None)))
        pad.add_widget(Key(tid="token_key:clear", text=w("clear", self.lang), font_size="16sp", background_color=WARN,
                           on_release=lambda *_: setattr(self.pin, "text", "")))
        root.add_widget(pad)
        bottom = BoxLayout(size_hint_y=None, height=52, spacing=6)
        bottom.add_widget(Key(tid="token_skip", text=w("skip", self.lang), background_color=MUTED,
                              size_hint_x=0.35, on_release=lambda *_: self.decline()))
        self.open_btn = Key(tid="token_open", text=w("open", self.lang), background_color=GOOD,
                            on_release=lambda *_: self.submit())
        bottom.add_widget(self.open_btn)
        root.add_widget(bottom)
        self.add_widget(root)
        Clock.schedule_once(lambda *_: setattr(self.pin, "focus", True), 0.1)

    def _type(self, key: str | None) -> None:
        self.pin.text = self.pin.text[:-1] if key is None else self.pin.text + key

    def say(self, text: str, error: bool = False) -> None:
        self.message.text = text
        self.message.color = BAD if error else DARK

    def submit(self) -> None:
        pin = self.pin.text
        self.pin.text = ""  # the PIN leaves the screen at once; only the token sees it
        if not pin:
            self.say(w("empty", self.lang), True)
            return
        self.open_btn.disabled = True
        self.say(w("working", self.lang))

        def work() -> None:
            try:
                signer, err = officer_signer(self.hw, pin), None
            except Exception as exc:  # WrongPin / SigningError carry the officer's words
                signer, err = None, exc
            Clock.schedule_once(lambda *_: self._opened(signer, err))

        threading.Thread(target=work, daemon=True, name="token-pin").start()

    def _opened(self, signer, err) -> None:
        from motcua_core.signing import WrongPin

        self.open_btn.disabled = False
        if err is None:
            self.panel.desk.signer = signer
            name = signer.signing_cert.subject.native.get("common_name", "")
            self.dismiss()
            self.panel.say(w("ok", self.lang, name=name))
            return
        if isinstance(err, WrongPin):
            self.wrong += 1
            self.say(err.message_vi + w("wrong_here", self.lang, n=self.wrong), True)
            if err.state.locked:
                self.open_btn.disabled = True
            return
        self.say(getattr(err, "message_vi", None) or str(err), True)

    def decline(self) -> None:
        self.pin.text = ""
        self.app.token_declined = True  # asked again at the next sign-in
        self.dismiss()
        self.panel.say(w("skipped", self.lang), True)
