"""Lookup screens: procedure search as you type (local replica), browse by field and agency, the
procedure page with a printable checklist, and dossier status by typing or scanning its code."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.scrollview import ScrollView

from devicekit.ui.background import in_background
from devicekit.ui.vnkeys import apply_key
from kiosk.dossier import clean_key, extract, status_lines
from kiosk.i18n import Words, refusal, t, words
from kiosk.procedure import render_checklist, sections
from kiosk.ui.dispenser import _Base
from kiosk.ui.widgets import BigButton, Keyboard, Panel, Text, theme
from motcua_core.errors import RequestError
from motcua_core.text import short_datetime

MAX_SHOWN = 12


def _h(name: str) -> int:
    """Button height for a procedure name: long names wrap to three lines rather than being cut."""
    return 80 if len(name) <= 48 else 120


def _scroll(content) -> ScrollView:
    sv = ScrollView(do_scroll_x=False, size_hint_y=1, bar_width=14)
    sv.add_widget(content)
    return sv


def _column() -> GridLayout:
    col = GridLayout(cols=1, spacing=8, size_hint_y=None, padding=(0, 4))
    col.bind(minimum_height=col.setter("height"))
    return col


def _beside_keyboard(left, on_key, lang: str) -> BoxLayout:
    """Results on the left, the keyboard (its edit keys in `lang`) on the right and low, where a standing
    person's hand is."""
    row = BoxLayout(spacing=16, size_hint_y=1)
    left.size_hint_x = 0.52
    row.add_widget(left)
    right = BoxLayout(orientation="vertical", size_hint_x=0.48)
    right.add_widget(BoxLayout())  # pushes the keyboard down
    right.add_widget(Keyboard(on_key, lang))
    row.add_widget(right)
    return row


def _tabs(app, lang: str, active: str) -> BoxLayout:
    th = theme()
    row = BoxLayout(spacing=12, size_hint_y=None, height=80 * th.scale)
    for name, key in (("search", "lookup"), ("fields", "browse_fields"), ("dossier", "dossier")):
        row.add_widget(BigButton(t(key, lang), lambda n=name: app.go(n), size=24, tid=f"tab:{name}", size_hint_y=1,
                                 selected=name == active, color=th.accent if name == active else th.muted))
    return row


class SearchScreen(_Base):
    query: str = ""

    def fill(self, box, lang):
        app = self.app
        th = theme()
        box.add_widget(_tabs(app, lang, "search"))
        left = BoxLayout(orientation="vertical", spacing=8)
        self.query_label = Text(self.query or t("search_hint", lang), size=32, bold=bool(self.query),
                                color=th.fg if self.query else th.muted, tid="query")
        left.add_widget(self.query_label)
        self.status = Text("", size=20, color=th.muted, tid="status")
        left.add_widget(self.status)
        self.results = _column()
        left.add_widget(_scroll(self.results))
        box.add_widget(_beside_keyboard(left, self._key, lang))
        self._show()

    def _key(self, key: str) -> None:
        self.query = apply_key(self.query, key)
        th = theme()
        self.query_label.text = self.query or t("search_hint", self.app.lang)
        self.query_label.color = th.fg if self.query else th.muted
        self._show()

    def _show(self) -> None:
        lang = self.app.lang
        catalog = self.app.rt.catalog
        self.results.clear_widgets()
        if len(catalog) == 0:
            self.status.text = t("catalog_empty", lang)
            return
        found = catalog.search(self.query, MAX_SHOWN) if self.query.strip() else []
        if self.query.strip():
            self.status.text = t("results", lang, n=len(found)) if found else t("no_results", lang)
        else:
            self.status.text = t("search_hint", lang)
        if self.app.rt.sync_error:
            self.status.text += "  ·  " + t("catalog_offline", lang, v=catalog.version)
        for i, e in enumerate(found):
            self.results.add_widget(BigButton(e.name, lambda pid=e.id: self.app.go("procedure", proc_id=pid,
                                                                                back="search"),
                                              size=24, tid=f"result:{i}", height=_h(e.name)))


class FieldsScreen(_Base):
    """Browse: fields, then agencies of a field, then its procedures."""

    field: str | None = None
    agency: str | None = None

    def fill(self, box, lang):
        app = self.app
        th = theme()
        box.add_widget(_tabs(app, lang, "fields"))
        catalog = app.rt.catalog
        col = _column()
        if self.field is None:
            box.add_widget(Text(t("browse_fields", lang), size=32, bold=True, tid="title"))
            for f in catalog.fields():
                name = f["name_en"] if lang == "en" and f["name_en"] else f["name"]
                col.add_widget(BigButton(f"{name} ({f['count']})", lambda c=f["code"]: self._pick(c, None), size=26,
                                         tid=f"field:{f['code']}", height=84))
        else:
            agencies = catalog.agencies(self.field)
            if self.agency is None and len(agencies) > 1:
                box.add_widget(Text(t("choose_agency", lang), size=30, bold=True, tid="title"))
                for a in agencies:
                    col.add_widget(BigButton(a, lambda a=a: self._pick(self.field, a), size=24,
                                             tid=f"agency:{a}", height=80))
            else:
                for i, e in enumerate(catalog.in_field(self.field, self.agency)):
                    col.add_widget(BigButton(e.name, lambda pid=e.id: self.app.go("procedure", proc_id=pid,
                                                                                  back="fields"),
                                             size=22, tid=f"proc:{i}", height=_h(e.name)))
            box.add_widget(BigButton(t("back", lang), lambda: self._pick(None, None), tid="back", color=th.muted,
                                     height=72))
        box.add_widget(_scroll(col))

    def _pick(self, field, agency) -> None:
        self.field, self.agency = field, agency
        self.refresh()


def _print_failed(state: str) -> Words:
    """The printer's problem (a known state in words, else as the driver said it) in either language."""
    def said(lang: str) -> str:
        why = t(f"state_{state}", lang) if state in ("paper_out", "cover_open", "offline") else state
        return t("print_failed", lang, why=why)
    return said


class ProcedureScreen(_Base):
    proc_id: str = ""
    back: str = "search"
    message: Words | None = None  # the printer's answer, in the language of each redraw

    def fill(self, box, lang):
        th = theme()
        box.add_widget(_tabs(self.app, lang, self.back))
        proc = self.app.rt.catalog.get(self.proc_id)
        if proc is None:
            box.add_widget(Text(t("no_results", lang), size=28, tid="title"))
        else:
            name = proc["name_en"] if lang == "en" and proc.get("name_en") else proc["name"]
            box.add_widget(Text(name, size=34, bold=True, color=th.fg, tid="title"))
            service = procedure_service(self.app.core.services, proc)
            if service is not None:
                where = counters_for(getattr(self.app, "counters", []), service["code"], lang)
                box.add_widget(Text(t("submit_at", lang, counters=where) if where else t("submit_at_none", lang),
                                    size=26, bold=True, tid="submit_at"))
            col = _column()
            for i, (title, text) in enumerate(sections(proc, lang)):
                col.add_widget(Text(title, size=26, bold=True, halign="left", tid=f"sec:{i}:title"))
                col.add_widget(Text(text, size=22, halign="left", tid=f"sec:{i}"))
            box.add_widget(_scroll(col))
        if self.message:
            box.add_widget(Text(self.message(lang), size=24, bold=True, color=th.warn, tid="message"))
        row = BoxLayout(spacing=16, size_hint_y=None, height=96 * th.scale)
        row.add_widget(BigButton(t("back", lang), lambda: self.app.go(self.back), tid="back", size_hint_y=1,
                                 color=th.muted))
        if proc is not None:
            row.add_widget(BigButton(t("print_checklist", lang), lambda: self._print(proc), tid="print",
                                     size_hint_y=1, color=th.muted))
            service = procedure_service(self.app.core.services, proc)
            if service is not None:  # the citizen who has read what to bring takes a number here
                row.add_widget(BigButton(t("take_number", lang), lambda: self.app.go(
                    "confirm", service=service, priority="none", request_id=None, back_to="procedure"),
                    tid="take_number", size_hint_y=1))
        box.add_widget(row)

    def _print(self, proc: dict) -> None:
        core = self.app.core
        unit = (core.config or {}).get("site_name", "")
        width = core.printer.width if core.printer else 576

        in_background(lambda: core.print_image(render_checklist(proc, unit, width), f"checklist-{proc['id']}"),
                      lambda state, _err: self._say(words("printed") if state is None else _print_failed(state)))

    def _say(self, msg: Words) -> None:
        self.message = msg
        self.refresh()

    def on_leave(self, *_):
        self.message = None


class DossierScreen(_Base):
    """Dossier status: the code typed, or from the barcode reader or camera, then the lookup key printed on
    the receipt (or the applicant's CCCD last digits) unless the receipt's QR carried it. Shows a masked
    name only. Its message is kept as Words, so the language button re-shows it in the other language."""

    code: str = ""
    key: str = ""
    asking_key = False  # the code is known; the keyboard now types the lookup key
    dossier: dict | None = None
    message: Words | None = None
    busy = False

    def on_pre_enter(self, *_):
        self.app.rt.on_code = lambda text: Clock.schedule_once(lambda *_: self.scanned(text))
        if self.app.rt.camera is not None:
            self.app.rt.camera.active.set()
        super().on_pre_enter()

    def on_leave(self, *_):
        if self.app.rt.camera is not None:
            self.app.rt.camera.active.clear()

    def fill(self, box, lang):
        th = theme()
        box.add_widget(_tabs(self.app, lang, "dossier"))
        left = BoxLayout(orientation="vertical", spacing=8)
        left.add_widget(Text(t("dossier_key_hint" if self.asking_key else "dossier_hint", lang), size=22, tid="hint"))
        row = BoxLayout(spacing=12, size_hint_y=None, height=90 * th.scale)
        if self.asking_key:
            field = BoxLayout(orientation="vertical", size_hint_y=1)
            field.add_widget(Text(self.code, size=22, tid="code"))
            self.code_label = Text(self.key or "…", size=30, bold=True, tid="key_field")
            field.add_widget(self.code_label)
            row.add_widget(field)
        else:
            self.code_label = Text(self.code or "…", size=30, bold=True, tid="code", size_hint_y=1)
            row.add_widget(self.code_label)
        row.add_widget(BigButton(t("dossier_search", lang), self.submit, tid="submit", size_hint_y=1,
                                 size_hint_x=0.45))
        left.add_widget(row)
        if self.message:
            left.add_widget(Text(self.message(lang), size=24, bold=True, color=th.warn, tid="message"))
        col = _column()
        d = self.dossier
        if d is not None:
            col.add_widget(Text(f"{d['code']} · {d.get('procedure', '')}", size=26, bold=True, tid="d:title"))
            col.add_widget(Text(f"{t('applicant', lang)}: {d.get('applicant', '')}", size=24, tid="d:applicant"))
            status, detail = status_lines(d, lang)
            col.add_widget(Text(status, size=30, bold=True, color=th.fg, tid="d:status"))
            if detail:
                col.add_widget(Text(detail, size=26, bold=True, tid="d:ready"))
            for i, step in enumerate(d.get("timeline") or []):
                col.add_widget(Text(f"{short_datetime(step.get('at'))} — {step.get('status_vi', '')}", size=22,
                                    halign="left", tid=f"d:step:{i}"))
        left.add_widget(_scroll(col))
        box.add_widget(_beside_keyboard(left, self._key, lang))

    def _key(self, key: str) -> None:
        if self.asking_key:
            self.key = apply_key(self.key, key).upper()[:12]
            self.code_label.text = self.key or "…"
        else:
            self.code = apply_key(self.code, key).upper()[:40]
            self.code_label.text = self.code or "…"

    def scanned(self, text: str) -> None:
        if self.app.sm.current != self.name:
            return
        self.code, self.key, self.asking_key = text.strip()[:200], "", False
        self.submit()

    def submit(self) -> None:
        if self.busy:
            return
        if self.asking_key:
            code, key = self.code, clean_key(self.key)
            if key is None:
                self.message = words("dossier_bad_key")
                self.refresh()
                return
        else:
            code, key = extract(self.code)
        if code is None:
            self.dossier, self.message = None, words("dossier_bad_code")
            self.refresh()
            return
        if key is None:  # a typed code or the receipt's barcode: the key printed beside it is still needed
            self.code, self.key, self.asking_key, self.message, self.dossier = code, "", True, None, None
            self.refresh()
            return
        self.code, self.busy, self.message, self.dossier = code, True, words("please_wait"), None
        self.refresh()

        in_background(lambda: self.app.core.lookup_dossier(code, key), self._answered)

    def _answered(self, dossier: dict | None, err: RequestError | None) -> None:
        if err is None:
            self._show(dossier, None)
        else:
            self._show(None, words("dossier_unavailable") if err.code == "unknown_verb" else refusal(err))

    def _show(self, dossier: dict | None, message: Words | None) -> None:
        self.busy, self.dossier, self.message = False, dossier, message
        if dossier is not None:
            self.asking_key = False
        self.key = ""
        self.refresh()

    def on_idle(self) -> None:
        self.code, self.key, self.asking_key, self.dossier, self.message = "", "", False, None, None
        self.app.go_home()


class _Search(SearchScreen):
    def reset(self) -> None:
        """The next citizen starts with an empty search box (the app calls this when idle at home)."""
        if self.query:
            self.query = ""
            self.app.go_home()
            self.refresh()


def procedure_service(services: list[dict], proc: dict) -> dict | None:
    """The queue a procedure is taken in: the service it names, else the first service of its field."""
    named = [s for s in services if s["code"] == proc.get("service")]
    return (named or [s for s in services if s.get("field") == proc.get("field")] or [None])[0]


def counters_for(counters: list[dict], service: str, lang: str) -> str:
    """"Quầy 2, Quầy 8": the open counters that take the service (from the lobby state)."""
    from motcua_core.i18n import counter_name

    names = [counter_name(c.get("name"), c["number"], lang) for c in counters
             if service in c.get("services", []) and c.get("status") == "open"]
    return ", ".join(names)


def screens(app) -> list[Screen]:
    from kiosk.ui.dispenser import ConfirmScreen, ResultScreen

    return [_Search(app, name="search"), FieldsScreen(app, name="fields"), ProcedureScreen(app, name="procedure"),
            DossierScreen(app, name="dossier"), ConfirmScreen(app, name="confirm"), ResultScreen(app, name="result")]


__all__ = ["screens", "Panel"]
