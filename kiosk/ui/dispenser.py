"""Dispenser screens: field → service → priority and confirm → the number (printed or on screen)."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.scrollview import ScrollView

from devicekit.ui.background import in_background
from kiosk.i18n import Words, ahead_text, refusal, t
from kiosk.ui.widgets import FIELD_ICONS, BigButton, Panel, Text, theme
from motcua_core.protocol import PRIORITIES

RESULT_SHOWN_S = 25.0


def _name(item: dict, lang: str) -> str:
    return item.get("name_en") if lang == "en" and item.get("name_en") else item["name"]


class _Base(Screen):
    def __init__(self, app, **kw):
        super().__init__(**kw)
        self.app = app

    def on_pre_enter(self, *_):
        self.refresh()

    def refresh(self) -> None:
        self.clear_widgets()
        box = Panel(padding=(30, 16), spacing=14)
        self.fill(box, self.app.lang)
        self.add_widget(box)

    def fill(self, box, lang: str) -> None:
        raise NotImplementedError


def _grid(items: list[tuple[str, str, object, str | None]], cols: int) -> GridLayout:
    grid = GridLayout(cols=cols, spacing=16, size_hint_y=1)
    for text, tid, action, icon in items:
        grid.add_widget(BigButton(text, action, size=30, tid=tid, size_hint_y=1, height=120, icon=icon))
    return grid


def queue_line(queue: dict, code: str, lang: str) -> str:
    """"5 người chờ · khoảng 12 phút" for a service's button, from the lobby state the kiosk follows."""
    waiting, minutes = queue.get(code, (0, None))
    if minutes is None:
        return t("queue_closed", lang, n=waiting)
    if not waiting:
        return t("queue_none", lang)
    return t("queue_now", lang, n=waiting, m=max(1, minutes))


class FieldsScreen(_Base):
    """Home: the fields (lĩnh vực) that have services today."""

    def fill(self, box, lang):
        core = self.app.core
        used = {s["field"] for s in core.services}
        fields = [f for f in core.fields if f["code"] in used]
        if len(fields) == 1:
            self.app.go("services", field=fields[0]["code"])
            return
        box.add_widget(Text(t("welcome", lang), size=40, bold=True, tid="title"))
        box.add_widget(_grid([(_name(f, lang), f"field:{f['code']}", lambda c=f["code"]: self._open(c),
                               FIELD_ICONS.get(f["code"])) for f in fields],
                             cols=2 if len(fields) > 3 else 1))
        box.add_widget(BigButton(t("checkin_btn", lang), lambda: self.app.go("checkin"), tid="checkin_open",
                                 color=theme().muted, height=84))  # issue #12

    def _open(self, field: str) -> None:
        """A field with one service goes straight to that service's confirmation (no screen of one button)."""
        services = [s for s in self.app.core.services if s["field"] == field]
        if len(services) == 1:
            self.app.go("confirm", service=services[0], priority="none", request_id=None, back_to="home")
        else:
            self.app.go("services", field=field)


class ServicesScreen(_Base):
    """The services of a field, each with the people waiting and the wait for a ticket taken now."""

    field: str = ""

    def fill(self, box, lang):
        core = self.app.core
        services = [s for s in core.services if s["field"] == self.field] or core.services
        box.add_widget(Text(t("choose_service", lang), size=40, bold=True, tid="title"))
        queue = getattr(self.app, "queue", {})
        grid = GridLayout(cols=2 if len(services) > 4 else 1, spacing=16, size_hint_y=1)
        for s in services:
            cell = BoxLayout(orientation="vertical", spacing=4)
            cell.add_widget(BigButton(_name(s, lang), lambda s=s: self.app.go("confirm", service=s, priority="none",
                                                                             request_id=None, back_to="services"),
                                      size=30, tid=f"service:{s['code']}", size_hint_y=1, height=120,
                                      icon=FIELD_ICONS.get(s["field"])))
            cell.add_widget(Text(queue_line(queue, s["code"], lang), size=22, tid=f"queue:{s['code']}",
                                 color=theme().fg))
            grid.add_widget(cell)
        box.add_widget(grid)
        box.add_widget(BigButton(t("back", lang), self.app.go_home, tid="back", color=theme().muted))


class ConfirmScreen(_Base):
    """Priority choice and the one button that issues the ticket.

    The request id is made once per visit of this screen: a double tap, or a retry after "system busy",
    sends the same id and the hub answers with the same ticket."""

    service: dict = {}
    priority: str = "none"
    back_to: str = "services"
    request_id: str | None = None
    busy = False
    error: Words | None = None

    def fill(self, box, lang):
        if not self.service:  # redrawn (language, large text) before any service was chosen
            return
        th = theme()
        box.add_widget(Text(t("confirm_title", lang), size=34, bold=True, tid="title"))
        box.add_widget(Text(_name(self.service, lang), size=44, bold=True, color=th.fg, tid="service"))
        box.add_widget(Text(t("choose_priority", lang), size=26, tid="prio_title"))
        grid = GridLayout(cols=1 if th.scale > 1 else 2, spacing=10, size_hint_y=None)
        grid.bind(minimum_height=grid.setter("height"))
        for p in PRIORITIES:
            chosen = p == self.priority
            words = t("chosen", lang, what=t(f"prio_{p}", lang)) if chosen else t(f"prio_{p}", lang)
            grid.add_widget(BigButton(words, lambda p=p: self._choose(p), size=24, tid=f"prio:{p}",
                                      height=76 if not chosen else 96, selected=chosen,
                                      color=th.accent if chosen else th.muted))
        # The choices take the room left and scroll in large text, so the title, the service and the
        # confirm button always stay whole on screen (issue #13).
        choices = ScrollView(do_scroll_x=False, size_hint_y=1, bar_width=12)
        choices.add_widget(grid)
        box.add_widget(choices)
        if self.error:
            box.add_widget(Text(self.error(lang), size=26, bold=True, color=th.error, tid="error"))
        row = BoxLayout(spacing=16, size_hint_y=None, height=130 * th.scale)
        row.add_widget(BigButton(t("back", lang), lambda: self.app.go(self.back_to), tid="back", size_hint_x=0.35,
                                 size_hint_y=1, color=th.muted))
        self.confirm_btn = BigButton(t("please_wait", lang) if self.busy else t("confirm_btn", lang), self._confirm,
                                     size=40, tid="confirm", size_hint_y=1, color=th.accent)
        self.confirm_btn.disabled = self.busy
        row.add_widget(self.confirm_btn)
        box.add_widget(row)

    def _choose(self, p: str) -> None:
        if not self.busy:
            self.priority = p
            self.request_id = None  # a different choice is a different ticket
            self.refresh()

    def _confirm(self) -> None:
        if self.busy:  # a second tap while the first is in flight
            return
        core = self.app.core
        if self.request_id is None:
            self.request_id = core.new_confirmation()
        self.busy, self.error = True, None
        self.refresh()
        args = (self.service["code"], self.priority, self.app.lang, self.request_id)

        in_background(lambda: core.take_ticket(*args),
                      lambda issued, err: self._done(issued) if err is None else self._failed(refusal(err)))

    def _done(self, issued) -> None:
        self.busy, self.request_id = False, None
        self.app.go("result", issued=issued)

    def _failed(self, message: Words) -> None:
        self.busy, self.error = False, message  # the request id is kept: a retry gets the same ticket
        self.refresh()

    def on_leave(self, *_):
        self.error = None


class ResultScreen(_Base):
    issued = None

    def fill(self, box, lang):
        th = theme()
        issued = self.issued
        if issued is None:
            return
        tk = issued.ticket
        box.add_widget(Text(t("your_number", lang), size=34, bold=True, tid="your_number"))
        box.add_widget(Text(tk["number"], size=190, bold=True, color=th.fg, tid="number"))
        box.add_widget(Text(tk.get("service_name_en") if lang == "en" and tk.get("service_name_en")
                            else tk["service_name"], size=34, bold=True, tid="service"))
        box.add_widget(Text(ahead_text(tk.get("people_ahead", 0), lang), size=30, tid="ahead"))
        wait = tk.get("est_wait_min")
        if issued.appointment:  # issue #12: a booking is called at its time, not after an estimated wait
            said = issued.appointment  # the hub's words in both languages
            text = said.get("message") if lang == "en" and said.get("message") else said["message_vi"]
            box.add_widget(Text(text, size=26, bold=True, color=th.fg, tid="appointment"))
        else:
            box.add_widget(Text(t("wait", lang, m=max(1, wait)) if wait is not None else t("wait_unknown", lang),
                                size=28, tid="wait"))
        if issued.print_error:
            why = t(f"state_{issued.print_error}", lang) if f"state_{issued.print_error}" in _STATES else \
                issued.print_error
            box.add_widget(Text(t("no_print", lang, why=why, number=tk["number"]), size=30, bold=True,
                                color=th.warn, tid="instruction"))
        else:
            box.add_widget(Text(t("take_ticket", lang), size=30, bold=True, tid="instruction"))
        box.add_widget(BigButton(t("home", lang), self.app.go_home, tid="home", color=th.muted))

    def on_enter(self, *_):
        self._ev = Clock.schedule_once(lambda *_: self.app.go_home() if self.app.sm.current == self.name else None,
                                       RESULT_SHOWN_S)

    def on_leave(self, *_):
        if getattr(self, "_ev", None) is not None:
            self._ev.cancel()


_STATES = {"state_paper_out", "state_cover_open", "state_offline"}


def screens(app) -> list[Screen]:
    from kiosk.ui.checkin import CheckinScreen

    return [FieldsScreen(app, name="home"), ServicesScreen(app, name="services"),
            ConfirmScreen(app, name="confirm"), ResultScreen(app, name="result"),
            CheckinScreen(app, name="checkin")]
