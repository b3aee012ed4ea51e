"""What a kiosk does, without a screen: the Kivy app and the headless simulator both call this.

One KioskCore serves the three modes: dispenser (tickets and printing), lookup (catalogue replica and
dossier status) and voting (votes through the durable outbox).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from devicekit.drivers import printer as printers
from devicekit.session import DeviceSession
from kiosk.journal import TicketJournal
from kiosk.ticket import render_ticket, ticket_content, tracking_url
from motcua_core import clock as wallclock
from motcua_core.errors import RequestError
from motcua_core.protocol import new_request_id

log = logging.getLogger("motcua.kiosk")

MODES = {"kiosk": "dispenser", "lookup": "lookup", "voting": "voting"}


@dataclass
class Issued:
    """A ticket the hub gave, and what happened at the printer (`print_error` None when printed)."""

    ticket: dict
    request_id: str
    print_error: str | None = None
    png: Path | None = None
    appointment: dict | None = None  # issue #12: the booking a check-in found, with the hub's message


class KioskCore:
    """Ticket issuing over the device session, with the configuration the hub pushed.

    A double tap must never give two tickets: `new_confirmation()` returns one request id per confirmed
    choice, and every retry of that confirmation (a second tap, a timeout, a crash and restart) sends the
    same id, for which the hub answers with the same ticket.
    """

    def __init__(self, session: DeviceSession, printer: printers.Printer | None = None):
        self.session = session
        self.config: dict | None = None
        self._config_ready = threading.Event()
        self.on_config_change: Callable[[dict], None] | None = None
        self.on_vote_open: Callable[[dict], None] | None = None
        self.pending_vote: dict | None = None
        data_dir = session.config.data_dir
        self.printer = printer
        self._printer_hw: dict | None = None  # the entry our own printer was built from (None: injected)
        self.journal = TicketJournal(data_dir / "kiosk.db")
        self._print_lock = threading.Lock()
        session.health_fn = self.health
        # Last: a config that already arrived is handed over as soon as the callback is set.
        session.on_command = self._on_command
        session.on_config = self._on_config

    # --- configuration --------------------------------------------------------------------------

    def _on_config(self, cfg: dict) -> None:
        self.config = cfg
        # A printer entry changed from the console (issue #14) takes effect at the next ticket, no restart.
        if self.printer is None or (self._printer_hw is not None and self.hardware.get("printer") != self._printer_hw):
            self._printer_hw = self.hardware.get("printer")
            self.printer = printers.make_printer(self._printer_hw, self.session.config.data_dir / "printed")
        self._config_ready.set()
        if self.on_config_change is not None:
            self.on_config_change(cfg)

    def wait_config(self, timeout: float) -> bool:
        return self._config_ready.wait(timeout)

    @property
    def hardware(self) -> dict:
        """The hub's hardware map for this device, overridden key by key by the local config file."""
        return {**(self.config or {}).get("hardware", {}), **self.session.config.hardware}

    @property
    def mode(self) -> str:
        return MODES.get((self.config or {}).get("role") or self.session.config.role, "dispenser")

    @property
    def services(self) -> list[dict]:
        return list((self.config or {}).get("services", []))

    @property
    def fields(self) -> list[dict]:
        return list((self.config or {}).get("fields", []))

    @property
    def hub_url(self) -> str | None:
        cfg = self.config or {}
        if cfg.get("public_url"):
            return cfg["public_url"]
        port = cfg.get("http_port")
        return f"http://{self.session.config.broker_host}:{port}" if port else None

    def health(self) -> dict:
        return self.printer.health() if self.printer is not None else {}

    # --- tickets --------------------------------------------------------------------------------

    @staticmethod
    def new_confirmation() -> str:
        return new_request_id()

    def issue_ticket(self, service: str, priority: str = "none", lang: str = "vi",
                     request_id: str | None = None) -> dict:
        """Ask the hub for a ticket; returns the ticket (number, people ahead, estimated wait)."""
        data = {"service": service, "priority": priority, "lang": lang}
        return self.session.request("ticket.issue", data, request_id=request_id)["ticket"]

    def take_ticket(self, service: str, priority: str, lang: str, request_id: str) -> Issued:
        """Journal, issue, print. Raises RequestError when the hub refuses or cannot be reached; a
        printer problem is not an error here: the ticket exists and the screen shows its number."""
        self.journal.begin(request_id, service, priority, lang)
        ticket = self.issue_ticket(service, priority, lang, request_id)
        self.journal.issued(request_id, ticket)
        return self._print(ticket, request_id, lang)

    def _print(self, ticket: dict, request_id: str, lang: str) -> Issued:
        issued = Issued(ticket, request_id)
        with self._print_lock:
            try:
                if self.printer is None:
                    raise printers.PrinterError(printers.OFFLINE, "no printer configured")
                content = ticket_content(ticket, unit=(self.config or {}).get("site_name", ""), lang=lang,
                                         qr_url=tracking_url(self.hub_url, self.session.config.site, ticket["id"]))
                result = self.printer.print_image(render_ticket(content, self.printer.width),
                                                  f"ticket-{ticket['number']}")
                issued.png = result.path
            except printers.PrinterError as exc:
                log.warning("ticket %s not printed: %s", ticket["number"], exc)
                issued.print_error = exc.state
            except Exception:  # a printer driver bug must not hide the number from the citizen
                log.exception("ticket %s not printed", ticket["number"])
                issued.print_error = printers.OFFLINE
        # Shown on screen either way; a ticket the screen showed is not reprinted after a restart.
        self.journal.printed(request_id, issued.print_error or printers.OK)
        self.session.publish_health()  # the technician sees a printer problem now, not in 30 s
        return issued

    def recover(self) -> list[Issued]:
        """After a restart: reprint tickets requested but never printed (same request_id, same ticket)."""
        out = []
        for row in self.journal.unprinted():
            try:
                ticket = self.issue_ticket(row["service"], row["priority"], row["lang"], row["request_id"])
            except RequestError as exc:
                log.warning("could not recover ticket request %s: %s", row["request_id"], exc.code)
                if exc.code != "timeout":
                    self.journal.printed(row["request_id"], f"refused:{exc.code}")
                continue
            self.journal.issued(row["request_id"], ticket)
            out.append(self._print(ticket, row["request_id"], row["lang"]))
        return out

    # --- appointments (issue #12) ----------------------------------------------------------------

    def check_in(self, scan: str, lang: str = "vi", request_id: str | None = None) -> Issued:
        """Check today's booking in from a scan (booking QR, typed code, or the CCCD card's front QR) and
        print its ticket. Raises RequestError with the hub's reason in both languages (a bad CCCD scan, no
        booking today, too early); the same `request_id` on a retry gives the same ticket."""
        rid = request_id or new_request_id()
        out = self.session.request("appointment.checkin", {"scan": scan, "lang": lang}, request_id=rid)
        issued = self._print(out["ticket"], rid, lang)
        issued.appointment = {**out["appointment"], "late": out["late"], "early": out["early"],
                              "message": out.get("message"), "message_vi": out["message_vi"]}
        return issued

    # --- procedure checklist --------------------------------------------------------------------

    def print_image(self, image, name: str) -> str | None:
        """Print any laid-out image; returns None when printed or the printer state that stopped it."""
        try:
            if self.printer is None:
                return printers.OFFLINE
            self.printer.print_image(image, name)
            return None
        except printers.PrinterError as exc:
            return exc.state

    # --- dossiers ---------------------------------------------------------------------------------

    def lookup_dossier(self, code: str, key: str) -> dict:
        """The dossier's public view (masked name, timeline) for its code and lookup key; raises RequestError."""
        return self.session.request("dossier.lookup", {"code": code, "key": key})["dossier"]

    # --- votes ------------------------------------------------------------------------------------

    def _on_command(self, cmd: dict) -> None:
        if cmd.get("cmd") == "vote.open":
            timeout = float(cmd.get("timeout_s") or 60)
            if isinstance(cmd.get("at"), int | float) and wallclock.time() - cmd["at"] > timeout:
                log.info("vote for ticket %s arrived too late; ignored", cmd.get("ticket"))
                return
            if self.on_vote_open is not None:
                self.on_vote_open(cmd)
            else:  # arrived (from the persistent session) before the screen was built: keep it for it
                self.pending_vote = cmd
        else:
            log.info("command %r ignored", cmd.get("cmd"))

    def submit_dossier_rating(self, rating: dict) -> str:
        """A dossier's handling rated at the tablet (Decree 118/2025 Art. 33), through the durable outbox."""
        data = {k: rating[k] for k in ("ticket_id", "overall", "answers", "comment") if rating.get(k) is not None}
        return self.session.outbox.put("dossier.rate", data)

    def submit_vote(self, ticket_id: int, rating: int, reasons: list[str] | None = None,
                    answers: dict | None = None) -> str:
        """Keep the vote in the durable outbox; it reaches the hub whenever the hub is reachable."""
        data: dict = {"ticket_id": ticket_id, "rating": rating}
        if reasons:
            data["reasons"] = list(reasons)
        if answers:
            data["answers"] = answers
        return self.session.outbox.put("vote.submit", data)
