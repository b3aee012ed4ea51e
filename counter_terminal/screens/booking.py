"""Booking a slot for a citizen at the counter (issue #12), e.g. to come back with the documents a guidance
sheet lists: service → day → free slot, the citizen's name, phone and (optionally) CCCD — taken over
from the intake screen, or read from the CCCD card's QR — then the booking code to write on the sheet."""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from counter_terminal.dossier_core import DossierCore
from counter_terminal.screens.dossier import Field, WordedScreen, _bg, _top
from counter_terminal.words import Said, named, refusal, say, t
from devicekit.ui.background import in_background
from devicekit.ui.widgets import ACCENT, GOOD, MUTED, Box, Key
from motcua_core.cccd import looks_like_cccd_qr

MAX_DAYS = 6


def day_label(day: str, lang: str = "vi") -> str:
    """'2026-11-26' → 'T5 26/11' / 'Thu 26/11'."""
    from datetime import date

    d = date.fromisoformat(day)
    return f"{t('weekdays', lang).split()[d.weekday()]} {d.day:02d}/{d.month:02d}"


class BookingScreen(WordedScreen):
    def __init__(self, app, **kw):
        super().__init__(app, "booking_hint", name="booking", **kw)
        self.service: str | None = None
        self.day: str | None = None
        self.slot: int | None = None
        self.answer: dict | None = None
        root = BoxLayout(orientation="vertical", padding=6, spacing=5)
        top, self.header = _top(self, "booking_header", "booking_title")
        root.add_widget(top)
        self.services_row = BoxLayout(size_hint_y=None, height=38, spacing=4)
        self.days_row = BoxLayout(size_hint_y=None, height=38, spacing=4)
        self.slots_grid = GridLayout(cols=8, spacing=3, size_hint_y=None, height=3 * 37)
        for w in (self.services_row, self.days_row, self.slots_grid):
            root.add_widget(w)
        form = GridLayout(cols=2, spacing=3, row_force_default=True, row_default_height=34, size_hint_y=None,
                          height=3 * 37)
        self.fields: dict[str, Field] = {}
        for key, label in (("name", "field_name"), ("phone", "field_phone"), ("cccd", "field_cccd_optional")):
            form.add_widget(self.word(Box(tid=f"booking_label:{key}", font_size="14sp", size_hint_x=0.35,
                                          bg=(1, 1, 1, 1)), label))
            self.fields[key] = Field(tid=f"booking_{key}")
            form.add_widget(self.fields[key])
        self.fields["cccd"].bind(text=lambda _w, t: self._cccd(t))
        root.add_widget(form)
        self.message = Box(tid="booking_message", text="", font_size="15sp", color=MUTED,
                           size_hint_y=None, height=50, bg=(1, 1, 1, 1))
        root.add_widget(self.message)
        root.add_widget(self.word(Key(tid="booking_submit", background_color=GOOD, size_hint_y=None,
                                      height=46, on_release=lambda *_: self.submit()), "book"))
        self.add_widget(root)
        _bg(self)
        self.relabel()

    def redraw(self) -> None:
        lang = self.app.lang
        names = {s["code"]: named(s["name"], s.get("name_en")).text(lang)
                 for s in (self.app.site_config or {}).get("services", [])}
        for b in self.services_row.children:
            b.text = names.get(b.tid.removeprefix("bsvc:"), b.text)
        for b in self.days_row.children:
            b.text = day_label(b.tid.removeprefix("bday:"), lang)

    # --- navigation ---------------------------------------------------------------------------------
    def on_pre_enter(self, *_):
        intake = self.app.screens.get("intake")
        if intake is not None:  # the citizen being taken in: no need to type them again
            for key in ("name", "phone", "cccd"):
                if not self.fields[key].text and intake.fields[key].text:
                    self.fields[key].text = intake.fields[key].text
        cfg = self.app.site_config or {}
        services = (cfg.get("counter") or {}).get("services") or []
        names = {s["code"]: named(s["name"], s.get("name_en")).text(self.app.lang) for s in cfg.get("services", [])}
        self.services_row.clear_widgets()
        for code in services:
            self.services_row.add_widget(Key(tid=f"bsvc:{code}", text=names.get(code, code), font_size="15sp",
                                             background_color=ACCENT if code == self.service else MUTED,
                                             on_release=lambda _b, c=code: self.choose_service(c)))
        if self.service is None and services:
            self.choose_service(services[0])

    def back(self) -> None:
        self.app.sm.current = "intake"

    # --- choosing -----------------------------------------------------------------------------------
    def choose_service(self, code: str) -> None:
        self.service, self.slot = code, None
        for b in self.services_row.children:
            b.background_color = ACCENT if b.tid == f"bsvc:{code}" else MUTED
        self._load()

    def choose_day(self, day: str) -> None:
        self.day, self.slot = day, None
        self._load()

    def choose_slot(self, start: int) -> None:
        self.slot = start
        self._draw_slots()

    def _load(self) -> None:
        data = {"service": self.service, **({"day": self.day} if self.day else {})}
        in_background(lambda: self.app.session.request("appointment.slots", data), self._loaded)

    def _loaded(self, answer, err) -> None:
        if err is not None:
            self.say(refusal(err), True)
            return
        self.answer, self.day = answer, answer["day"]
        self.days_row.clear_widgets()
        for d in answer["days"][:MAX_DAYS]:
            self.days_row.add_widget(Key(tid=f"bday:{d}", text=day_label(d, self.app.lang), font_size="14sp",
                                         background_color=ACCENT if d == self.day else MUTED,
                                         on_release=lambda _b, d=d: self.choose_day(d)))
        self._draw_slots()

    def _draw_slots(self) -> None:
        self.slots_grid.clear_widgets()
        for s in (self.answer or {}).get("slots", []):
            full = s["free"] <= 0
            self.slots_grid.add_widget(Key(
                tid=f"bslot:{s['time']}", text=f"{s['time']} ({s['free']})", font_size="13sp", disabled=full,
                background_color=GOOD if s["start"] == self.slot else (MUTED if full else ACCENT),
                on_release=lambda _b, st=s["start"]: self.choose_slot(st)))

    def _cccd(self, text: str) -> None:
        if not looks_like_cccd_qr(text):
            return
        applicant, problem = DossierCore.applicant_from_cccd_qr(text)
        self.fields["cccd"].text = applicant["cccd"] if applicant else ""
        if applicant is None:
            self.say(refusal(problem) if problem else say("bad_qr"), True)
            return
        self.fields["name"].text = applicant["name"]
        for f in self.fields.values():
            f.cursor, f.scroll_x = (0, 0), 0
        self.say(say("cccd_read", name=applicant["name"]))

    # --- booking ------------------------------------------------------------------------------------
    def submit(self) -> None:
        if self.slot is None or self.day is None or self.service is None:
            self.say(say("choose_slot"), True)
            return
        data = {"service": self.service, "day": self.day, "slot_start": self.slot,
                **{k: f.text.strip() for k, f in self.fields.items() if f.text.strip()}}
        data.setdefault("name", "")
        data.setdefault("phone", "")
        in_background(lambda: self.app.session.request(
            "appointment.book", {**data, "token": self.app.session.officer_token}), self._booked)

    def _booked(self, answer, err) -> None:
        if err is not None:
            self.say(refusal(err), True)
            return
        a = answer["appointment"]
        self.say(say("booked", time=a["time"], day=Said(day_label(a["day"], "vi"), day_label(a["day"], "en")),
                     code=a["code_display"]))
        self.slot = None
        self._load()
