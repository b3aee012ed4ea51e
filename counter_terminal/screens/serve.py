"""Serving citizens: the current ticket, the queue of this counter, today's counts and every action."""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import Screen

from counter_terminal.actions import ACTIONS, service_of
from counter_terminal.words import counter_name, named, refusal, say, t
from devicekit.ui.widgets import ACCENT, BAD, BG, DARK, GOOD, MUTED, WARN, Box, Key

ACTION_COLORS = {"next": GOOD, "recall": ACCENT, "skip": WARN, "done": GOOD, "hold": MUTED, "resume": MUTED,
                 "transfer": ACCENT, "pause": MUTED}


class ServeScreen(Screen):
    def __init__(self, app, **kw):
        super().__init__(name="serve", **kw)
        self.app = app
        root = BoxLayout(orientation="vertical", padding=6, spacing=6)
        top = BoxLayout(size_hint_y=None, height=44, spacing=6)
        self.header = Box(tid="header", text="", bold=True, font_size="18sp", color=(1, 1, 1, 1), bg=DARK)
        # Fixed widths that hold the longer of each word's two languages (the header takes the rest).
        self.link = Box(tid="online", text="", font_size="15sp", color=(1, 1, 1, 1), bg=GOOD, size_hint_x=None,
                        width=100, halign="center")
        top.add_widget(self.header)
        top.add_widget(self.link)
        self.lang = Key(tid="lang", text="", font_size="15sp", background_color=MUTED, size_hint_x=None,
                        width=82, on_release=lambda *_: app.toggle_language())
        top.add_widget(self.lang)
        self.keys: dict[str, Key] = {}  # the top bar's buttons, by their word's key
        self.keys["open_reception"] = Key(tid="open:reception", text="", font_size="15sp", background_color=ACCENT,
                                          size_hint_x=None, width=72, on_release=lambda *_: self.open_reception())
        for screen, width in (("intake", 98), ("return", 86)):  # issue #5
            self.keys[f"open_{screen}"] = Key(tid=f"open:{screen}", text="", font_size="15sp",
                                              background_color=ACCENT, size_hint_x=None, width=width,
                                              on_release=lambda _b, n=screen: setattr(app.sm, "current", n))
        self.keys["logout"] = Key(tid="logout", text="", font_size="15sp", background_color=MUTED,
                                  size_hint_x=None, width=80, on_release=lambda *_: app.controller.logout())
        for key in self.keys.values():
            top.add_widget(key)
        root.add_widget(top)

        middle = BoxLayout(spacing=6)
        left = BoxLayout(orientation="vertical", size_hint_x=0.55)
        self.serving = Box(tid="serving", text="", font_size="16sp", color=MUTED, size_hint_y=None, height=26,
                           bg=(1, 1, 1, 1))
        left.add_widget(self.serving)
        self.current = Box(tid="current", text="—", font_size="84sp", bold=True, color=ACCENT, bg=(1, 1, 1, 1),
                           halign="center")
        left.add_widget(self.current)
        self.service = Box(tid="current_service", text="", font_size="17sp", bg=(1, 1, 1, 1), halign="center",
                           size_hint_y=None, height=32)
        left.add_widget(self.service)
        self.held = Box(tid="held", text="", font_size="14sp", color=MUTED, bg=(1, 1, 1, 1), halign="center",
                        size_hint_y=None, height=26)
        left.add_widget(self.held)
        middle.add_widget(left)
        right = BoxLayout(orientation="vertical", size_hint_x=0.45, spacing=4)
        self.waiting = Box(tid="waiting", text="", font_size="16sp", bg=(1, 1, 1, 1), valign="top")
        right.add_widget(self.waiting)
        self.today = Box(tid="today", text="", font_size="16sp", bg=(1, 1, 1, 1), size_hint_y=None, height=56)
        right.add_widget(self.today)
        middle.add_widget(right)
        root.add_widget(middle)

        row = BoxLayout(size_hint_y=None, height=48, spacing=6)
        self.message = Box(tid="message", text="", font_size="16sp", bg=(1, 1, 1, 1))  # two lines
        row.add_widget(self.message)
        # A no-show pressed by mistake (the citizen was at the door): undone at once, not after a walk to
        # the kiosk for a new number. Shown only while there is one to undo.
        self.undo = Key(tid="act:undo_skip", text="", font_size="16sp", background_color=ACCENT, size_hint_x=None,
                        width=0, opacity=0, disabled=True, on_release=lambda *_: self.press("undo_skip"))
        row.add_widget(self.undo)
        root.add_widget(row)
        keys = GridLayout(cols=4, spacing=6, size_hint_y=None, height=128)
        self.buttons: dict[str, Key] = {}
        for name in ("next", "recall", "skip", "done", "hold", "resume", "transfer", "pause"):
            b = Key(tid=f"act:{name}", text="", background_color=ACTION_COLORS[name],
                    on_release=lambda _b, n=name: self.press(n))
            self.buttons[name] = b
            keys.add_widget(b)
        root.add_widget(keys)
        self.add_widget(root)
        self.relabel()
        with self.canvas.before:
            from kivy.graphics import Color, Rectangle

            Color(*BG)
            self._bg = Rectangle(pos=self.pos, size=self.size)
        self.bind(size=lambda *_: setattr(self._bg, "size", self.size))

    def relabel(self) -> None:
        """The words that do not come with the counter's state, in the app's language (the toggle calls
        this; `update` renders the rest in the same language)."""
        lang = self.app.lang
        self.lang.text = t("lang_toggle", lang)
        for key, button in self.keys.items():
            button.text = t(key, lang)
        self.serving.text = t("serving", lang)
        for name, button in self.buttons.items():
            button.text = ACTIONS[name].label.text(lang)
        self.undo.text = ACTIONS["undo_skip"].label.text(lang)

    def press(self, name: str) -> None:
        c = self.app.controller
        if name == "transfer":
            if c.core.current is None:
                c.act("transfer")  # refused locally with the message
                return
            self.open_transfer()
        elif name == "pause":
            st = (c.view.state or {}).get("counter", {})
            c.act("open" if st.get("status") == "paused" else "pause")
        else:
            c.act(name)

    def open_transfer(self) -> None:
        cfg = self.app.site_config
        lang = self.app.lang
        view = ModalView(size_hint=(0.92, 0.85), auto_dismiss=False)
        box = BoxLayout(orientation="vertical", padding=10, spacing=6)
        box.add_widget(Box(tid="transfer_title", text=t("transfer_title", lang), bold=True, font_size="20sp",
                           size_hint_y=None, height=40, bg=(1, 1, 1, 1)))
        grid = GridLayout(cols=3, spacing=6)
        mine = self.app.counter_number
        for s in cfg.get("services", []):
            grid.add_widget(Key(tid=f"to_service:{s['code']}", text=named(s["name"], s.get("name_en")).text(lang),
                                font_size="15sp", halign="center", text_size=(220, None),
                                on_release=lambda _b, code=s["code"]: self._transfer(view, to_service=code)))
        warned = self.app.controller.refused_transfer  # closed or unstaffed: a second tap confirms
        for n in self.app.other_counters():
            if n != mine:
                anyway = n == warned
                name = counter_name(None, n)
                grid.add_widget(Key(tid=f"to_counter:{n}",
                                    text=(say("transfer_anyway", counter=name) if anyway else name).text(lang),
                                    font_size="15sp", background_color=BAD if anyway else MUTED,
                                    on_release=lambda _b, n=n, f=anyway: self._transfer(view, to_counter=n, force=f)))
        box.add_widget(grid)
        box.add_widget(Key(tid="transfer_cancel", text=t("cancel", lang), background_color=BAD, size_hint_y=None,
                           height=48, on_release=lambda *_: view.dismiss()))
        view.add_widget(box)
        view.open()

    def open_reception(self) -> None:
        """Reception desk: a number for a citizen who does not use the kiosk, priority included, printed
        on this terminal's printer (counter.issue, signed by the officer)."""
        from devicekit.ui.background import in_background
        from motcua_core.protocol import PRIORITIES

        lang = self.app.lang
        view = ModalView(size_hint=(0.96, 0.92), auto_dismiss=False)
        box = BoxLayout(orientation="vertical", padding=8, spacing=6)
        box.add_widget(Box(tid="reception_title", text=t("reception_title", lang), bold=True, font_size="18sp",
                           size_hint_y=None, height=36, bg=(1, 1, 1, 1)))
        chosen = {"service": None, "priority": "none"}
        services = GridLayout(cols=3, spacing=6)
        prios = BoxLayout(spacing=4, size_hint_y=None, height=52)
        note = Box(tid="reception_message", text="", font_size="15sp", size_hint_y=None, height=40, bg=(1, 1, 1, 1))

        from pathlib import Path

        import kivy
        from kivy.utils import escape_markup

        check = f"[font={Path(kivy.__file__).parent / 'data' / 'fonts' / 'DejaVuSans.ttf'}]\u2713[/font] "

        def paint() -> None:  # the choice: a ✓ (DejaVu has it, Roboto not) as well as the colour
            for w in services.children:
                on = w.code == chosen["service"]
                w.background_color = ACCENT if on else MUTED
                w.text = (check if on else "") + escape_markup(w.name)
            for w in prios.children:
                on = w.code == chosen["priority"]
                w.background_color = ACCENT if on else MUTED
                w.text = (check if on else "") + escape_markup(t(f"prio_{w.code}", lang))

        def pick(kind: str, code: str) -> None:
            chosen[kind] = code
            paint()

        for s in self.app.site_config.get("services", []):
            k = Key(tid=f"reception_service:{s['code']}", font_size="15sp", halign="center", text_size=(220, None),
                    markup=True,
                    on_release=lambda _b, c=s["code"]: pick("service", c))
            k.code, k.name = s["code"], named(s["name"], s.get("name_en")).text(lang)
            services.add_widget(k)
        box.add_widget(services)
        box.add_widget(Box(text=t("reception_priority", lang), font_size="15sp", size_hint_y=None, height=26,
                           bg=(1, 1, 1, 1)))
        for p in PRIORITIES:
            k = Key(tid=f"reception_prio:{p}", font_size="13sp", halign="center", text_size=(140, None), markup=True,
                    on_release=lambda _b, p=p: pick("priority", p))
            k.code = p
            prios.add_widget(k)
        box.add_widget(prios)
        box.add_widget(note)
        row = BoxLayout(size_hint_y=None, height=52, spacing=6)
        row.add_widget(Key(tid="reception_cancel", text=t("cancel", lang), background_color=MUTED,
                           size_hint_x=0.35, on_release=lambda *_: view.dismiss()))

        def issue() -> None:
            if chosen["service"] is None:
                return
            from counter_terminal.screens.dossier import _core

            def done(got, err) -> None:
                if err is not None:
                    note.text, note.color = refusal(err).text(lang), BAD
                    return
                ticket, _path = got
                note.text, note.color = say("reception_done", number=ticket["number"],
                                            service=service_of(ticket)).text(lang), DARK
            in_background(lambda: _core(self.app).issue_for(chosen["service"], chosen["priority"],
                                                            self.app.site_config), done)

        row.add_widget(Key(tid="reception_issue", text=t("reception_issue", lang), background_color=GOOD,
                           on_release=lambda *_: issue()))
        box.add_widget(row)
        view.add_widget(box)
        paint()
        view.open()

    def _transfer(self, view: ModalView, **kw) -> None:
        view.dismiss()
        self.app.controller.act("transfer", **kw)

    def update(self, v) -> None:
        lang = v.lang
        st = v.state or {}
        counter = st.get("counter") or {}
        officer = (v.officer or {}).get("name", "")
        status = t(f"status_{counter['status']}", lang) if counter.get("status") in ("open", "paused", "closed") \
            else ""
        self.header.text = f"{self.app.counter_name.text(lang)} · {officer} · {status}"
        self.link.text = t("online" if v.online else "offline_badge", lang)
        self.link.bg = list(GOOD if v.online else BAD)
        cur = st.get("current")
        self.current.text = cur["number"] if cur else "—"
        self.service.text = service_line(cur, lang) if cur else t("press_next", lang)
        held = st.get("held") or []
        self.held.text = t("held_list", lang, numbers=", ".join(h["number"] for h in held)) if held else ""
        names = {s["code"]: named(s["name"], s.get("name_en")).text(lang)
                 for s in self.app.site_config.get("services", [])}
        lines = [t("waiting_line", lang, service=names.get(code, code), n=n)
                 for code, n in (st.get("waiting") or {}).items()]
        if st.get("waiting_for_this_counter"):
            lines.append(t("waiting_here", lang, n=st["waiting_for_this_counter"]))
        self.waiting.text = "\n".join([t("waiting_title", lang), *lines])
        today = st.get("today") or {}
        self.today.text = t("today", lang, done=today.get("done", 0), no_show=today.get("no_show", 0))
        self.message.text = v.message
        self.message.color = BAD if v.error else DARK
        pause = "open" if counter.get("status") == "paused" else "pause"
        self.buttons["pause"].text = ACTIONS[pause].label.text(lang)
        for b in self.buttons.values():
            b.disabled = v.busy
        can_undo = self.app.controller.last_skipped is not None
        self.undo.width, self.undo.opacity = (120, 1) if can_undo else (0, 0)
        self.undo.disabled = v.busy or not can_undo


def service_line(ticket: dict, lang: str = "vi") -> str:
    """The service of the ticket being served, with its booking when it has one (issue #12)."""
    service = service_of(ticket).text(lang)
    appt = ticket.get("appointment")
    if not appt:
        return service
    return t("appointment_line", lang, time=appt["time"], code=appt["code"],
             what=appt.get("procedure_name") or service)
