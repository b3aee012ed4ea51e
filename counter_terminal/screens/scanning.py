"""The scanning panel of the intake screen: for each document of the procedure's checklist, photograph or
scan its pages (the document camera or the scanner named `docscan` in the hardware map), see the cleaned
page, finish the document (one PDF, signed by the officer when a certificate is set up), or mark it
"đã có dữ liệu điện tử" when the state already holds it as data. The work is counter_terminal/scan_desk.py;
the intake sends what the panel recorded, and the scans are uploaded once the dossier has its code.

Hardware map entries it reads: `docscan` (devicekit.scan.source) and, optionally, `signing`:
{"type": "pkcs12", "path": "…/officer.p12", "passphrase_file": "…"} or
{"type": "pkcs11", "lib": "/usr/lib/…/libxxx.so", "token": "…", "key": "…"}: the token's PIN is asked on
the screen when the panel first opens (counter_terminal/screens/token_pin.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.image import Image
from kivy.uix.modalview import ModalView
from kivy.uix.scrollview import ScrollView

from counter_terminal.scan_desk import ScanDesk, needs_pin, officer_signer
from devicekit.ui.widgets import ACCENT, BAD, DARK, GOOD, MUTED, WARN, Box, Key

WORDS = {
    "title": ("Số hóa thành phần hồ sơ", "Digitise the documents"),
    "capture": ("Chụp trang", "Capture page"),
    "finish": ("Xong", "Done"),
    "reused": ("Đã có dữ liệu điện tử", "Held as data"),
    "close": ("Đóng", "Close"),
    "not_yet": ("chưa số hóa", "not digitised"),
    "pages": ("{n} trang, chưa xong", "{n} page(s), not finished"),
    "done": ("đã số hóa: {n} trang", "digitised: {n} page(s)"),
    "held": ("đã có dữ liệu điện tử", "held as electronic data"),
    "hint": ("Đặt trang giấy dưới máy chụp tài liệu rồi bấm \"Chụp trang\"; hết trang thì bấm \"Xong\".",
             "Place the page under the document camera and press \"Capture page\"; press \"Done\" after the last."),
    "captured": ("Đã chụp trang {n} của: {name}", "Captured page {n} of: {name}"),
    "finished": ("Đã tạo tệp PDF ({n} trang, {kb} KB){signed}", "PDF made ({n} pages, {kb} KB){signed}"),
    "signed": (", đã ký số", ", signed"),
    "marked": ("Đã đánh dấu: {name} — đã có dữ liệu điện tử, không nhận bản giấy.",
               "Marked: {name} — held as electronic data, no paper taken."),
    "no_pages": ("Chưa chụp trang nào của giấy tờ này.", "No page captured for this document yet."),
    "no_device": ("Chưa cấu hình máy chụp/máy quét tài liệu (docscan) cho quầy này.",
                  "No document camera/scanner (docscan) is set up for this counter."),
    "working": ("Đang xử lý…", "Working…"),
}


def w(key: str, lang: str, **kw) -> str:
    vi, en = WORDS[key]
    return (en if lang == "en" else vi).format(**kw)


def scan_desk(app) -> ScanDesk | None:
    """The counter's ScanDesk, made once from its hardware map; None without a `docscan` entry."""
    if getattr(app, "scan_desk", None) is None:
        from devicekit.scan.source import make_source

        hw = app.session.config.hardware
        src = make_source(hw.get("docscan"))
        if src is None:
            return None
        signing = hw.get("signing")
        app.scan_desk = ScanDesk(app.session, src, Path(app.session.config.data_dir) / "scans",
                                 signer=None if needs_pin(signing) else officer_signer(signing))
    return app.scan_desk


def _texture(img: np.ndarray, height: int = 360) -> Texture:
    import cv2

    scale = height / img.shape[0]
    small = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    tex = Texture.create(size=(small.shape[1], small.shape[0]), colorfmt="luminance")
    tex.blit_buffer(np.ascontiguousarray(small[::-1]).tobytes(), colorfmt="luminance", bufferfmt="ubyte")
    return tex


class ScanPanel(ModalView):
    def __init__(self, screen, **kw):
        super().__init__(size_hint=(0.97, 0.95), auto_dismiss=False, **kw)
        self.screen = screen
        self.app = screen.app
        self.lang = self.app.lang
        self.desk = scan_desk(self.app)
        self.proc = screen.procedure
        root = BoxLayout(orientation="vertical", padding=6, spacing=5)
        root.add_widget(Box(tid="scan_header", text=f"{w('title', self.lang)}: {self.proc['name']}", bold=True,
                            font_size="15sp", color=(1, 1, 1, 1), bg=DARK, size_hint_y=None, height=40,
                            shorten=True, shorten_from="right", text_size=(740, None)))
        middle = BoxLayout(spacing=6)
        scroll = ScrollView(size_hint_x=0.62)
        self.rows = GridLayout(cols=1, spacing=4, size_hint_y=None)
        self.rows.bind(minimum_height=self.rows.setter("height"))
        scroll.add_widget(self.rows)
        middle.add_widget(scroll)
        self.preview = Image(size_hint_x=0.38, fit_mode="contain")
        self.preview.tid = "scan_preview"
        middle.add_widget(self.preview)
        root.add_widget(middle)
        self.message = Box(tid="scan_message", text=w("hint", self.lang), font_size="13sp", color=MUTED,
                           size_hint_y=None, height=44, bg=(1, 1, 1, 1), text_size=(740, None))
        root.add_widget(self.message)
        root.add_widget(Key(tid="scan_close", text=w("close", self.lang), size_hint_y=None, height=44,
                            background_color=GOOD, on_release=lambda *_: self.dismiss()))
        self.add_widget(root)
        self.status: dict[int, Box] = {}
        for i in range(len(self.proc["documents"])):
            row = BoxLayout(size_hint_y=None, height=64, spacing=3)
            label = Box(tid=f"scan_doc:{i}", text="", font_size="12sp", bg=(1, 1, 1, 1), halign="left",
                        valign="middle", text_size=(200, 60), size_hint_x=0.46)
            self.status[i] = label
            row.add_widget(label)
            for tid, key, colour, fn in ((f"scan_capture:{i}", "capture", ACCENT, self.capture),
                                         (f"scan_finish:{i}", "finish", GOOD, self.finish),
                                         (f"scan_reused:{i}", "reused", WARN, self.reused)):
                row.add_widget(Key(tid=tid, text=w(key, self.lang), font_size="12sp", size_hint_x=0.18,
                                   text_size=(80, None), halign="center",
                                   background_color=colour, on_release=lambda _b, i=i, fn=fn: fn(i)))
            self.rows.add_widget(row)
        self.refresh()
        if self.desk is None:
            self.say(w("no_device", self.lang), True)
        elif (self.desk.signer is None and needs_pin(self.app.session.config.hardware.get("signing"))
              and not getattr(self.app, "token_declined", False)):
            from counter_terminal.screens.token_pin import PinPrompt

            Clock.schedule_once(lambda *_: PinPrompt(self).open(), 0)  # over the panel, once it is shown

    def say(self, text: str, error: bool = False) -> None:
        self.message.text = text
        self.message.color = BAD if error else DARK

    def refresh(self) -> None:
        for i, d in enumerate(self.proc["documents"]):
            if self.desk is not None and i in self.desk.reused:
                state = w("held", self.lang)
            elif self.desk is not None and i in self.desk.done:
                state = w("done", self.lang, n=self.desk.done[i].pages)
            elif self.desk is not None and self.desk.pages.get(i):
                state = w("pages", self.lang, n=len(self.desk.pages[i]))
            else:
                state = w("not_yet", self.lang)
            self.status[i].text = f"{d['name']}\n[{state}]"

    def _run(self, work, done) -> None:
        """Scanner work off the Kivy thread; a scanner or signing problem comes back as its message."""
        import threading

        def run() -> None:
            try:
                result, err = work(), None
            except Exception as exc:  # ScannerError, SigningError: the officer reads message_vi
                result, err = None, getattr(exc, "message_vi", str(exc))
            Clock.schedule_once(lambda *_: done(result, err))

        self.say(w("working", self.lang))
        threading.Thread(target=run, daemon=True).start()

    def capture(self, i: int) -> None:
        if self.desk is None:
            return
        self._run(lambda: self.desk.capture(i), lambda n, err: self._captured(i, n, err))

    def _captured(self, i: int, n, err) -> None:
        if err:
            self.say(err, True)
            return
        self.preview.texture = _texture(self.desk.pages[i][-1].image)
        self.desk.done.pop(i, None)
        self.say(w("captured", self.lang, n=n, name=self.proc["documents"][i]["name"]))
        self.refresh()

    def finish(self, i: int) -> None:
        if self.desk is None:
            return
        if not self.desk.pages.get(i):
            self.say(w("no_pages", self.lang), True)
            return
        name = self.proc["documents"][i]["name"]
        self._run(lambda: self.desk.finish(i, name), lambda d, err: self._finished(d, err))

    def _finished(self, d, err) -> None:
        if err:
            self.say(err, True)
            return
        signed = w("signed", self.lang) if self.desk.signer is not None else ""
        self.say(w("finished", self.lang, n=d.pages, kb=max(1, d.size // 1024), signed=signed))
        self.refresh()
        self.screen.scanned(d.doc)

    def reused(self, i: int) -> None:
        if self.desk is None:
            return
        self.desk.mark_reused(i)
        self.say(w("marked", self.lang, name=self.proc["documents"][i]["name"]))
        self.refresh()
        self.screen.scanned(i)
