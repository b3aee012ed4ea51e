"""What a kiosk does, without a screen: the Kivy app (issue #3) and the headless simulator both call this."""

from __future__ import annotations

import threading

from devicekit.protocol import new_request_id
from devicekit.session import DeviceSession


class KioskCore:
    """Ticket issuing over the device session, with the configuration the hub pushed.

    A double tap must never give two tickets: `new_confirmation()` returns one request id per confirmed
    choice, and every retry of that confirmation (a second tap, a timeout, a crash and restart) sends the
    same id, for which the hub answers with the same ticket.
    """

    def __init__(self, session: DeviceSession):
        self.session = session
        self.config: dict | None = None
        self._config_ready = threading.Event()
        session.on_config = self._on_config

    def _on_config(self, cfg: dict) -> None:
        self.config = cfg
        self._config_ready.set()

    def wait_config(self, timeout: float) -> bool:
        return self._config_ready.wait(timeout)

    @property
    def services(self) -> list[dict]:
        return list((self.config or {}).get("services", []))

    @staticmethod
    def new_confirmation() -> str:
        return new_request_id()

    def issue_ticket(self, service: str, priority: str = "none", lang: str = "vi",
                     request_id: str | None = None) -> dict:
        """Ask the hub for a ticket; returns the ticket (number, people ahead, estimated wait)."""
        data = {"service": service, "priority": priority, "lang": lang}
        return self.session.request("ticket.issue", data, request_id=request_id)["ticket"]
