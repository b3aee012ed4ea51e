"""Dossier screens of the counter terminal (issue #5): intake (search the procedure, tick the documents,
enter the applicant, print the guidance sheet or the receipt) and return (scan the receipt, confirm fees
and signature, hand the result over). The work itself is counter_terminal/dossier_core.py; these screens
only collect input and show answers. Text fields take the physical keyboard (with a Vietnamese input
method); the barcode reader types into the code field or is routed here by the app.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.scrollview import ScrollView

from counter_terminal.dossier_core import DossierCore
from devicekit.ui.widgets import ACCENT, BAD, BG, DARK, GOOD, MUTED, Box, Field, Key
from motcua_core.cccd import looks_like_cccd_qr
from motcua_core.document_kinds import document_tag
from motcua_core.errors import RequestError


def _bg(screen: Screen) -> None:
    with screen.canvas.before:
        from kivy.graphics import Color, Rectangle

        Color(*BG)
        screen._bg = Rectangle(pos=screen.pos, size=screen.size)
    screen.bind(size=lambda *_: setattr(screen._bg, "size", screen.size))


def _core(app) -> DossierCore:
    if getattr(app, "dossier_core", None) is None:
        out = Path(app.session.config.data_dir) / "printed"
        printer = None
        hw = app.session.config.hardware.get("printer")
        if hw:
            from devicekit.drivers.printer import make_printer

            printer = make_printer(hw, out)
        app.dossier_core = DossierCore(app.session, out, printer)
    return app.dossier_core


def _background(work: Callable[[], object], done: Callable[[object, RequestError | None], None]) -> None:
    """Requests block; run them off the Kivy thread and come back with the answer or the refusal."""
    def run() -> None:
        try:
            result, err = work(), None
        except RequestError as exc:
            result, err = None, exc
        Clock.schedule_once(lambda *_: done(result, err))
    threading.Thread(target=run, daemon=True).start()


def _when(iso: str | None) -> str:
    """'2026-12-02T17:00+07:00' → '17:00 ngày 02/12/2026'."""
    return "" if not iso else f"{iso[11:16]} ngày {iso[8:10]}/{iso[5:7]}/{iso[:4]}"



def parse_day(text: str) -> str | None:
    """'8/12/2026' or '08/12/2026' → '2026-12-08' (the date an officer types); None if it is not one."""
    from datetime import date

    try:
        d, m, y = (int(x) for x in text.strip().replace("-", "/").replace(".", "/").split("/"))
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def _find_row(field_tid: str, hint: str, button_tid: str, on_find) -> tuple[BoxLayout, Field]:
    """A text field with a "Tìm" button beside it; Enter in the field finds too (a scanner sends Enter)."""
    row = BoxLayout(size_hint_y=None, height=40, spacing=6)
    field = Field(tid=field_tid, hint_text=hint, on_text_validate=lambda *_: on_find())
    row.add_widget(field)
    row.add_widget(Key(tid=button_tid, text="Tìm", font_size="16sp", size_hint_x=0.18,
                       on_release=lambda *_: on_find()))
    return row, field

def _top(screen: Screen, tid: str, title: str) -> tuple[BoxLayout, Box]:
    top = BoxLayout(size_hint_y=None, height=44, spacing=6)
    header = Box(tid=tid, text=title, bold=True, font_size="18sp", color=(1, 1, 1, 1), bg=DARK)
    top.add_widget(header)
    top.add_widget(Key(tid=f"{screen.name}_back", text="Quay lại", font_size="15sp", background_color=MUTED,
                       size_hint_x=0.2, on_release=lambda *_: screen.back()))
    return top, header


class IntakeScreen(Screen):
    def __init__(self, app, **kw):
        super().__init__(name="intake", **kw)
        self.app = app
        self.procedure: dict | None = None
        self.ticked: set[int] = set()
        self.post = False
        self.birth_date: str | None = None  # from a scanned CCCD QR, for the number in _birth_of
        self._birth_of = ""
        root = BoxLayout(orientation="vertical", padding=6, spacing=5)
        top, self.header = _top(self, "intake_header", "Tiếp nhận hồ sơ")
        top.add_widget(Key(tid="open:booking", text="Hẹn lịch", font_size="15sp", background_color=ACCENT,
                           size_hint_x=0.18, on_release=lambda *_: setattr(app.sm, "current", "booking")))  # #12
        root.add_widget(top)
        search, self.query = _find_row("intake_search", "Tìm thủ tục (gõ không dấu cũng được)", "intake_find",
                                       self.find)
        root.add_widget(search)
        middle = BoxLayout(spacing=6)
        scroll = ScrollView(size_hint_x=0.52)
        self.listing = GridLayout(cols=1, spacing=3, size_hint_y=None)
        self.listing.bind(minimum_height=self.listing.setter("height"))
        scroll.add_widget(self.listing)
        middle.add_widget(scroll)
        form = GridLayout(cols=2, spacing=3, size_hint_x=0.48, row_force_default=True, row_default_height=34)
        self.fields: dict[str, Field] = {}
        for key, label in (("name", "Họ và tên"), ("cccd", "Số CCCD"), ("phone", "Điện thoại"),
                           ("email", "Email"), ("address", "Địa chỉ"), ("post_address", "Địa chỉ nhận")):
            form.add_widget(Box(text=label, font_size="14sp", size_hint_x=0.38, bg=(1, 1, 1, 1)))
            f = Field(tid=f"intake_{key}")
            self.fields[key] = f
            form.add_widget(f)
        self.fields["cccd"].bind(text=lambda _w, t: self._check_cccd(t))
        self.method = Key(tid="intake_method", text="Nhận kết quả: tại quầy", font_size="14sp",
                          background_color=ACCENT, on_release=lambda *_: self.toggle_post())
        form.add_widget(Box(text="", bg=(1, 1, 1, 1), size_hint_x=0.38))
        form.add_widget(self.method)
        middle.add_widget(form)
        root.add_widget(middle)
        self.message = Box(tid="intake_message", text="Tìm và chọn thủ tục, đánh dấu giấy tờ đã nhận.",
                           font_size="15sp", color=MUTED, size_hint_y=None, height=52, bg=(1, 1, 1, 1))
        root.add_widget(self.message)
        bottom = BoxLayout(size_hint_y=None, height=48, spacing=6)
        bottom.add_widget(Key(tid="intake_keyboard", text="Bàn phím", background_color=ACCENT, size_hint_x=0.3,
                              on_release=lambda *_: self.open_keyboard()))
        self.submit_btn = Key(tid="intake_submit", text="Tiếp nhận", background_color=GOOD,
                              on_release=lambda *_: self.submit())
        bottom.add_widget(self.submit_btn)
        root.add_widget(bottom)
        self.add_widget(root)
        _bg(self)

    def open_keyboard(self) -> None:
        """The on-screen Vietnamese keyboard (a touch screen has no input method) over the form."""
        from counter_terminal.screens.keyboard import TouchKeyboard

        labels = {"name": "Họ tên", "cccd": "CCCD", "phone": "Điện thoại", "address": "Địa chỉ",
                  "post_address": "Đ/c nhận", "email": "Email"}
        TouchKeyboard({k: self.fields[k] for k in labels}, labels).open()

    def on_pre_enter(self, *_):
        cur = self.app.core.current
        self.header.text = f"Tiếp nhận hồ sơ — số {cur['number']}" if cur else "Tiếp nhận hồ sơ — công dân không lấy số"

    def back(self) -> None:
        self.app.sm.current = "serve"

    def say(self, text: str, error: bool = False) -> None:
        self.message.text = text
        self.message.color = BAD if error else DARK

    def cccd_scanned(self, raw: str) -> None:
        """The CCCD chip card's front QR (scanned, or typed by a keyboard-wedge scanner into the CCCD
        field): pre-fill name, number, date of birth and address (issue #12)."""
        applicant, reason = DossierCore.applicant_from_cccd_qr(raw)
        if applicant is None:
            self.fields["cccd"].text = ""
            self.say(reason or "Mã QR không hợp lệ.", True)
            return
        for key in ("name", "cccd", "address"):
            self.fields[key].text = applicant[key]
            self.fields[key].cursor = (0, 0)  # the long QR text left the view scrolled past the number
            self.fields[key].scroll_x = 0
        self.birth_date = applicant["birth_date"]
        self._birth_of = applicant["cccd"]
        self.say(f"Đã đọc thẻ CCCD: {applicant['name']}, sinh ngày "
                 f"{'/'.join(reversed(applicant['birth_date'].split('-')))}.")

    def _check_cccd(self, text: str) -> None:
        text = text.strip()
        if looks_like_cccd_qr(text):
            Clock.schedule_once(lambda *_: self.cccd_scanned(text))
            return
        if self.birth_date and text != self._birth_of:  # another person's number: not their birth date
            self.birth_date = None
        if len(text) >= 12 or (text and not text.isdigit()):
            reason = DossierCore.check_cccd(text)
            self.say(reason or "Số CCCD hợp lệ.", bool(reason))

    def find(self) -> None:
        q = self.query.text.strip()
        if not q:
            return
        _background(lambda: _core(self.app).search(q, 12), self._found)

    def _found(self, procs, err) -> None:
        if err is not None:
            self.say(err.message_vi, True)
            return
        self.listing.clear_widgets()
        if not procs:
            self.say("Không tìm thấy thủ tục phù hợp.", True)
        else:  # a new search's results never sit under the last one's "not found"
            self.say(f"{len(procs)} thủ tục phù hợp: chọn thủ tục của công dân.")
        for p in procs:
            self.listing.add_widget(Key(tid=f"proc:{p['id']}", text=p["name"], font_size="14sp", bold=False,
                                        size_hint_y=None, height=46, halign="left",
                                        text_size=(360, None), on_release=lambda _b, p=p: self.choose(p)))

    def choose(self, proc: dict) -> None:
        self.procedure = proc
        self.ticked = set()
        self.listing.clear_widgets()
        self.listing.add_widget(Box(tid="intake_procedure", text=proc["name"], bold=True, font_size="14sp",
                                    size_hint_y=None, height=48, bg=(1, 1, 1, 1)))
        for i, d in enumerate(proc["documents"]):
            self.listing.add_widget(Key(tid=f"doc:{i}", text=self._doc_text(i, d), font_size="13sp", bold=False,
                                        size_hint_y=None, height=44, halign="left", text_size=(360, None),
                                        background_color=MUTED, on_release=lambda _b, i=i: self.tick(i)))
        days = proc.get("processing_days")
        fee = proc.get("fee_vnd") or 0
        limit = "theo quyết định của tỉnh" if days is None else "Trong ngày" if days == 0 else \
            f"{days:g} ngày làm việc"  # as the kiosk says it
        self.say(f"Thời hạn: {limit} · Lệ phí: {fee:,} đ".replace(",", "."))

    def _doc_text(self, i: int, d: dict) -> str:
        tag = document_tag(d)  # conditional and optional documents are not asked for unless ticked
        return f"{'[x]' if i in self.ticked else '[  ]'} {d['name']} ({d.get('copies', 1)} bản)" + \
            (f" — {tag}" if tag else "")

    def tick(self, i: int) -> None:
        self.ticked ^= {i}
        for w in self.listing.children:
            if getattr(w, "tid", "") == f"doc:{i}":
                w.text = self._doc_text(i, self.procedure["documents"][i])
                w.background_color = GOOD if i in self.ticked else MUTED

    def toggle_post(self) -> None:
        self.post = not self.post
        self.method.text = "Nhận kết quả: qua bưu chính" if self.post else "Nhận kết quả: tại quầy"

    def submit(self) -> None:
        if self.procedure is None:
            self.say("Chưa chọn thủ tục.", True)
            return
        applicant = {k: self.fields[k].text.strip() for k in ("name", "cccd", "phone", "email", "address")}
        if self.birth_date:
            applicant["birth_date"] = self.birth_date
        pid, docs = self.procedure["id"], sorted(self.ticked)
        method = "post" if self.post else "counter"
        post_address = self.fields["post_address"].text.strip() or None
        self.submit_btn.disabled = True
        self.say("Đang gửi…")
        _background(lambda: _core(self.app).intake(pid, applicant, docs, return_method=method,
                                                   post_address=post_address), self._done)

    def _done(self, r, err) -> None:
        self.submit_btn.disabled = False
        if err is not None:
            self.say(err.message_vi, True)
            return
        if not r["complete"]:
            self.say(f"Hồ sơ chưa đủ: đã in Phiếu hướng dẫn hoàn thiện hồ sơ (thiếu {len(r['missing'])} giấy tờ).",
                     True)
            return
        if r.get("on_spot"):
            self.say(f"Đã tiếp nhận {r['code']} — giải quyết ngay, không cần giấy hẹn.")
        else:
            self.say(f"Đã tiếp nhận {r['code']}, hẹn trả {_when(r['due_at'])}. "
                     "Đã in Giấy tiếp nhận (2 liên).")
        self.procedure = None
        for f in self.fields.values():
            f.text = ""
        self.listing.clear_widgets()


class ReturnScreen(Screen):
    def __init__(self, app, **kw):
        super().__init__(name="return", **kw)
        self.app = app
        self.dossier: dict | None = None
        self.fees_paid = False
        self.signed = False
        self.warning = False  # the message shown is a refusal (red)
        root = BoxLayout(orientation="vertical", padding=6, spacing=5)
        top, self.header = _top(self, "return_header", "Trả kết quả — quét mã trên giấy hẹn")
        root.add_widget(top)
        row, self.code = _find_row("return_code", "Mã hồ sơ (quét mã vạch hoặc gõ)", "return_find", self.find)
        root.add_widget(row)
        self.details = Box(tid="return_details", text="", font_size="14sp", valign="top", bg=(1, 1, 1, 1))
        root.add_widget(self.details)
        checks = BoxLayout(size_hint_y=None, height=46, spacing=6)
        self.fees = Key(tid="return_fees", text="", font_size="14sp", background_color=MUTED,
                        on_release=lambda *_: self.toggle("fees_paid"))
        self.sign = Key(tid="return_signed", text="", font_size="14sp", background_color=MUTED,
                        on_release=lambda *_: self.toggle("signed"))
        self.tracking = Field(tid="return_tracking", hint_text="Số hiệu bưu gửi", size_hint_x=0.7)
        checks.add_widget(self.fees)
        checks.add_widget(self.sign)
        checks.add_widget(self.tracking)
        root.add_widget(checks)
        late = BoxLayout(size_hint_y=None, height=40, spacing=6)
        self.reason = Field(tid="return_reason", hint_text="Trễ hẹn: lý do chậm")
        late.add_widget(self.reason)
        # The officer chooses the new date (what the agency at fault can promise), dd/mm/yyyy.
        self.new_due = Field(tid="return_new_due", hint_text="Hẹn mới dd/mm/yyyy", size_hint_x=0.5)
        late.add_widget(self.new_due)
        late.add_widget(Key(tid="return_apology", text="In phiếu xin lỗi", font_size="14sp",
                            background_color=ACCENT, size_hint_x=0.42, on_release=lambda *_: self.apologise()))
        root.add_widget(late)
        self.message = Box(tid="return_message", text="", font_size="15sp", size_hint_y=None, height=40,
                           bg=(1, 1, 1, 1))
        root.add_widget(self.message)
        self.submit_btn = Key(tid="return_submit", text="Trả kết quả", background_color=GOOD, size_hint_y=None,
                              height=48, on_release=lambda *_: self.submit())
        root.add_widget(self.submit_btn)
        self.add_widget(root)
        _bg(self)
        self._labels()

    def back(self) -> None:
        self.app.sm.current = "serve"

    def say(self, text: str, error: bool = False) -> None:
        self.message.text = text
        self.message.color = BAD if error else DARK
        self.warning = error

    def scanned(self, raw: str) -> None:
        """From the barcode reader (routed by the app while this screen is shown)."""
        self.code.text = raw.strip()
        self.find()

    def _labels(self) -> None:
        fee = (self.dossier or {}).get("fees_vnd") or 0
        self.fees.text = f"{'[x]' if self.fees_paid else '[  ]'} Đã thu phí: {fee:,} đ".replace(",", ".")
        self.fees.background_color = GOOD if self.fees_paid else MUTED
        self.sign.text = f"{'[x]' if self.signed else '[  ]'} Công dân đã ký nhận"
        self.sign.background_color = GOOD if self.signed else MUTED

    def toggle(self, name: str) -> None:
        setattr(self, name, not getattr(self, name))
        self._labels()
        post = (self.dossier or {}).get("return_method") == "post"
        if self.fees_paid and (self.signed or post) and self.warning:
            self.say("Đã xác nhận thu phí và ký nhận: bấm Trả kết quả.")  # the warning no longer holds

    def find(self) -> None:
        raw = self.code.text
        _background(lambda: _core(self.app).scan(raw), self._found)

    def _found(self, d, err) -> None:
        self.fees_paid = self.signed = False
        if err is not None:
            self.dossier = None
            self.details.text = ""
            self.say(err.message_vi, True)
            self._labels()
            return
        self.dossier = d
        a = d["applicant"]
        where = "qua bưu chính: " + a.get("post_address", "") if d["return_method"] == "post" else "tại quầy"
        self.details.text = (f"{d['code']} — {d['procedure']}\nNgười nộp: {a['name']}  CCCD: {a.get('cccd') or '—'}\n"
                             f"Trạng thái: {d['status_vi']}\nHẹn trả: {_when(d['due_at'])}  ·  Nhận kết quả {where}")
        self.say("Kết quả đã sẵn sàng." if d["ready"] else "Hồ sơ chưa có kết quả.", not d["ready"])
        self._labels()

    def apologise(self) -> None:
        """Phiếu xin lỗi và hẹn lại ngày trả kết quả, printed here for the citizen at the counter."""
        if self.dossier is None:
            self.say("Chưa có hồ sơ: quét mã trên giấy hẹn.", True)
            return
        code, reason = self.dossier["code"], self.reason.text.strip()
        new_due = parse_day(self.new_due.text)
        if new_due is None and reason:  # an empty reason: the hub's refusal says what is missing first
            self.say("Nhập ngày hẹn trả mới (ngày/tháng/năm, ví dụ 08/12/2026).", True)
            return
        _background(lambda: _core(self.app).apologise(code, reason, new_due=new_due), self._apologised)

    def _apologised(self, a, err) -> None:
        if err is not None:
            self.say(err.message_vi, True)
            return
        self.reason.text = self.new_due.text = ""
        self.say(f"Đã in Phiếu xin lỗi; hẹn trả mới: {_when(a['new_due_at'])}.")

    def submit(self) -> None:
        if self.dossier is None:
            self.say("Chưa có hồ sơ: quét mã trên giấy hẹn.", True)
            return
        code = self.dossier["code"]
        tracking = self.tracking.text.strip() or None
        fees, signed = self.fees_paid, self.signed
        self.submit_btn.disabled = True
        _background(lambda: _core(self.app).give_back(code, fees_paid=fees, signed=signed, tracking=tracking),
                    self._done)

    def _done(self, d, err) -> None:
        self.submit_btn.disabled = False
        if err is not None:
            self.say(err.message_vi, True)
            return
        # A vote opens when the ticket served is completed; a walk-in (no ticket) has none to give.
        vote = " Bấm Xong để công dân đánh giá sự hài lòng." if d.get("return_ticket_id") else ""
        self.say(f"Đã trả kết quả hồ sơ {d['code']}.{vote}")
        self.details.text = f"{d['code']} — {d['status_vi']}"
        self.dossier = None
