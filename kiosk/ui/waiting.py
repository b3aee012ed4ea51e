"""Shown until the hub's configuration arrives (first start, or hub unreachable since power-on)."""

from __future__ import annotations

from kivy.uix.screenmanager import Screen

from kiosk.ui.widgets import Panel, Text


class WaitingScreen(Screen):
    def __init__(self, **kw):
        super().__init__(**kw)
        box = Panel(padding=40)
        box.add_widget(Text("Đang kết nối hệ thống…\nConnecting…", size=34, bold=True, tid="waiting", size_hint_y=1))
        self.add_widget(box)
