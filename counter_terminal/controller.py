"""The counter terminal's behaviour, shared by the touch screen and the physical keypad.

One action at a time: a press while another action is in flight is refused ("Đang xử lý…"), so two
quick presses never call two citizens. Requests carry a request id and are retried with the same id, so
a lost answer never applies an action twice. When the hub cannot be reached, actions are refused with a
clear message, except Done, which is queued in the durable outbox (with the ticket id) and delivered
when the link returns.

Callbacks (`on_change`) run on a worker thread; the Kivy screen re-schedules them on its own thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from counter_terminal.actions import (
    ACTIONS,
    BUSY_VI,
    DONE_QUEUED_VI,
    NO_TICKET_VI,
    OFFLINE_VI,
    result_message,
)
from counter_terminal.core import CounterCore
from motcua_core.errors import RequestError

log = logging.getLogger("motcua.counter")


@dataclass
class View:
    """Everything the screen shows, as plain data (tests read this too)."""

    officer: dict | None = None  # {"id", "name", "username"} once signed in
    state: dict | None = None  # the hub's counter-state object
    message: str = ""
    error: bool = False
    busy: bool = False
    online: bool = False
    log: list[str] = field(default_factory=list)  # recent messages, newest last


class CounterController:
    def __init__(self, core: CounterCore, on_change: Callable[[View], None] | None = None):
        self.core = core
        self.view = View()
        self.refused_transfer: int | None = None  # a counter the hub warned about: the dialog offers "anyway"
        self.on_change = on_change
        self._busy = threading.Lock()
        self._gen = 0  # bumped when an action starts and ends: a background refresh older than that is dropped
        self._state_lock = threading.Lock()
        self.counter_number = None

    @property
    def session(self):
        return self.core.session

    def _emit(self, message: str | None = None, error: bool = False) -> None:
        v = self.view
        if message is not None:
            v.message, v.error = message, error
            v.log = (v.log + [message])[-20:]
        v.online = self.session.connected
        if self.on_change is not None:
            try:
                self.on_change(v)
            except Exception:
                log.exception("on_change failed")

    def _run(self, name: str, fn: Callable[[], str], *, blocking: bool) -> bool:
        """Run `fn` (returns the success message) unless another action is running."""
        if not self._busy.acquire(blocking=False):
            self._emit(BUSY_VI, error=True)
            return False
        with self._state_lock:
            self._gen += 1
        self.view.busy = True
        self._emit()

        def work() -> None:
            try:
                msg = fn()
                self._emit(msg)
            except RequestError as exc:
                if exc.code == "timeout" and not self.session.connected:
                    self._emit(OFFLINE_VI, error=True)
                elif exc.code == "signin_required":  # token expired or signed out elsewhere: sign in again
                    self.view.officer = None
                    self.session.officer_token = None
                    self._emit(exc.message_vi, error=True)
                else:
                    self._emit(exc.message_vi, error=True)
            except Exception as exc:
                log.exception("%s failed", name)
                self._emit(f"Lỗi: {exc}", error=True)
            finally:
                with self._state_lock:
                    self._gen += 1
                self.view.busy = False
                self._busy.release()
                self._emit()

        if blocking:
            work()
        else:
            threading.Thread(target=work, name=f"counter-{name}", daemon=True).start()
        return True

    # --- sign-in --------------------------------------------------------------------------------

    def login(self, username: str, pin: str, *, blocking: bool = False) -> bool:
        if not username.strip() or not pin:
            self._emit("Nhập tên đăng nhập và mã PIN.", error=True)
            return False
        return self._run("login", lambda: self._signed_in(self.core.login(username, pin)), blocking=blocking)

    def login_badge(self, badge: str, *, blocking: bool = False) -> bool:
        return self._run("login", lambda: self._signed_in(self.core.login_badge(badge)), blocking=blocking)

    def _signed_in(self, result: dict) -> str:
        self.view.officer = result["officer"]
        self.view.state = {k: v for k, v in result.items() if k not in ("token", "token_expires_at")}
        msg = f"Xin chào {result['officer']['name']}."
        if result.get("took_over_from"):
            msg += f" Đã nhận quầy từ {result['took_over_from']['name']}."
        return msg

    def logout(self, *, blocking: bool = False) -> bool:
        def fn() -> str:
            self.view.state = self.core.logout()
            self.view.officer = None
            return "Đã đăng xuất."
        return self._run("logout", fn, blocking=blocking)

    # --- counter actions ------------------------------------------------------------------------

    def act(self, name: str, *, blocking: bool = False, to_service: str | None = None,
            to_counter: int | None = None, ticket_id: int | None = None, force: bool = False) -> bool:
        """Run a counter action by name (see counter_terminal.actions.ACTIONS)."""
        if name not in ACTIONS:
            raise ValueError(f"unknown action {name!r}")
        if self.view.officer is None:
            self._emit("Hãy đăng nhập trước.", error=True)
            return False
        if ACTIONS[name].needs_ticket and self.core.current is None:
            self._emit(NO_TICKET_VI, error=True)
            return False
        if name == "done":
            return self._run("done", self._done, blocking=blocking)
        if not self.session.connected:  # refuse now rather than after the retries run out
            self._emit(OFFLINE_VI, error=True)
            return False

        def fn() -> str:
            c = self.core
            if name == "next":
                result = c._req("counter.next")
            elif name == "transfer":
                try:
                    moved = c.transfer(to_service=to_service, to_counter=to_counter, force=force)
                except RequestError as exc:
                    if exc.code == "conflict" and to_counter is not None:  # closed or unstaffed: offer "anyway"
                        self.refused_transfer = to_counter
                    raise
                self.refused_transfer = None
                self._refresh()
                where = f"quầy {to_counter}" if to_counter else f"dịch vụ {moved['service_name']}"
                return f"Đã chuyển số {moved['number']} sang {where}."
            elif name == "resume":
                result = {"ticket": c.resume(ticket_id)}
            elif name in ("pause", "open"):
                self.view.state = c.pause() if name == "pause" else c.open()
                return result_message(name, None)
            else:
                result = getattr(c, name)()
                if name in ("skip", "hold"):
                    result = {"ticket": result}
            self._refresh()
            return result_message(name, result)

        return self._run(name, fn, blocking=blocking)

    def _done(self) -> str:
        ticket = self.core.current
        assert ticket is not None
        self.core.complete()  # durable: the outbox delivers it, now or after a network cut
        if self.session.connected and self.session.outbox.wait_empty(self.session.config.request_timeout_s):
            self._refresh()
            return f"Đã hoàn thành số {ticket['number']}."
        if self.view.state is not None:  # show the counter free now; the hub learns it when the link returns
            self.view.state = {**self.view.state, "current": None}
        return DONE_QUEUED_VI.format(number=ticket["number"])

    def _refresh(self) -> None:
        try:
            self.view.state = self.core.state()
        except RequestError as exc:
            log.warning("could not refresh counter state: %s", exc)

    def background_refresh(self) -> bool:
        """Fetch the counter state (waiting counts change all the time) without ever blocking an officer's
        action: runs beside actions, and its answer is dropped if an action started or ended meanwhile.
        Returns True if the view was updated."""
        if self.view.officer is None or self._busy.locked() or not self.session.connected:
            return False
        with self._state_lock:
            gen = self._gen
        try:
            result = self.session.request("counter.state", {})
        except RequestError:
            return False
        with self._state_lock:
            if gen != self._gen or self._busy.locked():
                return False
            self.view.state = result
            self.core.current = result.get("current")
        self._emit()
        return True

    def refresh(self, *, blocking: bool = False) -> bool:
        return self._run("refresh", lambda: (self._refresh(), self.view.message)[1], blocking=blocking)
