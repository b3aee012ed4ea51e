"""What a counter terminal does, without a screen: the Kivy app (issue #4), the keypad and the
headless simulator all call this."""

from __future__ import annotations

from devicekit.session import DeviceSession


class CounterCore:
    """Counter actions as requests to the hub.

    Actions an officer waits for (Next, Recall, …) are plain requests: the answer is shown at once, and a
    refusal (hub unreachable, nothing waiting) is shown as an error. Done goes through the durable outbox
    with the ticket id, so it is delivered after a network cut and cannot finish the wrong ticket.
    Every officer action carries the token the sign-in returned (kept on the session, which the dossier
    desk shares); without it the hub answers `signin_required`.
    """

    def __init__(self, session: DeviceSession):
        self.session = session
        self.current: dict | None = None

    def _req(self, verb: str, data: dict | None = None) -> dict:
        data = dict(data or {})
        if verb not in ("counter.login", "counter.state"):
            data["token"] = self.session.officer_token
        result = self.session.request(verb, data)
        if "ticket" in result and verb in ("counter.next", "counter.recall", "counter.resume"):
            self.current = result["ticket"]
        elif verb in ("counter.skip", "counter.transfer", "counter.hold"):
            self.current = None
        return result

    def login(self, username: str, pin: str) -> dict:
        """Sign in with username + PIN; the answer is the counter state plus `officer`, `took_over_from`."""
        return self._signed_in(self._req("counter.login", {"username": username.strip(), "pin": pin}))

    def login_badge(self, badge: str) -> dict:
        return self._signed_in(self._req("counter.login", {"badge": badge.strip()}))

    def _signed_in(self, result: dict) -> dict:
        self.session.officer_token = result.get("token")
        self.current = result.get("current")
        return result

    def logout(self) -> dict:
        result = self._req("counter.logout")
        self.session.officer_token = None
        return result

    def open(self) -> dict:
        """Open the counter for the signed-in officer (sign in first: the hub needs the token)."""
        return self._req("counter.open")

    def pause(self) -> dict:
        return self._req("counter.pause")

    def close(self) -> dict:
        return self._req("counter.close")

    def next(self) -> dict | None:
        return self._req("counter.next")["ticket"]

    def recall(self) -> dict:
        return self._req("counter.recall")

    def skip(self) -> dict:
        return self._req("counter.skip")["ticket"]

    def reinstate(self, ticket_id: int) -> dict:
        """Undo a no-show: the ticket waits again, first for this counter."""
        return self._req("counter.reinstate", {"ticket_id": ticket_id})["ticket"]

    def transfer(self, *, to_service: str | None = None, to_counter: int | None = None, force: bool = False) -> dict:
        """`force`: the officer confirmed a counter the hub warned is closed or has no officer."""
        data: dict = {k: v for k, v in (("to_service", to_service), ("to_counter", to_counter)) if v is not None}
        if force:
            data["force"] = True
        return self._req("counter.transfer", data)["ticket"]

    def hold(self) -> dict:
        return self._req("counter.hold")["ticket"]

    def resume(self, ticket_id: int | None = None) -> dict:
        return self._req("counter.resume", {"ticket_id": ticket_id} if ticket_id else {})["ticket"]

    def complete(self) -> str | None:
        """Finish the current ticket through the outbox; returns the outbox request id."""
        if self.current is None:
            return None
        rid = self.session.outbox.put("counter.complete",
                                      {"ticket_id": self.current["id"], "token": self.session.officer_token})
        self.current = None
        return rid

    def state(self) -> dict:
        result = self._req("counter.state")
        self.current = result.get("current")
        return result
