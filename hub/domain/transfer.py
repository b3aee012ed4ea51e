"""When and how a dossier leaves the one-stop unit for the agencies (Decree 118/2025/NĐ-CP, Art. 18, 20).

- Art. 18(2): a paper dossier received in person goes to the competent agency **at once, within the
  working day**; one received **after 15:00** goes at the **start of the next working day**.
- Art. 20(1)(a): a dossier for an agency of **another administrative level** (received regardless of
  residence): the electronic dossier at once, the paper dossier **within 1 working day** of receipt.
- Art. 20(2)(a): liên thông between agencies of the same level: the paper dossier goes to the **lead
  agency** with a transfer slip (Phiếu chuyển xử lý) naming **each agency's task and time limit**; every
  agency works as soon as it has the electronic dossier (Art. 20(2)(b): sent to all at once).
Pure functions of the site's calendar; the shell (hub.ops.dossiers) moves the dossier.
"""

from __future__ import annotations

from datetime import datetime, time

from hub.domain.calendar import WorkCalendar

TRANSFER_CUTOFF = time(15, 0)  # Art. 18(2)
OTHER_LEVEL_PAPER_HOURS = 8  # Art. 20(1)(a): 1 working day
SITE_LEVEL = {"commune": "commune", "province": "province", "ministry": "ministry"}


def transfer_at(cal: WorkCalendar, received: datetime) -> datetime:
    """When a paper dossier received at `received` goes to the agency: at once (no earlier than the start
    of office hours) when received on a working day before 15:00, else at the start of the next working
    day (Art. 18(2))."""
    local = cal.local(received)
    d = local.date()
    if cal.is_working_day(d) and local < datetime.combine(d, TRANSFER_CUTOFF, cal.tz) and local < cal.day_end(d):
        return max(local, cal.day_start(d))
    return cal.day_start(cal.next_working_day(d))


def other_level(site_type: str | None, proc_level: str | None) -> bool:
    """Whether the competent agency is of another administrative level than the receiving centre (a
    provincial, ngành dọc or ministry procedure taken in at a commune centre, and so on; Art. 20(1))."""
    own = SITE_LEVEL.get(site_type or "")
    return bool(own and proc_level and proc_level != own)


def paper_by(cal: WorkCalendar, received: datetime) -> datetime:
    """The latest time the paper dossier reaches an agency of another level: 1 working day (Art. 20(1)(a))."""
    return cal.add_working_hours(cal.local(received), OTHER_LEVEL_PAPER_HOURS)


def routing_slip(steps: list[dict], step_due: list[float | None]) -> list[dict]:
    """The transfer slip's lines (Art. 20(2)(a)): each agency of a liên thông procedure, its task and time
    limit, in order, the first one leading. `steps`: the catalogue's [{"agency", "content", "days"}];
    `step_due`: each step's cumulative due time (None where the catalogue gives no days)."""
    out = []
    for i, st in enumerate(steps):
        out.append({"order": i + 1, "agency": st.get("agency", ""), "task": st.get("content") or "",
                    "days": st.get("days"), "due_at": step_due[i] if i < len(step_due) else None,
                    "lead": i == 0})
    return out
