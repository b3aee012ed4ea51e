"""The dossier state machine: legal paths, refusals with reasons, and properties over random event lists."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.domain import dossier as dm
from motcua_core.errors import DomainError

T0 = 1_780_000_000.0
DUE = T0 + 3 * 86400


def received(steps=("UBND xã", "Công an xã"), on_spot=False) -> dm.Event:
    return dm.Event("received", T0, "cán bộ A", {"due_at": DUE, "steps": list(steps), "on_spot": on_spot})


def run(*events: dm.Event, steps=("UBND xã", "Công an xã")) -> dm.DossierState:
    return dm.replay("X-260101-0001", [received(steps), *events])


def ev(kind: str, dt: float = 60, **data) -> dm.Event:
    return dm.Event(kind, T0 + dt, "người xử lý", data)


def test_two_agency_route_is_ordered_by_the_procedure() -> None:
    s = run(ev("transferred"), ev("accepted"))
    assert (s.status, s.holder, s.step) == (dm.PROCESSING, "UBND xã", 0)
    s = run(ev("transferred"), ev("accepted"), ev("step_done"))
    assert s.status == dm.AWAITING_TRANSFER and s.next_destination() == (1, "Công an xã")
    s = run(ev("transferred"), ev("accepted"), ev("step_done"), ev("transferred"), ev("accepted"),
            ev("step_done", 120))
    assert s.outcome == "done" and s.finished_at == T0 + 120 and s.next_destination()[0] == dm.UNIT
    s = dm.apply(s, ev("transferred", 130))
    assert s.status == dm.READY and s.status_vi() == "Đã có kết quả, mời nhận"
    s = dm.apply(s, ev("returned", 200, fees_paid=True))
    assert s.status == dm.RETURNED and dm.timeliness(s, T0 + 200) == dm.EARLY


def test_transfer_out_of_order_is_refused() -> None:
    with pytest.raises(DomainError) as e:
        run(ev("transferred", step=1))
    assert "đúng thứ tự" in e.value.message_vi


def test_refusal_needs_a_reason_and_goes_back_to_the_unit() -> None:
    with pytest.raises(DomainError) as e:
        run(ev("transferred"), ev("accepted"), ev("rejected", reason="  "))
    assert "lý do" in e.value.message_vi
    s = run(ev("transferred"), ev("accepted"), ev("rejected", reason="Không đủ điều kiện"), ev("transferred"))
    assert s.status == dm.READY and s.outcome == "rejected" and "từ chối" in s.status_vi()


def test_return_needs_fees_paid() -> None:
    s = run(ev("transferred"), ev("accepted"), ev("step_done"), ev("transferred"), ev("accepted"), ev("step_done"),
            ev("transferred"), steps=("UBND xã", "Công an xã"))
    with pytest.raises(DomainError) as e:
        dm.apply(s, ev("returned", 300, fees_paid=False))
    assert "thu phí, lệ phí" in e.value.message_vi


def test_supplement_moves_due_to_the_time_the_shell_counted_again() -> None:
    s = run(ev("transferred"), ev("accepted"), ev("supplement_requested", reason="Thiếu bản sao", remaining_s=3600))
    assert s.status == dm.SUPPLEMENT and s.supplements == 1
    s = dm.apply(s, ev("supplement_received", 86400 * 5, due_at=DUE + 86400 * 5))
    assert s.status == dm.PROCESSING and s.legal_due_at == s.promised_due_at == DUE + 86400 * 5


def test_late_dossiers_are_classed_with_or_without_apology() -> None:
    base = [ev("transferred"), ev("accepted")]
    late = run(*base, ev("step_done", DUE - T0 + 10), steps=("UBND xã",))
    assert dm.timeliness(late, DUE + 10) == dm.LATE
    assert dm.lateness_class(late, DUE + 10) == "late_without_apology"
    apologised = run(*base, ev("apology_issued", 100, reason="Chờ xác minh", new_due_at=DUE + 86400),
                     ev("step_done", DUE - T0 + 10), steps=("UBND xã",))
    assert dm.lateness_class(apologised, DUE + 10) == "late_with_apology"
    assert apologised.promised_due_at == DUE + 86400 and apologised.legal_due_at == DUE


def test_apology_needs_a_later_date_and_a_reason() -> None:
    with pytest.raises(DomainError) as e:
        run(ev("apology_issued", reason="x", new_due_at=DUE - 1))
    assert "Ngày hẹn mới" in e.value.message_vi
    with pytest.raises(DomainError) as e:
        run(ev("apology_issued", reason="", new_due_at=DUE + 10))
    assert "lý do" in e.value.message_vi


def test_open_risk() -> None:
    s = run(ev("transferred"))
    # Default: at risk within 2 working days (16 office hours), so the apology can still be sent a day ahead.
    assert dm.open_risk(s, T0, 17 * 3600) == dm.ON_TRACK
    assert dm.open_risk(s, T0, 15 * 3600) == dm.AT_RISK
    assert dm.open_risk(s, T0, 5 * 3600, threshold_s=4 * 3600) == dm.ON_TRACK
    assert dm.open_risk(s, DUE + 1, 0) == dm.OVERDUE


# --- properties ---------------------------------------------------------------------------------

def _event_strategy():
    kinds = st.sampled_from(dm.KINDS[1:] + ("bogus",))
    data = st.fixed_dictionaries({}, optional={
        "reason": st.sampled_from(["", "Thiếu giấy tờ", "Chờ xác minh"]),
        "new_due_at": st.sampled_from([DUE - 10, DUE + 86400, DUE + 2 * 86400]),
        "due_at": st.sampled_from([DUE, DUE + 86400]),
        "fees_paid": st.booleans(),
        "step": st.sampled_from([-1, 0, 1, 2]),
        "remaining_s": st.floats(0, 30000),
    })
    return st.builds(lambda k, dt, d: dm.Event(k, T0 + dt, "x", d), kinds, st.floats(-10, 6 * 86400), data)


@settings(max_examples=300, deadline=None)
@given(st.lists(_event_strategy(), max_size=25), st.integers(1, 3), st.booleans())
def test_random_event_lists(events: list[dm.Event], n_steps: int, on_spot: bool) -> None:
    """Whatever is thrown at it: an illegal event is refused and changes nothing; what was accepted
    replays to the same state; every late dossier is either apologised or counted late-without."""
    steps = tuple(f"Cơ quan {i}" for i in range(n_steps))
    first = dm.Event("received", T0, "x", {"due_at": DUE, "steps": list(steps), "on_spot": on_spot})
    s = dm.start("C", first)
    accepted = [first]
    for e in events:
        before = s
        try:
            s = dm.apply(s, e)
        except DomainError:
            assert s == before
            continue
        assert e.kind in dm.ALLOWED and before.status in dm.ALLOWED[e.kind], "illegal transition accepted"
        accepted.append(e)
        assert s.status in dm.STATUSES
        assert s.status != dm.RETURNED or before.status == dm.READY
        assert s.status != dm.READY or s.outcome in ("done", "rejected")
    assert dm.replay("C", accepted) == s
    for at in (DUE - 1, DUE + 1, DUE + 10 * 86400):
        late = (s.finished_at is not None and s.finished_at > s.legal_due_at) or \
            (s.finished_at is None and at > s.legal_due_at)
        cls = dm.lateness_class(s, at)
        assert (cls in ("late_with_apology", "late_without_apology")) == late
        if cls == "late_with_apology":
            assert s.apologised
