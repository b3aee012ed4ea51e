"""Dossier work at the counter, without a screen: search a procedure, tick the documents, take the
dossier in (or print what is missing, or refuse the papers with the refusal sheet and no dossier), print
the receipt, scan a receipt's barcode to return a result. The Kivy intake/return screens (issue #4's app)
call this; tests call it directly.

Every printed form is written as PDF (A4/A5, for the office printer) and rendered for the 80 mm thermal
printer (a `devicekit.drivers.printer.Printer` when given, else PNG files in `out_dir`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devicekit.session import DeviceSession
from motcua_core import clock as wallclock
from motcua_core.cccd import parse_cccd, parse_cccd_qr
from motcua_core.dossier_codes import from_scan, is_code, normalise
from motcua_core.errors import DomainError
from motcua_core.protocol import new_request_id


def _pdf():
    """The PDF renderers, imported on first use: fpdf2 costs a second of start-up on a Pi."""
    from motcua_core.documents import pdf

    return pdf


def _thermal():
    from motcua_core.documents import thermal

    return thermal


@dataclass
class Printed:
    pdf: Path | None = None
    images: list[Path] = field(default_factory=list)


class DossierCore:
    def __init__(self, session: DeviceSession, out_dir: Path, printer: Any | None = None):
        self.session = session
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.printer = printer
        self._intake_rid: str | None = None

    def _signed(self, data: dict) -> dict:
        """Dossier work is an officer action: it carries the sign-in token (counter_terminal.core)."""
        return {**data, "token": self.session.officer_token}

    # --- intake ---------------------------------------------------------------------------------
    def search(self, q: str, limit: int = 20) -> list[dict]:
        return self.session.request("procedure.search", {"q": q, "limit": limit})["procedures"]

    def agencies(self) -> list[dict]:
        """The province's agencies and where each works: the choices for `options.competent` at intake."""
        return self.session.request("dossier.agencies", self._signed({}))["agencies"]

    @staticmethod
    def cccd_problem(text: str) -> DomainError | None:
        """Why the CCCD is malformed (its words in both languages), None when it is well-formed (checked
        again on the hub, which is the authority)."""
        try:
            parse_cccd(text, wallclock.now(wallclock.VIETNAM).year)
        except DomainError as exc:
            return exc
        return None

    @staticmethod
    def check_cccd(text: str) -> str | None:
        """The Vietnamese reason when the CCCD is malformed, None when it is well-formed."""
        problem = DossierCore.cccd_problem(text)
        return None if problem is None else problem.text("vi")

    @staticmethod
    def applicant_from_cccd_qr(text: str) -> tuple[dict | None, DomainError | None]:
        """The applicant fields read from a chip CCCD's front QR (issue #12), or why the scan is unusable
        (its words in both languages); nothing is kept from a bad scan."""
        try:
            return parse_cccd_qr(text, wallclock.now(wallclock.VIETNAM).date()).applicant(), None
        except DomainError as exc:
            return None, exc

    def intake(self, procedure: str, applicant: dict, documents: list[int], *, sets: int = 1,
               return_method: str = "counter", post_address: str | None = None, fees_vnd: int | None = None,
               ticket_id: int | None = None, processing_days: float | None = None, retry: bool = False,
               options: dict | None = None) -> dict:
        """Send the intake. Incomplete → the guidance sheet is printed; complete → the A4 receipt and a
        compact thermal slip for the citizen.
        `retry=True` resends the previous attempt with the same request id (a timeout must never make
        two dossiers)."""
        if not retry or self._intake_rid is None:
            self._intake_rid = new_request_id()
        data: dict = {"procedure": procedure, "applicant": applicant, "documents": documents, "sets": sets,
                      "return_method": return_method}
        for k, v in (("post_address", post_address), ("fees_vnd", fees_vnd), ("ticket_id", ticket_id),
                     ("processing_days", processing_days), ("options", options)):
            if v is not None:
                data[k] = v
        result = self.session.request("dossier.intake", self._signed(data), request_id=self._intake_rid)
        if not result["complete"]:
            result["printed"] = self._print("guidance", result["guidance"], _pdf().guidance,
                                            [_thermal().guidance(result["guidance"])])
        elif result.get("receipt"):
            r = result["receipt"]
            # the A4 receipt (both copies, signed) is the official one; the thermal printer gives the
            # citizen a slip of about 10 cm with the code, the date due and the status QR
            result["printed"] = self._print(f"receipt-{r['code']}", r, _pdf().receipt, [_thermal().receipt_slip(r)])
        self._intake_rid = None
        return result

    def refuse(self, applicant_name: str, reasons: list[str], *, procedure: str | None = None,
               request: str | None = None, ticket_id: int | None = None) -> dict:
        """Refuse the papers at intake (no dossier is made): the hub records the refusal and answers with
        the refusal sheet, printed here for the citizen (A4 PDF and the 80 mm copy)."""
        data: dict = {"applicant": {"name": applicant_name}, "reasons": reasons}
        for k, v in (("procedure", procedure), ("request", request), ("ticket_id", ticket_id)):
            if v is not None:
                data[k] = v
        result = self.session.request("dossier.refuse_intake", self._signed(data))
        sheet = result["refusal"]
        result["printed"] = self._print(f"intake-refusal-{result['refusal_id']}", sheet, _pdf().refusal,
                                        [_thermal().refusal(sheet)])
        return result

    # --- return -----------------------------------------------------------------------------------
    def scan(self, raw: str) -> dict:
        """What the reader sent (the receipt's barcode, or its QR's absolute link) → the dossier (full view
        for the officer)."""
        code = from_scan(raw)[0]
        if not is_code(code):
            from motcua_core.errors import RequestError

            raise RequestError("bad_request", f"not a dossier code: {raw!r}",
                               message_vi="Mã vừa quét không phải mã hồ sơ.")
        return self.session.request("dossier.get", self._signed({"code": code}))["dossier"]

    def give_back(self, code: str, *, fees_paid: bool, signed: bool = False, tracking: str | None = None,
                  ticket_id: int | None = None) -> dict:
        data: dict = {"code": normalise(code), "confirm": {"fees_paid": fees_paid, "signed": signed}}
        if tracking:
            data["tracking"] = tracking
        if ticket_id is not None:
            data["ticket_id"] = ticket_id
        return self.session.request("dossier.return", self._signed(data))["dossier"]

    # --- reception desk ----------------------------------------------------------------------------
    def issue_for(self, service: str, priority: str, config: dict | None = None) -> tuple[dict, Path | None]:
        """Take a number for a citizen at the desk (counter.issue, signed by the officer) and print the
        ticket, the kiosk's own layout, on this desk's printer (PNG in `out_dir` without one)."""
        from kiosk.ticket import render_ticket, ticket_content, tracking_url

        t = self.session.request("counter.issue", self._signed({"service": service, "priority": priority}))["ticket"]
        cfg = config or {}
        content = ticket_content(t, unit=cfg.get("site_name", ""), qr_url=tracking_url(
            cfg.get("public_url") or cfg.get("hub_url"), self.session.config.site, t["id"]))
        im = render_ticket(content, getattr(self.printer, "width", 576) if self.printer else 576)
        path = self.out_dir / f"ticket-{t['number']}.png"
        im.save(path)
        if self.printer is not None:
            self.printer.print_image(im, f"ticket-{t['number']}")
        return t, path

    # --- withdrawal, correction (Decree 118/2025 Art. 21, 23) -------------------------------------
    def withdraw(self, code: str, reason: str = "") -> dict:
        """The citizen withdraws the dossier before the decision; the hub refuses it afterwards."""
        return self.session.request("dossier.withdraw", self._signed({"code": normalise(code), "reason": reason}))["dossier"]

    def request_correction(self, code: str, reason: str) -> dict:
        """A returned result has an error: back to the agency, due again within 3 working days."""
        return self.session.request("dossier.correction",
                                    self._signed({"code": normalise(code), "reason": reason}))["dossier"]

    # --- late -------------------------------------------------------------------------------------
    def apologise(self, code: str, reason: str, *, extra_days: int | None = None,
                  new_due: str | None = None) -> dict:
        data: dict = {"code": normalise(code), "reason": reason}
        if extra_days is not None:
            data["extra_days"] = extra_days
        if new_due:
            data["new_due"] = new_due
        a = self.session.request("dossier.apology", self._signed(data))["apology"]
        a["printed"] = self._print(f"apology-{a['code']}", a, _pdf().apology, [_thermal().apology(a)])
        return a

    def form(self, code: str, form: str) -> Printed:
        """Reprint a form by its name or its number in Circular 03/2025: receipt (01), supplement (02),
        refusal (03), apology (04), stop (05), control_sheet (06)."""
        d = self.session.request("dossier.form", self._signed({"code": normalise(code), "form": form}))["form"]
        kind = d.get("form")
        if kind == "receipt":
            return self._print(f"receipt-{d['code']}", d, _pdf().receipt, [_thermal().receipt(d)])
        if kind == "control_sheet":
            return self._print(f"control-{d['code']}", d, _pdf().control_sheet, [])
        if kind in ("refusal", "stop"):
            return self._print(f"{kind}-{d['code']}", d, _pdf().refusal, [_thermal().refusal(d)])
        if kind == "supplement":
            return self._print(f"supplement-{d['code']}", d, _pdf().guidance, [_thermal().guidance(d)])
        return self._print(f"apology-{d['code']}", d, _pdf().apology, [_thermal().apology(d)])

    def _print(self, name: str, data: dict, make_pdf, images: list) -> Printed:
        out = Printed(pdf=self.out_dir / f"{name}.pdf")
        out.pdf.write_bytes(make_pdf(data))
        for i, im in enumerate(images, 1):
            path = self.out_dir / f"{name}-{i}.png"
            im.save(path)
            out.images.append(path)
            if self.printer is not None:
                self.printer.print_image(im, f"{name}-{i}")
        return out
