"""Serving citizens: the current ticket, the queue of this counter, today's counts and every action."""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import Screen

from counter_terminal.actions import ACTIONS
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
        self.link = Box(tid="online", text="", font_size="15sp", color=(1, 1, 1, 1), bg=GOOD, size_hint_x=0.28,
                        halign="center")
        top.add_widget(self.header)
        top.add_widget(self.link)
        for screen, label in (("intake", "Tiếp nhận HS"), ("return", "Trả kết quả")):  # issue #5
            top.add_widget(Key(tid=f"open:{screen}", text=label, font_size="15sp", background_color=ACCENT,
                               size_hint_x=0.22, on_release=lambda _b, n=screen: setattr(app.sm, "current", n)))
        top.add_widget(Key(tid="logout", text="Đăng xuất", font_size="15sp", background_color=MUTED,
                           size_hint_x=0.2, on_release=lambda *_: app.controller.logout()))
        root.add_widget(top)

        middle = BoxLayout(spacing=6)
        left = BoxLayout(orientation="vertical", size_hint_x=0.55)
        left.add_widget(Box(text="Đang phục vụ", font_size="16sp", color=MUTED, size_hint_y=None, height=26,
                            bg=(1, 1, 1, 1)))
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

        self.message = Box(tid="message", text="", font_size="16sp", size_hint_y=None, height=34, bg=(1, 1, 1, 1))
        root.add_widget(self.message)
        keys = GridLayout(cols=4, spacing=6, size_hint_y=None, height=128)
        self.buttons: dict[str, Key] = {}
        for name in ("next", "recall", "skip", "done", "hold", "resume", "transfer", "pause"):
            b = Key(tid=f"act:{name}", text=ACTIONS[name].label, background_color=ACTION_COLORS[name],
                    on_release=lambda _b, n=name: self.press(n))
            self.buttons[name] = b
            keys.add_widget(b)
        root.add_widget(keys)
        self.add_widget(root)
        with self.canvas.before:
            from kivy.graphics import Color, Rectangle

            Color(*BG)
            self._bg = Rectangle(pos=self.pos, size=self.size)
        self.bind(size=lambda *_: setattr(self._bg, "size", self.size))

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
        view = ModalView(size_hint=(0.92, 0.85), auto_dismiss=False)
        box = BoxLayout(orientation="vertical", padding=10, spacing=6)
        box.add_widget(Box(text="Chuyển công dân sang", bold=True, font_size="20sp", size_hint_y=None, height=40,
                           bg=(1, 1, 1, 1)))
        grid = GridLayout(cols=3, spacing=6)
        mine = self.app.counter_number
        for s in cfg.get("services", []):
            grid.add_widget(Key(tid=f"to_service:{s['code']}", text=s["name"], font_size="15sp",
                                on_release=lambda _b, code=s["code"]: self._transfer(view, to_service=code)))
        warned = self.app.controller.refused_transfer  # closed or unstaffed: a second tap confirms
        for n in self.app.other_counters():
            if n != mine:
                anyway = n == warned
                grid.add_widget(Key(tid=f"to_counter:{n}", text=f"Quầy {n} (vẫn chuyển)" if anyway else f"Quầy {n}",
                                    font_size="15sp", background_color=BAD if anyway else MUTED,
                                    on_release=lambda _b, n=n, f=anyway: self._transfer(view, to_counter=n, force=f)))
        box.add_widget(grid)
        box.add_widget(Key(tid="transfer_cancel", text="Hủy", background_color=BAD, size_hint_y=None, height=48,
                           on_release=lambda *_: view.dismiss()))
        view.add_widget(box)
        view.open()

    def _transfer(self, view: ModalView, **kw) -> None:
        view.dismiss()
        self.app.controller.act("transfer", **kw)

    def update(self, v) -> None:
        st = v.state or {}
        counter = st.get("counter") or {}
        officer = (v.officer or {}).get("name", "")
        status = {"open": "đang mở", "paused": "tạm dừng", "closed": "đóng"}.get(counter.get("status"), "")
        self.header.text = f"{self.app.counter_name} · {officer} · {status}"
        self.link.text = "Đã kết nối" if v.online else "MẤT KẾT NỐI"
        self.link.bg = list(GOOD if v.online else BAD)
        cur = st.get("current")
        self.current.text = cur["number"] if cur else "—"
        self.service.text = (service_line(cur) if cur else "Nhấn “Gọi số tiếp” để mời công dân")
        held = st.get("held") or []
        self.held.text = ("Đang tạm giữ: " + ", ".join(h["number"] for h in held)) if held else ""
        names = {s["code"]: s["name"] for s in self.app.site_config.get("services", [])}
        lines = [f"{names.get(code, code)}: {n} người chờ" for code, n in (st.get("waiting") or {}).items()]
        if st.get("waiting_for_this_counter"):
            lines.append(f"Chuyển đến quầy này: {st['waiting_for_this_counter']}")
        self.waiting.text = "Đang chờ\n" + "\n".join(lines)
        today = st.get("today") or {}
        self.today.text = f"Hôm nay: {today.get('done', 0)} đã xong · {today.get('no_show', 0)} vắng mặt"
        self.message.text = v.message
        self.message.color = BAD if v.error else DARK
        self.buttons["pause"].text = "Mở quầy" if counter.get("status") == "paused" else ACTIONS["pause"].label
        for b in self.buttons.values():
            b.disabled = v.busy


def service_line(ticket: dict) -> str:
    """The service of the ticket being served, with its booking when it has one (issue #12)."""
    appt = ticket.get("appointment")
    if not appt:
        return ticket["service_name"]
    what = appt.get("procedure_name") or ticket["service_name"]
    return f"LỊCH HẸN {appt['time']} · {appt['code']} — {what}"
