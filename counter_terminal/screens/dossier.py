"""Dossier screens of the counter terminal (issue #5): intake (search the procedure, tick the documents,
enter the applicant, print the guidance sheet or the receipt, or refuse the papers and print the refusal
sheet) and return (scan the receipt, confirm fees and signature, hand the result over). The work itself is
counter_terminal/dossier_core.py; these screens only collect input and show answers. Text fields take the
physical keyboard (with a Vietnamese input method); the barcode reader types into the code field or is
routed here by the app.

Their words follow the app's language (counter_terminal/words.py); what they print stays Vietnamese.
"""

from __future__ import annotations

from pathlib import Path

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import Screen
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from counter_terminal.actions import ACTIONS
from counter_terminal.dossier_core import DossierCore
from counter_terminal.words import WORDS, Said, refusal, same, say, t
from devicekit.ui.background import in_background
from devicekit.ui.widgets import ACCENT, BAD, BG, DARK, GOOD, MUTED, WARN, Box, CheckRow, Field, Key
from motcua_core.cccd import looks_like_cccd_qr
from motcua_core.document_kinds import document_tag


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


def _when(iso: str | None) -> Said:
    """'2026-12-02T17:00+07:00' → '17:00 ngày 02/12/2026' / '17:00 on 02/12/2026'."""
    return same("") if not iso else say("when", time=iso[11:16], date=f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}")


def _vnd(amount: int) -> str:
    """12000 → '12.000' (the Vietnamese thousands mark, in both languages: the amount is in đồng)."""
    return f"{amount:,}".replace(",", ".")


def dossier_status(d: dict) -> Said:
    """A dossier's status: Vietnamese as the hub words it, English from the counter's table."""
    key = "status_ready_rejected" if d.get("status") == "ready" and d.get("outcome") == "rejected" \
        else f"status_{d.get('status')}"
    return Said(d["status_vi"], t(key, "en") if key in WORDS else d["status_vi"])


def parse_day(text: str) -> str | None:
    """'8/12/2026' or '08/12/2026' → '2026-12-08' (the date an officer types); None if it is not one."""
    from datetime import date

    try:
        d, m, y = (int(x) for x in text.strip().replace("-", "/").replace(".", "/").split("/"))
        return date(y, m, d).isoformat()
    except ValueError:
        return None


class WordedScreen(Screen):
    """A screen whose words follow the app's language: fixed words are registered with `word`, the
    message is kept in both languages, and `relabel` (the language toggle) sets them all again.
    `hint` (a word key) is shown in grey until the first message."""

    message: Box

    def __init__(self, app, hint: str | None = None, **kw):
        super().__init__(**kw)
        self.app = app
        self.hint = hint
        self._words: list[tuple[Widget, str, str]] = []
        self.said: Said | None = None
        self.warning = False  # the message shown is a refusal (red)

    def word(self, widget: Widget, key: str, attr: str = "text") -> Widget:
        self._words.append((widget, attr, key))
        return widget

    def relabel(self) -> None:
        lang = self.app.lang
        for widget, attr, key in self._words:
            setattr(widget, attr, t(key, lang))
        self.redraw()
        if self.said is not None:
            self.say(self.said, self.warning)
        elif self.hint is not None:
            self.message.text, self.message.color = t(self.hint, lang), MUTED

    def redraw(self) -> None:
        """The words that depend on what the screen holds (a dossier, the procedure chosen)."""

    def say(self, said: Said, error: bool = False) -> None:
        self.said, self.warning = said, error
        self.message.text = said.text(self.app.lang)
        self.message.color = BAD if error else DARK


def _find_row(screen: WordedScreen, field_tid: str, hint: str, button_tid: str, on_find) -> tuple[BoxLayout, Field]:
    """A text field with a "Tìm" button beside it; Enter in the field finds too (a scanner sends Enter)."""
    row = BoxLayout(size_hint_y=None, height=40, spacing=6)
    field = Field(tid=field_tid, on_text_validate=lambda *_: on_find())
    row.add_widget(screen.word(field, hint, "hint_text"))
    row.add_widget(screen.word(Key(tid=button_tid, font_size="16sp", size_hint_x=0.18,
                                   on_release=lambda *_: on_find()), "find"))
    return row, field


def _top(screen: WordedScreen, tid: str, title: str | None) -> tuple[BoxLayout, Box]:
    """The title bar with "Quay lại"; `title` is a word key, or None when the screen sets it itself."""
    top = BoxLayout(size_hint_y=None, height=44, spacing=6)
    header = Box(tid=tid, text="", bold=True, font_size="18sp", color=(1, 1, 1, 1), bg=DARK)
    top.add_widget(header if title is None else screen.word(header, title))
    top.add_widget(screen.word(Key(tid=f"{screen.name}_back", font_size="15sp", background_color=MUTED,
                                   size_hint_x=0.2, on_release=lambda *_: screen.back()), "back"))
    return top, header


FORM = ("name", "cccd", "phone", "email", "address", "post_address")


class IntakeScreen(WordedScreen):
    def __init__(self, app, **kw):
        super().__init__(app, "intake_hint", name="intake", **kw)
        self.procedure: dict | None = None
        self.ticked: set[int] = set()
        self.post = False
        self.birth_date: str | None = None  # from a scanned CCCD QR, for the number in _birth_of
        self._birth_of = ""
        self.heading = say("intake_title")
        root = BoxLayout(orientation="vertical", padding=6, spacing=5)
        top, self.header = _top(self, "intake_header", None)
        top.add_widget(self.word(Key(tid="open:booking", font_size="15sp", background_color=ACCENT, size_hint_x=0.18,
                                     on_release=lambda *_: setattr(app.sm, "current", "booking")), "open_booking"))
        root.add_widget(top)
        search, self.query = _find_row(self, "intake_search", "intake_search_hint", "intake_find", self.find)
        root.add_widget(search)
        middle = BoxLayout(spacing=6)
        scroll = ScrollView(size_hint_x=0.52)
        self.listing = GridLayout(cols=1, spacing=3, size_hint_y=None)
        self.listing.bind(minimum_height=self.listing.setter("height"))
        scroll.add_widget(self.listing)
        middle.add_widget(scroll)
        form = GridLayout(cols=2, spacing=3, size_hint_x=0.48, row_force_default=True, row_default_height=34)
        self.fields: dict[str, Field] = {}
        for key in FORM:
            form.add_widget(self.word(Box(tid=f"intake_label:{key}", font_size="14sp", size_hint_x=0.38,
                                          bg=(1, 1, 1, 1)), f"field_{key}"))
            f = Field(tid=f"intake_{key}")
            self.fields[key] = f
            form.add_widget(f)
        self.fields["cccd"].bind(text=lambda _w, text: self._check_cccd(text))
        self.method = Key(tid="intake_method", text="", font_size="14sp", background_color=ACCENT,
                          on_release=lambda *_: self.toggle_post())
        self.competent: str | None = None  # the competent agency the officer named (another commune's)
        self.competent_key = Key(tid="intake_competent", text="", font_size="13sp", background_color=ACCENT,
                                 size_hint_x=0.38, shorten=True, shorten_from="right", halign="center",
                                 valign="middle", on_release=lambda *_: self.open_competent())
        self.competent_key.bind(size=lambda w, s: setattr(w, "text_size", (s[0] - 8, s[1])))
        form.add_widget(self.competent_key)
        form.add_widget(self.method)
        middle.add_widget(form)
        root.add_widget(middle)
        self.message = Box(tid="intake_message", text="", font_size="15sp", color=MUTED, size_hint_y=None,
                           height=52, bg=(1, 1, 1, 1))
        root.add_widget(self.message)
        bottom = BoxLayout(size_hint_y=None, height=48, spacing=6)
        bottom.add_widget(self.word(Key(tid="intake_keyboard", background_color=ACCENT, size_hint_x=0.3,
                                        on_release=lambda *_: self.open_keyboard()), "keyboard"))
        bottom.add_widget(self.word(Key(tid="intake_refuse", background_color=WARN, size_hint_x=0.4,
                                        on_release=lambda *_: RefusePanel(self).open()), "intake_refuse"))
        bottom.add_widget(self.word(Key(tid="intake_scan", background_color=ACCENT, size_hint_x=0.22,
                                        on_release=lambda *_: self.open_scanning()), "intake_scan"))
        self.submit_btn = Key(tid="intake_submit", background_color=GOOD, on_release=lambda *_: self.submit())
        bottom.add_widget(self.word(self.submit_btn, "intake_submit"))
        root.add_widget(bottom)
        self.add_widget(root)
        _bg(self)
        self.relabel()

    def redraw(self) -> None:
        lang = self.app.lang
        self.header.text = self.heading.text(lang)
        self.method.text = t("method_post" if self.post else "method_counter", lang)
        short = (self.competent or "").replace("Ủy ban nhân dân", "UBND")  # the key is narrow; the line says it all
        self.competent_key.text = t("competent_chosen", lang, agency=short) if self.competent \
            else t("competent_key", lang)
        if self.procedure is not None:
            for w in self.listing.children:
                tid = getattr(w, "tid", "")
                if tid.startswith("doc:"):
                    i = int(tid[4:])
                    w.text = self._doc_text(i, self.procedure["documents"][i])

    def open_keyboard(self) -> None:
        """The on-screen Vietnamese keyboard (a touch screen has no input method) over the form."""
        from counter_terminal.screens.keyboard import TouchKeyboard

        lang = self.app.lang
        labels = {k: t(f"kbd_{k}", lang) for k in ("name", "cccd", "phone", "address", "post_address", "email")}
        TouchKeyboard({k: self.fields[k] for k in labels}, labels, lang).open()

    def on_pre_enter(self, *_):
        cur = self.app.core.current
        self.heading = say("intake_title_ticket", number=cur["number"]) if cur else say("intake_title_walkin")
        self.redraw()

    def back(self) -> None:
        self.app.sm.current = "serve"

    def cccd_scanned(self, raw: str) -> None:
        """The CCCD chip card's front QR (scanned, or typed by a keyboard-wedge scanner into the CCCD
        field): pre-fill name, number, date of birth and address (issue #12)."""
        applicant, problem = DossierCore.applicant_from_cccd_qr(raw)
        if applicant is None:
            self.fields["cccd"].text = ""
            self.say(refusal(problem) if problem else say("bad_qr"), True)
            return
        for key in ("name", "cccd", "address"):
            self.fields[key].text = applicant[key]
            self.fields[key].cursor = (0, 0)  # the long QR text left the view scrolled past the number
            self.fields[key].scroll_x = 0
        self.birth_date = applicant["birth_date"]
        self._birth_of = applicant["cccd"]
        self.say(say("cccd_read_born", name=applicant["name"],
                     born="/".join(reversed(applicant["birth_date"].split("-")))))

    def _check_cccd(self, text: str) -> None:
        text = text.strip()
        if looks_like_cccd_qr(text):
            Clock.schedule_once(lambda *_: self.cccd_scanned(text))
            return
        if self.birth_date and text != self._birth_of:  # another person's number: not their birth date
            self.birth_date = None
        if len(text) >= 12 or (text and not text.isdigit()):
            problem = DossierCore.cccd_problem(text)
            self.say(refusal(problem) if problem else say("cccd_ok"), problem is not None)

    def find(self) -> None:
        q = self.query.text.strip()
        if not q:
            return
        in_background(lambda: _core(self.app).search(q, 12), self._found)

    def _found(self, procs, err) -> None:
        if err is not None:
            self.say(refusal(err), True)
            return
        self.listing.clear_widgets()
        if not procs:
            self.say(say("no_procedure_found"), True)
        else:  # a new search's results never sit under the last one's "not found"
            self.say(say("procedures_found", n=len(procs)))
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
        docs = list(enumerate(proc["documents"]))
        shown = [(i, d) for i, d in docs if d.get("kind") == "show"]
        lang = self.app.lang
        for title, group in ((t("docs_to_submit", lang), [x for x in docs if x not in shown]),
                             (t("docs_to_show", lang), shown)):
            if not group:
                continue
            self.listing.add_widget(Box(text=title, bold=True, font_size="13sp", color=MUTED, size_hint_y=None,
                                        height=24, bg=(1, 1, 1, 1), halign="left"))
            for i, d in group:
                self.listing.add_widget(CheckRow(tid=f"doc:{i}", text=self._doc_text(i, d), font_size="13sp",
                                                 active=i in self.ticked, on_toggle=lambda _on, i=i: self.tick(i)))
        days = proc.get("processing_days")
        fee = proc.get("fee_vnd") or 0
        limit = say("limit_province") if days is None else say("same_day") if days == 0 else \
            say("working_days", n=f"{days:g}")  # as the kiosk says it
        self.say(say("limit_and_fee", limit=limit, fee=_vnd(fee)))

    def _doc_text(self, i: int, d: dict) -> str:
        lang = self.app.lang
        tag = document_tag(d, lang)  # conditional and optional documents are not asked for unless ticked
        copies = t("copies", lang, n=d.get("copies", 1))
        return f"{d['name']} ({copies})" + (f" — {tag}" if tag else "")

    def tick(self, i: int) -> None:
        self.ticked ^= {i}
        for w in self.listing.children:
            if getattr(w, "tid", "") == f"doc:{i}":
                w.active = i in self.ticked

    def open_competent(self) -> None:
        """The province's agencies: name the competent one for a citizen of another commune."""
        from counter_terminal.screens.competent import CompetentPanel

        CompetentPanel(self, _core(self.app)).open()

    def competent_chosen(self, agency: str | None) -> None:
        self.competent = agency
        self.redraw()
        self.say(say("competent_said", agency=agency) if agency else say("competent_reset"))

    def open_scanning(self) -> None:
        """The scanning panel for the procedure chosen (counter_terminal/screens/scanning.py)."""
        if self.procedure is None:
            self.say(say("no_procedure"), True)
            return
        from counter_terminal.screens.scanning import ScanPanel

        ScanPanel(self).open()

    def scanned(self, i: int) -> None:
        """A document scanned, or marked as held as data, in the scanning panel: it is handed in."""
        if i not in self.ticked:
            self.tick(i)

    def toggle_post(self) -> None:
        self.post = not self.post
        self.redraw()

    def submit(self) -> None:
        if self.procedure is None:
            self.say(say("no_procedure"), True)
            return
        applicant = {k: self.fields[k].text.strip() for k in ("name", "cccd", "phone", "email", "address")}
        if self.birth_date:
            applicant["birth_date"] = self.birth_date
        # a paper only shown (xuất trình) is looked at and handed back: never sent as handed in
        shown = {i for i, d in enumerate(self.procedure["documents"]) if d.get("kind") == "show"}
        pid, docs = self.procedure["id"], sorted(self.ticked - shown)
        method = "post" if self.post else "counter"
        post_address = self.fields["post_address"].text.strip() or None
        self.submit_btn.disabled = True
        self.say(say("sending"))
        desk = getattr(self.app, "scan_desk", None)  # the scanning panel's record, when it was used
        options = desk.intake_options() if desk is not None else None
        if self.competent:
            options = {**(options or {}), "competent": self.competent}
        in_background(lambda: _core(self.app).intake(pid, applicant, docs, return_method=method,
                                                   post_address=post_address, options=options), self._done)

    def _done(self, r, err) -> None:
        self.submit_btn.disabled = False
        if err is not None:
            self.say(refusal(err), True)
            return
        if not r["complete"]:
            self.say(say("incomplete", n=len(r["missing"])), True)
            return
        desk = getattr(self.app, "scan_desk", None)
        if desk is not None:  # the scans go to the hub now, through the durable outbox
            desk.upload(r["code"])
            desk.reset()
        if r.get("on_spot"):
            self.say(say("taken_on_spot", code=r["code"]))
        else:
            self.say(say("taken_in", code=r["code"], due=_when(r["due_at"])))
        self.clear()

    def refused(self, r: dict) -> None:
        """The papers were refused (RefusePanel) and the sheet printed: the next citizen starts afresh."""
        sheet = r["refusal"]
        self.say(say("refused_printed", name=sheet["applicant"]["name"], number=sheet["number"]))
        self.clear()

    def clear(self) -> None:
        self.procedure = None
        self.competent = None
        self.redraw()
        self.ticked = set()
        self.birth_date = None
        for f in self.fields.values():
            f.text = ""
        self.listing.clear_widgets()


class RefusePanel(ModalView):
    """Refusing papers at intake (a procedure not handled here, papers the citizen cannot supply, a request
    outside the office's remit): whose papers, what was asked, each reason in its own box (the touch
    keyboard has no line break). The hub records it — no dossier, no code — and the refusal sheet is
    printed on the counter's printer. Its words are the screen's language when opened (it covers the
    language button); the sheet itself is Vietnamese."""

    REASONS = 3

    def __init__(self, screen: IntakeScreen, **kw):
        super().__init__(size_hint=(0.97, 0.94), auto_dismiss=False, background_color=BG, **kw)
        self.screen, self.lang = screen, screen.app.lang
        self.procedure = screen.procedure
        lang = self.lang
        root = BoxLayout(orientation="vertical", padding=6, spacing=4)
        root.add_widget(Box(tid="refuse_title", text=t("refuse_title", lang), bold=True, font_size="17sp",
                            color=(1, 1, 1, 1), bg=DARK, size_hint_y=None, height=38))
        form = GridLayout(cols=2, spacing=3, row_force_default=True, row_default_height=36)
        self.fields: dict[str, Field] = {}
        self.labels: dict[str, str] = {}
        rows = [("name", t("field_name", lang), "", t("kbd_name", lang)),
                ("request", t("field_request", lang), t("refuse_request_hint", lang), t("kbd_request", lang))]
        rows += [(f"reason{n}", t("field_reason", lang, n=n), t("refuse_reason_hint", lang),
                  t("kbd_reason", lang, n=n)) for n in range(1, self.REASONS + 1)]
        for key, label, hint, short in rows:
            form.add_widget(Box(tid=f"refuse_label:{key}", text=label, font_size="14sp", size_hint_x=0.22,
                                bg=(1, 1, 1, 1)))
            self.fields[key] = Field(tid=f"refuse_{key}", hint_text=hint)
            form.add_widget(self.fields[key])
            self.labels[key] = short
        self.fields["name"].text = screen.fields["name"].text.strip()
        if self.procedure is not None:  # the catalogue's name is what the sheet prints
            self.fields["request"].text = self.procedure["name"]
            self.fields["request"].readonly = True
            del self.labels["request"]
        root.add_widget(form)
        self.message = Box(tid="refuse_message", text=t("refuse_hint", lang), font_size="15sp", color=MUTED,
                           size_hint_y=None, height=48, bg=(1, 1, 1, 1))
        root.add_widget(self.message)
        keys = BoxLayout(size_hint_y=None, height=48, spacing=6)
        keys.add_widget(Key(tid="refuse_keyboard", text=t("keyboard", lang), background_color=ACCENT,
                            size_hint_x=0.28, on_release=lambda *_: self.open_keyboard()))
        keys.add_widget(Key(tid="refuse_cancel", text=t("cancel", lang), background_color=MUTED, size_hint_x=0.28,
                            on_release=lambda *_: self.dismiss()))
        self.submit_btn = Key(tid="refuse_submit", text=t("refuse_submit", lang), background_color=BAD,
                              on_release=lambda *_: self.submit())
        keys.add_widget(self.submit_btn)
        root.add_widget(keys)
        self.add_widget(root)

    def open_keyboard(self) -> None:
        from counter_terminal.screens.keyboard import TouchKeyboard

        TouchKeyboard({k: self.fields[k] for k in self.labels}, self.labels, self.lang).open()

    def submit(self) -> None:
        name = self.fields["name"].text.strip()
        reasons = [f.text.strip() for k, f in self.fields.items() if k.startswith("reason") and f.text.strip()]
        procedure = self.procedure["id"] if self.procedure is not None else None
        request = None if procedure else self.fields["request"].text.strip() or None
        self.submit_btn.disabled = True
        self.message.text, self.message.color = t("sending", self.lang), DARK
        in_background(lambda: _core(self.screen.app).refuse(name, reasons, procedure=procedure, request=request),
                    self._done)

    def _done(self, r, err) -> None:
        self.submit_btn.disabled = False
        if err is not None:  # the hub's reason (no reason written, no name…) in the panel's language
            self.message.text, self.message.color = refusal(err).text(self.lang), BAD
            return
        self.dismiss()
        self.screen.refused(r)


class ReturnScreen(WordedScreen):
    def __init__(self, app, **kw):
        super().__init__(app, name="return", **kw)
        self.dossier: dict | None = None
        self.fees_paid = False
        self.signed = False
        self.shown = same("")  # the dossier's details, in both languages
        root = BoxLayout(orientation="vertical", padding=6, spacing=5)
        top, self.header = _top(self, "return_header", "return_title")
        root.add_widget(top)
        row, self.code = _find_row(self, "return_code", "return_code_hint", "return_find", self.find)
        root.add_widget(row)
        self.details = Box(tid="return_details", text="", font_size="14sp", valign="top", bg=(1, 1, 1, 1))
        root.add_widget(self.details)
        checks = BoxLayout(size_hint_y=None, height=46, spacing=6)
        self.fees = Key(tid="return_fees", text="", font_size="14sp", background_color=MUTED,
                        on_release=lambda *_: self.toggle("fees_paid"))
        self.sign = Key(tid="return_signed", text="", font_size="14sp", background_color=MUTED,
                        on_release=lambda *_: self.toggle("signed"))
        self.tracking = Field(tid="return_tracking", size_hint_x=0.7)
        checks.add_widget(self.fees)
        checks.add_widget(self.sign)
        checks.add_widget(self.word(self.tracking, "tracking_hint", "hint_text"))
        root.add_widget(checks)
        late = BoxLayout(size_hint_y=None, height=40, spacing=6)
        self.reason = Field(tid="return_reason")
        late.add_widget(self.word(self.reason, "late_reason_hint", "hint_text"))
        # The officer chooses the new date (what the agency at fault can promise), dd/mm/yyyy.
        self.new_due = Field(tid="return_new_due", size_hint_x=0.5)
        late.add_widget(self.word(self.new_due, "new_due_hint", "hint_text"))
        late.add_widget(self.word(Key(tid="return_apology", font_size="14sp", background_color=ACCENT,
                                      size_hint_x=0.42, on_release=lambda *_: self.apologise()), "print_apology"))
        root.add_widget(late)
        self.message = Box(tid="return_message", text="", font_size="15sp", size_hint_y=None, height=40,
                           bg=(1, 1, 1, 1))
        root.add_widget(self.message)
        self.submit_btn = Key(tid="return_submit", background_color=GOOD, size_hint_y=None, height=48,
                              on_release=lambda *_: self.submit())
        bottom = BoxLayout(size_hint_y=None, height=48, spacing=6)
        # the paper result photographed for the citizen's electronic copy (signed by the hub as the centre)
        bottom.add_widget(self.word(Key(tid="return_scan", background_color=ACCENT, size_hint_x=0.3,
                                        on_release=lambda *_: self.scan_result_page()), "return_scan"))
        bottom.add_widget(self.word(self.submit_btn, "return_submit"))
        root.add_widget(bottom)
        self.add_widget(root)
        _bg(self)
        self.relabel()

    def back(self) -> None:
        self.app.sm.current = "serve"

    def scan_result_page(self) -> None:
        """One page of the paper result under the document camera (kept until the result is returned)."""
        from counter_terminal.screens.scanning import scan_desk

        desk = scan_desk(self.app)
        if desk is None or self.dossier is None:
            self.say(say("no_result_scan"), True)
            return

        def work():
            try:
                return desk.capture(-1), None
            except Exception as exc:  # ScannerError: the officer reads message_vi
                return None, getattr(exc, "message_vi", str(exc))

        in_background(work, lambda r, _e: self.say(same(r[1]), True) if r[1] else
                      self.say(say("result_page", n=r[0])))

    def scanned(self, raw: str) -> None:
        """From the barcode reader (routed by the app while this screen is shown)."""
        self.code.text = raw.strip()
        self.find()

    def redraw(self) -> None:
        lang = self.app.lang
        self.details.text = self.shown.text(lang)
        fee = (self.dossier or {}).get("fees_vnd") or 0
        free = self.dossier is not None and fee == 0  # a free procedure has no fee step at all
        self.fees.disabled = free
        self.fees.text = t("no_fees", lang) if free else \
            t("fees_paid", lang, box="[x]" if self.fees_paid else "[  ]", fee=_vnd(fee))
        self.fees.background_color = GOOD if self.fees_paid or free else MUTED
        self.sign.text = t("citizen_signed", lang, box="[x]" if self.signed else "[  ]")
        self.sign.background_color = GOOD if self.signed else MUTED

    def toggle(self, name: str) -> None:
        setattr(self, name, not getattr(self, name))
        self.redraw()
        post = (self.dossier or {}).get("return_method") == "post"
        paid = self.fees_paid or not (self.dossier or {}).get("fees_vnd")
        if paid and (self.signed or post) and self.warning:
            self.say(say("confirmed"))  # the warning no longer holds

    def find(self) -> None:
        raw = self.code.text
        in_background(lambda: _core(self.app).scan(raw), self._found)

    def _found(self, d, err) -> None:
        self.fees_paid = self.signed = False
        if err is not None:
            self.dossier, self.shown = None, same("")
            self.redraw()
            self.say(refusal(err), True)
            return
        self.dossier = d
        a = d["applicant"]
        where = say("where_post", address=a.get("post_address", "")) if d["return_method"] == "post" \
            else say("where_counter")
        self.shown = say("details", code=d["code"], procedure=d["procedure"], name=a["name"],
                         cccd=a.get("cccd") or "—", status=dossier_status(d), due=_when(d["due_at"]), where=where)
        for x in d.get("datastore") or []:  # the citizen's data store on the portal: pushed, waiting, failed (why)
            self.shown = say("details_datastore", details=self.shown, doc_code=x["doc_code"], state=same(x["state_vi"]))
        self.redraw()
        if d.get("status") == "returned":  # looked up again after the hand-over (its data store state above)
            self.say(say("already_returned"))
        else:
            self.say(say("ready") if d["ready"] else say("not_ready"), not d["ready"])

    def apologise(self) -> None:
        """Phiếu xin lỗi và hẹn lại ngày trả kết quả, printed here for the citizen at the counter."""
        if self.dossier is None:
            self.say(say("no_dossier"), True)
            return
        code, reason = self.dossier["code"], self.reason.text.strip()
        new_due = parse_day(self.new_due.text)
        if new_due is None and reason:  # an empty reason: the hub's refusal says what is missing first
            self.say(say("need_new_due"), True)
            return
        in_background(lambda: _core(self.app).apologise(code, reason, new_due=new_due), self._apologised)

    def _apologised(self, a, err) -> None:
        if err is not None:
            self.say(refusal(err), True)
            return
        self.reason.text = self.new_due.text = ""
        self.say(say("apology_printed", due=_when(a["new_due_at"])))

    def submit(self) -> None:
        if self.dossier is None:
            self.say(say("no_dossier"), True)
            return
        code = self.dossier["code"]
        tracking = self.tracking.text.strip() or None
        fees, signed = self.fees_paid or not self.dossier.get("fees_vnd"), self.signed
        self.submit_btn.disabled = True
        desk = getattr(self.app, "scan_desk", None)
        title = f"Kết quả: {self.dossier['procedure']}"

        def work() -> dict:
            if desk is not None and desk.pages.get(-1):  # the electronic copy first: uploaded via the outbox
                desk.scan_result(code, title)
                desk.pages.pop(-1, None)
                desk.done.pop(-1, None)
            return _core(self.app).give_back(code, fees_paid=fees, signed=signed, tracking=tracking)

        in_background(work, self._done)

    def _done(self, d, err) -> None:
        self.submit_btn.disabled = False
        if err is not None:
            self.say(refusal(err), True)
            return
        # A vote opens when the ticket served is completed; a walk-in (no ticket) has none to give.
        if d.get("return_ticket_id"):
            self.say(say("returned_vote", code=d["code"], done=ACTIONS["done"].label))
        else:
            self.say(say("returned", code=d["code"]))
        self.dossier, self.shown = None, say("details_after", code=d["code"], status=dossier_status(d))
        self.fees_paid = self.signed = False  # the ticks were for the dossier just returned
        self.redraw()
