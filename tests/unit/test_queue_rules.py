"""Queue rules: numbering, ticket states, who is called next, people ahead and wait estimates."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.domain import queue as q
from hub.domain.queue import Candidate, Numbering, Policy, choose_next
from motcua_core.errors import DomainError

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
COUNTER = 3
SERVED = ("HT", "DD")  # the counter under test serves civil status and land
NOT_SERVED = "XD"  # construction: served elsewhere


def cand(tid: int, service: str = "HT", *, prio: str = "none", at: float | None = None,
         target: int | None = None) -> Candidate:
    return Candidate(ticket_id=tid, service=service, priority=prio,
                     queued_at=float(tid) if at is None else at, target_counter=target)


def call(cands, *, policy: Policy | None = None, streak: int | None = None, services=SERVED,
         counter: int = COUNTER):
    return choose_next(cands, counter=counter, services=services, policy=policy or Policy(),
                       regular_streak=streak)


# --- numbering ------------------------------------------------------------------------------------

class TestNumbering:
    def test_range_numbers_count_up_from_start(self):
        n = Numbering(start=1001, end=1999)
        assert [n.number(i) for i in (1, 2, 3)] == ["1001", "1002", "1003"]

    def test_range_wraps_after_end(self):
        n = Numbering(start=1001, end=1999)
        assert n.number(999) == "1999"
        assert n.number(1000) == "1001"
        assert n.number(1001) == "1002"
        assert n.number(2 * 999 + 1) == "1001"

    def test_prefix_is_zero_padded_to_width(self):
        n = Numbering(prefix="A", width=3)
        assert [n.number(i) for i in (1, 2, 10, 100, 999)] == ["A001", "A002", "A010", "A100", "A999"]
        assert n.number(1000) == "A001"

    def test_default_is_three_digits_from_001(self):
        assert Numbering().number(1) == "001"
        assert Numbering().number(42) == "042"

    def test_single_number_range_always_repeats(self):
        n = Numbering(prefix="B", start=7, end=7)
        assert {n.number(i) for i in range(1, 20)} == {"B007"}

    @pytest.mark.parametrize("kwargs", [
        {"start": -1},
        {"start": 500, "end": 499},
        {"start": 10, "end": 1},
        {"prefix": "ABCD"},
        {"prefix": "A1"},
        {"prefix": "1"},
        {"prefix": "A-"},
        {"prefix": " "},
    ])
    def test_invalid_config_raises_value_error(self, kwargs):
        with pytest.raises(ValueError):
            Numbering(**kwargs)

    def test_negative_width_rejected_at_config_time(self):
        with pytest.raises(ValueError):
            Numbering(width=-1)

    @pytest.mark.parametrize("seq", [0, -1])
    def test_seq_starts_at_one(self, seq):
        with pytest.raises(ValueError):
            Numbering().number(seq)

    @given(start=st.integers(0, 5000), size=st.integers(1, 3000), seq=st.integers(1, 20000),
           prefix=st.sampled_from(["", "A", "B", "AB", "ABC"]))
    def test_numbers_stay_in_range_and_cycle(self, start, size, seq, prefix):
        n = Numbering(prefix=prefix, start=start, end=start + size - 1, width=3)
        shown = n.number(seq)
        assert shown.startswith(prefix)
        value = int(shown[len(prefix):])
        assert start <= value <= start + size - 1
        assert n.number(seq + size) == shown
        assert len(shown) >= len(prefix) + 3


class TestLocalDay:
    def test_day_changes_at_local_midnight_not_utc_midnight(self):
        before = datetime(2024, 3, 1, 16, 59, 59, tzinfo=ZoneInfo("UTC")).timestamp()
        after = datetime(2024, 3, 1, 17, 0, 0, tzinfo=ZoneInfo("UTC")).timestamp()
        assert q.local_day(before, HCM) == "2024-03-01"
        assert q.local_day(after, HCM) == "2024-03-02"

    def test_utc_morning_is_same_local_day(self):
        ts = datetime(2024, 3, 2, 0, 30, tzinfo=ZoneInfo("UTC")).timestamp()
        assert q.local_day(ts, HCM) == "2024-03-02"

    def test_year_boundary(self):
        ts = datetime(2024, 12, 31, 17, 0, tzinfo=ZoneInfo("UTC")).timestamp()
        assert q.local_day(ts, HCM) == "2025-01-01"
        assert q.local_day(ts - 1, HCM) == "2024-12-31"


# --- ticket lifecycle -----------------------------------------------------------------------------

STATUSES = (q.WAITING, q.CALLED, q.HELD, q.DONE, q.NO_SHOW, q.EXPIRED)
ACTIONS = ("call", "recall", "skip", "hold", "resume", "complete", "transfer", "expire", "reinstate")
ALLOWED = {
    (q.WAITING, "call"): q.CALLED,
    (q.WAITING, "expire"): q.EXPIRED,
    (q.CALLED, "recall"): q.CALLED,
    (q.CALLED, "skip"): q.NO_SHOW,
    (q.CALLED, "hold"): q.HELD,
    (q.CALLED, "complete"): q.DONE,
    (q.CALLED, "transfer"): q.WAITING,
    (q.HELD, "resume"): q.CALLED,
    (q.HELD, "expire"): q.EXPIRED,
    (q.NO_SHOW, "reinstate"): q.WAITING,  # issue #13: the citizen turned up just after the skip
}
FORBIDDEN = [pair for pair in itertools.product(STATUSES + ("bogus",), ACTIONS + ("bogus",))
             if pair not in ALLOWED]


class TestTransition:
    @pytest.mark.parametrize(("status", "action"), sorted(ALLOWED))
    def test_allowed(self, status, action):
        assert q.transition(status, action) == ALLOWED[(status, action)]

    @pytest.mark.parametrize(("status", "action"), FORBIDDEN)
    def test_everything_else_is_a_conflict(self, status, action):
        with pytest.raises(DomainError) as err:
            q.transition(status, action)
        assert err.value.code == "conflict"
        # A sentence for an officer in English that still names the action and the state (issue #13).
        said = err.value.message.lower()
        assert q.ACTIONS_EN.get(action, action) in said and q.STATUS_EN.get(status, status) in said, said
        assert err.value.message.endswith(".") and err.value.message[0].isupper()
        assert err.value.message_vi

    def test_table_has_no_unlisted_actions(self):
        # the enumeration above covers every action the table knows
        assert {a for acts in q.TRANSITIONS.values() for a in acts} <= set(ACTIONS)
        assert set(q.TRANSITIONS) == set(STATUSES)

    @pytest.mark.parametrize("status", [q.DONE, q.EXPIRED])
    def test_final_states_accept_nothing(self, status):
        for action in ACTIONS:
            with pytest.raises(DomainError):
                q.transition(status, action)

    def test_vietnamese_message_names_the_state(self):
        with pytest.raises(DomainError) as err:
            q.transition(q.DONE, "call")
        assert "đã xong" in err.value.message_vi
        assert set(q.STATUS_VI) == set(STATUSES)


# --- policy ---------------------------------------------------------------------------------------

class TestPolicy:
    @pytest.mark.parametrize("kwargs", [{"mode": "random"}, {"mode": ""}, {"every": 0}, {"every": -2},
                                        {"max_recalls": -1}])
    def test_invalid_policy_raises(self, kwargs):
        with pytest.raises(ValueError):
            Policy(**kwargs)

    def test_defaults(self):
        p = Policy()
        assert (p.mode, p.every, p.max_recalls) == ("interleave", 3, 2)


# --- choose_next ----------------------------------------------------------------------------------

class TestChooseNextBasics:
    def test_empty_returns_none_and_keeps_streak(self):
        for streak in (None, 0, 2, 7):
            for mode in ("strict", "interleave", "fifo"):
                assert call([], policy=Policy(mode=mode), streak=streak) == (None, streak)

    def test_nothing_eligible_returns_none_and_keeps_streak(self):
        cands = [cand(1, NOT_SERVED), cand(2, "HT", target=COUNTER + 1), cand(3, "DD", prio="elderly", target=9)]
        assert call(cands, streak=2) == (None, 2)

    def test_oldest_first_across_all_served_services(self):
        cands = [cand(1, "DD", at=300.0), cand(2, "HT", at=100.0), cand(3, "HT", at=200.0)]
        pick, _ = call(cands, policy=Policy(mode="fifo"))
        assert pick.ticket_id == 2

    def test_short_queue_is_not_starved_by_long_one(self):
        # many land tickets, one older civil-status ticket: age decides, not queue length
        cands = [cand(i, "DD", at=100.0 + i) for i in range(10, 30)] + [cand(5, "HT", at=50.0)]
        assert call(cands)[0].ticket_id == 5

    def test_ties_on_time_broken_by_ticket_id(self):
        cands = [cand(9, "HT", at=10.0), cand(4, "DD", at=10.0), cand(6, "HT", at=10.0)]
        assert call(cands, policy=Policy(mode="fifo"))[0].ticket_id == 4

    def test_service_not_served_is_never_picked(self):
        cands = [cand(1, NOT_SERVED, at=1.0), cand(2, NOT_SERVED, prio="elderly", at=2.0), cand(3, "DD", at=50.0)]
        for mode in ("strict", "interleave", "fifo"):
            assert call(cands, policy=Policy(mode=mode))[0].ticket_id == 3
        assert call(cands[:2])[0] is None

    def test_ticket_targeted_to_another_counter_is_never_picked(self):
        cands = [cand(1, "HT", at=1.0, target=COUNTER + 1), cand(2, "HT", prio="pregnant", at=2.0, target=7),
                 cand(3, "HT", at=50.0)]
        for mode in ("strict", "interleave", "fifo"):
            assert call(cands, policy=Policy(mode=mode))[0].ticket_id == 3
        assert call(cands[:2])[0] is None

    def test_ticket_transferred_here_comes_first_even_if_service_not_served(self):
        cands = [cand(1, "HT", prio="elderly", at=1.0), cand(2, "HT", at=2.0),
                 cand(3, NOT_SERVED, at=500.0, target=COUNTER)]
        for mode in ("strict", "interleave", "fifo"):
            for streak in (None, 0, 3):
                assert call(cands, policy=Policy(mode=mode), streak=streak)[0].ticket_id == 3

    def test_oldest_of_several_transferred_here_first(self):
        cands = [cand(1, "HT", at=1.0), cand(5, "DD", at=90.0, target=COUNTER),
                 cand(4, NOT_SERVED, at=80.0, target=COUNTER)]
        assert call(cands)[0].ticket_id == 4

    def test_transferred_ticket_does_not_count_in_streak(self):
        # a transferred citizen is a continuation of an earlier call, not a new pick from the queue
        cands = [cand(1, "HT", at=1.0, target=COUNTER)]
        assert call(cands, streak=2) == (cands[0], 2)
        assert call(cands, streak=None) == (cands[0], None)


class TestStrict:
    def test_priority_always_first(self):
        cands = [cand(1, "HT", at=1.0), cand(2, "DD", at=2.0), cand(3, "HT", prio="disability", at=999.0)]
        for streak in (None, 0, 1, 5, 100):
            pick, new = call(cands, policy=Policy(mode="strict"), streak=streak)
            assert pick.ticket_id == 3
            assert new == 0

    def test_oldest_priority_among_priorities(self):
        cands = [cand(1, "HT", at=1.0), cand(2, "DD", prio="merit", at=20.0), cand(3, "HT", prio="elderly", at=10.0)]
        assert call(cands, policy=Policy(mode="strict"))[0].ticket_id == 3

    def test_regulars_served_when_no_priority(self):
        cands = [cand(1, "HT", at=5.0), cand(2, "DD", at=2.0)]
        pick, new = call(cands, policy=Policy(mode="strict"), streak=4)
        assert (pick.ticket_id, new) == (2, 5)

    def test_draining_a_queue_calls_all_priority_first(self):
        pool = [cand(i, "HT", prio="elderly" if i % 3 == 0 else "none", at=float(i)) for i in range(1, 13)]
        order, streak = [], None
        while True:
            pick, streak = call(pool, policy=Policy(mode="strict"), streak=streak)
            if pick is None:
                break
            order.append(pick)
            pool.remove(pick)
        kinds = [p.is_priority for p in order]
        assert kinds == sorted(kinds, reverse=True)
        assert [p.ticket_id for p in order] == [3, 6, 9, 12, 1, 2, 4, 5, 7, 8, 10, 11]


def drain(pool: list[Candidate], policy: Policy, streak: int | None = None, calls: int | None = None) -> str:
    """Call repeatedly, removing each pick; the pattern of picks as 'P'/'R'."""
    out = []
    for _ in range(calls or len(pool)):
        pick, streak = call(pool, policy=policy, streak=streak)
        if pick is None:
            break
        out.append("P" if pick.is_priority else "R")
        pool.remove(pick)
    return "".join(out)


class TestInterleave:
    @pytest.mark.parametrize("every", [1, 2, 3, 5])
    def test_pattern_starts_with_priority_then_every_regulars(self, every):
        # plenty of both kinds, all priority tickets queued *after* all regular ones
        pool = [cand(i, "HT", at=float(i)) for i in range(1, 61)]
        pool += [cand(100 + i, "DD", prio="elderly", at=1000.0 + i) for i in range(1, 61)]
        pattern = drain(pool, Policy(mode="interleave", every=every), calls=4 * (every + 1))
        assert pattern == ("P" + "R" * every) * 4

    def test_streak_bookkeeping(self):
        pol = Policy(mode="interleave", every=2)
        both = [cand(1, "HT", at=1.0), cand(2, "HT", prio="elderly", at=2.0)]
        assert call(both, policy=pol, streak=None) == (both[1], 0)
        assert call(both, policy=pol, streak=0) == (both[0], 1)
        assert call(both, policy=pol, streak=1) == (both[0], 2)
        assert call(both, policy=pol, streak=2) == (both[1], 0)
        assert call(both, policy=pol, streak=9) == (both[1], 0)

    def test_only_regular_waiting_is_served_and_streak_grows(self):
        pol = Policy(mode="interleave", every=2)
        regs = [cand(1, "HT"), cand(2, "DD")]
        assert call(regs, policy=pol, streak=None) == (regs[0], 1)
        assert call(regs, policy=pol, streak=2) == (regs[0], 3)
        assert call(regs, policy=pol, streak=7) == (regs[0], 8)

    def test_only_priority_waiting_is_served_even_twice_in_a_row(self):
        pol = Policy(mode="interleave", every=3)
        prios = [cand(1, "HT", prio="elderly"), cand(2, "DD", prio="merit")]
        assert call(prios, policy=pol, streak=0) == (prios[0], 0)
        assert call(prios, policy=pol, streak=None) == (prios[0], 0)

    def test_priority_arriving_after_long_regular_run_is_called_at_once(self):
        pol = Policy(mode="interleave", every=3)
        pool = [cand(1, "HT", at=1.0), cand(2, "HT", prio="pregnant", at=50.0)]
        assert call(pool, policy=pol, streak=8)[0].ticket_id == 2

    def test_regular_after_priority_even_if_priority_is_older(self):
        pol = Policy(mode="interleave", every=3)
        pool = [cand(1, "HT", prio="elderly", at=1.0), cand(2, "HT", prio="elderly", at=2.0), cand(3, "DD", at=99.0)]
        assert call(pool, policy=pol, streak=0)[0].ticket_id == 3

    def test_counter_with_no_call_yet_starts_with_priority(self):
        pool = [cand(1, "HT", at=1.0), cand(2, "HT", at=2.0), cand(3, "DD", prio="disability", at=500.0)]
        assert call(pool, policy=Policy(mode="interleave", every=3), streak=None)[0].ticket_id == 3

    def test_drain_mixed_queue(self):
        # 2 priority among 8 regulars, every=3: P R R R P R R R R R
        pool = [cand(i, "HT", at=float(i)) for i in range(1, 9)]
        pool += [cand(20, "DD", prio="elderly", at=100.0), cand(21, "HT", prio="merit", at=101.0)]
        assert drain(pool, Policy(mode="interleave", every=3)) == "PRRRPRRRRR"


class TestFifo:
    def test_priority_ignored(self):
        cands = [cand(1, "HT", at=1.0), cand(2, "HT", prio="elderly", at=2.0)]
        assert call(cands, policy=Policy(mode="fifo"), streak=None)[0].ticket_id == 1
        assert call(cands, policy=Policy(mode="fifo"), streak=50)[0].ticket_id == 1

    def test_older_priority_still_first_by_age(self):
        cands = [cand(1, "HT", prio="elderly", at=1.0), cand(2, "HT", at=2.0)]
        assert call(cands, policy=Policy(mode="fifo"))[0].ticket_id == 1

    def test_streak_unchanged(self):
        cands = [cand(1, "HT", at=1.0), cand(2, "HT", prio="elderly", at=2.0)]
        for streak in (None, 0, 4):
            assert call(cands, policy=Policy(mode="fifo"), streak=streak)[1] == streak
            assert call(cands[1:], policy=Policy(mode="fifo"), streak=streak)[1] == streak


# --- hypothesis properties ------------------------------------------------------------------------

ALL_SERVICES = ("HT", "DD", NOT_SERVED, "TP")
PRIORITIES = ("none", "none", "elderly", "disability", "pregnant", "merit")
policies = st.builds(Policy, mode=st.sampled_from(["strict", "interleave", "fifo"]), every=st.integers(1, 5))
streaks = st.none() | st.integers(0, 10)


@st.composite
def candidate_lists(draw, *, targets=None, max_size=15):
    targets = st.none() | st.integers(1, 5) if targets is None else targets
    n = draw(st.integers(0, max_size))
    ids = draw(st.lists(st.integers(1, 10_000), min_size=n, max_size=n, unique=True))
    return [Candidate(ticket_id=i, service=draw(st.sampled_from(ALL_SERVICES)),
                      priority=draw(st.sampled_from(PRIORITIES)),
                      queued_at=float(draw(st.integers(0, 30))),  # coarse times: plenty of ties
                      target_counter=draw(targets))
            for i in ids]


def eligible(cands, services=SERVED):
    return [c for c in cands if c.target_counter is None and c.service in services]


@given(cands=candidate_lists(), policy=policies, streak=streaks)
def test_pick_is_always_eligible(cands, policy, streak):
    pick, _ = call(cands, policy=policy, streak=streak)
    direct = [c for c in cands if c.target_counter == COUNTER]
    if direct:
        assert pick in direct
        assert (pick.queued_at, pick.ticket_id) == min((c.queued_at, c.ticket_id) for c in direct)
    elif eligible(cands):
        assert pick in eligible(cands)
    else:
        assert pick is None


@given(cands=candidate_lists(), streak=streaks)
def test_fifo_picks_minimum_time_then_id(cands, streak):
    pick, new = call(cands, policy=Policy(mode="fifo"), streak=streak)
    assert new == streak
    if any(c.target_counter == COUNTER for c in cands):
        return
    el = eligible(cands)
    if not el:
        assert pick is None
    else:
        assert (pick.queued_at, pick.ticket_id) == min((c.queued_at, c.ticket_id) for c in el)


@given(cands=candidate_lists(), policy=policies, streak=streaks)
def test_streak_bookkeeping_property(cands, policy, streak):
    pick, new = call(cands, policy=policy, streak=streak)
    if pick is None or policy.mode == "fifo" or pick.target_counter == COUNTER:
        assert new == streak
    elif pick.is_priority:
        assert new == 0
    else:
        assert new == (streak or 0) + 1


@st.composite
def both_kinds_pool(draw):
    """Waiting tickets where at least one priority and one regular ticket are eligible, plus noise."""
    noise = draw(candidate_lists(targets=st.none() | st.sampled_from([1, 2, 4, 5]), max_size=6))
    base = draw(st.integers(20_000, 30_000))
    prio = Candidate(base, draw(st.sampled_from(SERVED)), draw(st.sampled_from(PRIORITIES[2:])),
                     float(draw(st.integers(0, 30))))
    reg = Candidate(base + 1, draw(st.sampled_from(SERVED)), "none", float(draw(st.integers(0, 30))))
    return noise + [prio, reg]


@given(pools=st.lists(both_kinds_pool(), min_size=1, max_size=25), every=st.integers(1, 5), streak=streaks)
def test_interleave_never_starves_either_kind(pools, every, streak):
    pol = Policy(mode="interleave", every=every)
    first_streak = streak
    kinds = []
    for pool in pools:
        pick, streak = call(pool, policy=pol, streak=streak)
        assert pick is not None
        kinds.append("P" if pick.is_priority else "R")
    pattern = "".join(kinds)
    assert "R" * (every + 1) not in pattern, pattern
    assert "PP" not in pattern, pattern
    leading_regulars = len(pattern) - len(pattern.lstrip("R"))
    if first_streak is None or first_streak >= every:
        assert leading_regulars == 0, pattern  # a priority ticket is due
    else:
        # the run of regular calls already under way may only be completed up to `every`
        assert first_streak + leading_regulars <= every, pattern


# --- people ahead and wait estimates --------------------------------------------------------------

class TestPeopleAhead:
    def test_counts_same_service_queued_earlier(self):
        waiting = [cand(1, "HT", at=10.0), cand(2, "HT", at=20.0), cand(3, "HT", prio="elderly", at=30.0),
                   cand(4, "DD", at=5.0), cand(5, "HT", at=999.0)]
        assert q.people_ahead(waiting, service="HT", priority="none", policy=Policy(), queued_at=100.0) == 3

    def test_nobody_waiting(self):
        assert q.people_ahead([], service="HT", priority="none", policy=Policy(), queued_at=100.0) == 0
        waiting = [cand(1, "DD", at=1.0)]
        assert q.people_ahead(waiting, service="HT", priority="elderly", policy=Policy(), queued_at=100.0) == 0

    def test_strict_priority_counts_only_priority_ahead(self):
        waiting = [cand(1, "HT", at=10.0), cand(2, "HT", prio="merit", at=20.0), cand(3, "HT", at=30.0),
                   cand(4, "HT", prio="pregnant", at=40.0), cand(5, "DD", prio="elderly", at=1.0)]
        strict = Policy(mode="strict")
        assert q.people_ahead(waiting, service="HT", priority="elderly", policy=strict, queued_at=100.0) == 2
        assert q.people_ahead(waiting, service="HT", priority="none", policy=strict, queued_at=100.0) == 4

    @pytest.mark.parametrize("mode", ["interleave", "fifo"])
    def test_non_strict_priority_counts_everyone_ahead(self, mode):
        waiting = [cand(1, "HT", at=10.0), cand(2, "HT", prio="merit", at=20.0), cand(3, "HT", at=30.0)]
        pol = Policy(mode=mode)
        assert q.people_ahead(waiting, service="HT", priority="elderly", policy=pol, queued_at=100.0) == 3


class TestEstimateWait:
    def test_three_ahead_two_counters(self):
        assert q.estimate_wait_s(3, avg_service_s=300.0, open_counters=2) == 600.0

    def test_nobody_ahead_is_zero(self):
        assert q.estimate_wait_s(0, avg_service_s=300.0, open_counters=2) == 0

    @pytest.mark.parametrize("open_counters", [0, -1])
    def test_no_open_counter_is_unknown(self, open_counters):
        assert q.estimate_wait_s(5, avg_service_s=300.0, open_counters=open_counters) is None
        assert q.estimate_wait_s(0, avg_service_s=300.0, open_counters=open_counters) is None

    @pytest.mark.parametrize(("ahead", "counters", "expected"), [
        (1, 1, 300.0), (4, 1, 1200.0), (1, 2, 300.0), (2, 2, 300.0), (4, 2, 600.0), (5, 2, 900.0), (7, 3, 900.0),
    ])
    def test_rounds_up_per_counter(self, ahead, counters, expected):
        assert q.estimate_wait_s(ahead, avg_service_s=300.0, open_counters=counters) == expected

    @given(ahead=st.integers(0, 200), counters=st.integers(1, 10), avg=st.floats(1, 3600))
    def test_more_people_never_shorter_more_counters_never_longer(self, ahead, counters, avg):
        w = q.estimate_wait_s(ahead, avg_service_s=avg, open_counters=counters)
        assert w >= 0
        assert q.estimate_wait_s(ahead + 1, avg_service_s=avg, open_counters=counters) >= w
        assert q.estimate_wait_s(ahead, avg_service_s=avg, open_counters=counters + 1) <= w


class TestAverageService:
    def test_mean_of_recent(self):
        assert q.average_service_s([200.0, 400.0, 300.0], default_s=600.0) == 300.0

    def test_default_before_any_known(self):
        assert q.average_service_s([], default_s=480.0) == 480.0

    def test_zero_and_negative_times_ignored(self):
        assert q.average_service_s([0.0, -5.0, 100.0, 300.0], default_s=600.0) == 200.0
        assert q.average_service_s([0.0, 0.0], default_s=600.0) == 600.0
