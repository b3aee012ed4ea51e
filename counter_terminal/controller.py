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

from counter_terminal.actions import ACTIONS, result_message, service_of
from counter_terminal.core import CounterCore
from counter_terminal.words import Said, refusal, say
from motcua_core.errors import RequestError
from motcua_core.i18n import LANGS

log = logging.getLogger("motcua.counter")


@dataclass
class View:
    """Everything the screen shows, as plain data (tests read this too)."""

    officer: dict | None = None  # {"id", "name", "username"} once signed in
    state: dict | None = None  # the hub's counter-state object
    said: Said | None = None  # the last message, in both languages
    error: bool = False
    busy: bool = False
    online: bool = False
    lang: str = "vi"  # the screen's language: the device config's, then the officer's toggle
    log: list[Said] = field(default_factory=list)  # recent messages, newest last

    @property
    def message(self) -> str:
        """The last message in the screen's language."""
        return self.said.text(self.lang) if self.said is not None else ""


class CounterController:
    def __init__(self, core: CounterCore, on_change: Callable[[View], None] | None = None):
        self.core = core
        self.view = View(lang=core.session.config.language)
        self.refused_transfer: int | None = None  # a counter the hub warned about: the dialog offers "anyway"
        self.last_skipped: dict | None = None  # the no-show just made, which "Hoàn tác" undoes
        self.on_change = on_change
        self._busy = threading.Lock()
        self._gen = 0  # bumped when an action starts and ends: a background refresh older than that is dropped
        self._state_lock = threading.Lock()
        self.counter_number = None

    @property
    def session(self):
        return self.core.session

    def set_language(self, lang: str) -> None:
        """Switch at once: the message on screen is shown again in the new language."""
        if lang not in LANGS:
            raise ValueError(f"unknown language {lang!r}")
        self.view.lang = lang
        self._emit()

    def _emit(self, message: Said | None = None, error: bool = False) -> None:
        v = self.view
        if message is not None:
            v.said, v.error = message, error
            v.log = (v.log + [message])[-20:]
        v.online = self.session.connected
        if self.on_change is not None:
            try:
                self.on_change(v)
            except Exception:
                log.exception("on_change failed")

    def _run(self, name: str, fn: Callable[[], Said | None], *, blocking: bool) -> bool:
        """Run `fn` (returns the success message) unless another action is running."""
        if not self._busy.acquire(blocking=False):
            self._emit(say("busy"), error=True)
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
                    self._emit(say("offline"), error=True)
                elif exc.code == "signin_required":  # token expired or signed out elsewhere: sign in again
                    self.view.officer = None
                    self.session.officer_token = None
                    self._emit(refusal(exc), error=True)
                else:
                    self._emit(refusal(exc), error=True)
            except Exception as exc:
                log.exception("%s failed", name)
                self._emit(say("error", why=exc), error=True)
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
            self._emit(say("login_missing"), error=True)
            return False
        return self._run("login", lambda: self._signed_in(self.core.login(username, pin)), blocking=blocking)

    def login_badge(self, badge: str, *, blocking: bool = False) -> bool:
        return self._run("login", lambda: self._signed_in(self.core.login_badge(badge)), blocking=blocking)

    def _signed_in(self, result: dict) -> Said:
        self.view.officer = result["officer"]
        self.view.state = {k: v for k, v in result.items() if k not in ("token", "token_expires_at")}
        name = result["officer"]["name"]
        if result.get("took_over_from"):
            return say("hello_took_over", name=name, other=result["took_over_from"]["name"])
        return say("hello", name=name)

    def logout(self, *, blocking: bool = False) -> bool:
        def fn() -> Said:
            self.view.state = self.core.logout()
            self.view.officer = None
            return say("signed_out")
        return self._run("logout", fn, blocking=blocking)

    # --- counter actions ------------------------------------------------------------------------

    def act(self, name: str, *, blocking: bool = False, to_service: str | None = None,
            to_counter: int | None = None, ticket_id: int | None = None, force: bool = False) -> bool:
        """Run a counter action by name (see counter_terminal.actions.ACTIONS)."""
        if name not in ACTIONS:
            raise ValueError(f"unknown action {name!r}")
        if self.view.officer is None:
            self._emit(say("sign_in_first"), error=True)
            return False
        if ACTIONS[name].needs_ticket and self.core.current is None:
            self._emit(say("no_ticket"), error=True)
            return False
        if name == "undo_skip" and self.last_skipped is None:
            self._emit(say("nothing_to_undo"), error=True)
            return False
        if name == "done":
            self.last_skipped = None
            return self._run("done", self._done, blocking=blocking)
        if not self.session.connected:  # refuse now rather than after the retries run out
            self._emit(say("offline"), error=True)
            return False

        def fn() -> Said:
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
                where = say("to_counter", n=to_counter) if to_counter else \
                    say("to_service", name=service_of(moved))
                return say("transferred", number=moved["number"], where=where)
            elif name == "resume":
                result = {"ticket": c.resume(ticket_id)}
            elif name in ("pause", "open"):
                self.view.state = c.pause() if name == "pause" else c.open()
                return result_message(name, None)
            elif name == "undo_skip":
                assert self.last_skipped is not None
                result = {"ticket": c.reinstate(self.last_skipped["id"])}
            else:
                result = getattr(c, name)()
                if name in ("skip", "hold"):
                    result = {"ticket": result}
            # Only the no-show just made can be undone; any other action moves on from it.
            self.last_skipped = result["ticket"] if name == "skip" else None
            self._refresh()
            return result_message(name, result)

        return self._run(name, fn, blocking=blocking)

    def _done(self) -> Said:
        ticket = self.core.current
        assert ticket is not None
        self.core.complete()  # durable: the outbox delivers it, now or after a network cut
        if self.session.connected and self.session.outbox.wait_empty(self.session.config.request_timeout_s):
            self._refresh()
            return say("done", number=ticket["number"])
        if self.view.state is not None:  # show the counter free now; the hub learns it when the link returns
            self.view.state = {**self.view.state, "current": None}
        return say("done_queued", number=ticket["number"])

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
        return self._run("refresh", lambda: (self._refresh(), self.view.said)[1], blocking=blocking)
