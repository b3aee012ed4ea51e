"""Queue KPIs: percentiles, per-day summary, 15-minute target, per-group summaries."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.domain.kpi import WAIT_TARGET_S, TicketTimes, group_summaries, percentile, summarize

T0 = 1_700_000_000.0
WIKI_A = [15, 20, 35, 40, 50]
WIKI_B = [3, 6, 7, 8, 8, 10, 13, 15, 16, 20]


def tt(status: str = "done", *, wait: float | None = 60.0, service_s: float | None = 300.0, service: str = "HT",
       counter: int | None = 1, officer: str | None = "lan", issued: float = T0) -> TicketTimes:
    called = None if wait is None else issued + wait
    done = None if called is None or service_s is None else called + service_s
    return TicketTimes(service=service, counter=counter, officer=officer, status=status, issued_at=issued,
                       called_at=called, done_at=done)


class TestTicketTimes:
    def test_wait_and_service(self):
        t = tt(wait=120.0, service_s=400.0)
        assert t.wait_s == 120.0
        assert t.service_s == 400.0

    def test_not_called_has_no_times(self):
        t = tt("waiting", wait=None)
        assert t.wait_s is None and t.service_s is None

    def test_called_not_done_has_wait_only(self):
        t = tt("called", wait=30.0, service_s=None)
        assert t.wait_s == 30.0 and t.service_s is None


class TestPercentile:
    def test_empty_is_none(self):
        assert percentile([], 90) is None

    def test_single_value(self):
        for q in (0, 1, 50, 90, 100):
            assert percentile([42.0], q) == 42.0

    def test_extremes(self):
        assert percentile([5.0, 1.0, 3.0], 100) == 5.0
        assert percentile([5.0, 1.0, 3.0], 0) == 1.0

    def test_unsorted_input_not_modified(self):
        values = [30.0, 10.0, 20.0]
        percentile(values, 50)
        assert values == [30.0, 10.0, 20.0]

    @pytest.mark.parametrize(("q", "expected"), [(5, 15), (30, 20), (40, 20), (50, 35), (100, 50)])
    def test_nearest_rank_wikipedia_example_1(self, q, expected):
        assert percentile(WIKI_A, q) == expected

    @pytest.mark.parametrize(("q", "expected"), [(25, 7), (75, 15), (100, 20)])
    def test_nearest_rank_wikipedia_example_2(self, q, expected):
        assert percentile(WIKI_B, q) == expected

    def test_nearest_rank_wikipedia_example_2_median(self):
        assert percentile(WIKI_B, 50) == 8

    def test_p90_of_ten_values_is_the_ninth(self):
        assert percentile([float(x) for x in range(1, 11)], 90) == 9.0

    def test_nearest_rank_definition_exhaustive(self):
        wrong = []
        for n in range(1, 41):
            values = [float(v) for v in range(1, n + 1)]  # the k-th smallest value is k
            for q in range(1, 101):
                rank = math.ceil(Fraction(q * n, 100))
                if percentile(values, q) != rank:
                    wrong.append((n, q, percentile(values, q), rank))
        assert wrong == []  # e.g. (2, 50, 2.0, 1): the median of two values is reported as the larger one

    @given(values=st.lists(st.integers(0, 10_000), min_size=1, max_size=40), q=st.integers(1, 100))
    def test_nearest_rank_when_rank_is_not_a_whole_number(self, values, q):
        # the cases the code gets right: q% of n is not a whole number
        exact = Fraction(q * len(values), 100)
        if exact.denominator == 1:
            return
        assert percentile(values, q) == sorted(values)[math.ceil(exact) - 1]

    @given(values=st.lists(st.integers(0, 10_000), min_size=1, max_size=40), q=st.integers(0, 100))
    def test_result_is_one_of_the_values_and_monotonic(self, values, q):
        p = percentile(values, q)
        assert p in values
        assert min(values) <= p <= max(values)
        if q < 100:
            assert percentile(values, q + 1) >= p


class TestSummarize:
    def test_empty_day(self):
        s = summarize([])
        assert s == {"issued": 0, "served": 0, "no_show": 0, "waiting_now": 0, "wait_avg_s": None,
                     "wait_p90_s": None, "wait_max_s": None, "wait_within_target": None, "service_avg_s": None}

    def test_counts(self):
        tickets = [tt("done"), tt("done"), tt("done"), tt("no_show", service_s=None),
                   tt("waiting", wait=None), tt("waiting", wait=None), tt("called", service_s=None),
                   tt("held", service_s=None), tt("expired", wait=None)]
        s = summarize(tickets)
        assert (s["issued"], s["served"], s["no_show"], s["waiting_now"]) == (9, 3, 1, 2)

    def test_accepts_any_iterable(self):
        s = summarize(tt() for _ in range(4))
        assert s["issued"] == 4 and s["served"] == 4

    def test_wait_times_only_from_called_tickets(self):
        tickets = [tt(wait=60.0), tt(wait=120.0), tt(wait=300.0, status="no_show", service_s=None),
                   tt("waiting", wait=None)]
        s = summarize(tickets)
        assert s["wait_avg_s"] == 160.0
        assert s["wait_max_s"] == 300.0

    def test_service_time_only_from_finished_tickets(self):
        tickets = [tt(service_s=200.0), tt(service_s=400.0), tt("called", service_s=None),
                   tt("waiting", wait=None)]
        assert summarize(tickets)["service_avg_s"] == 300.0

    def test_averages_rounded_to_one_decimal(self):
        s = summarize([tt(wait=10.0, service_s=100.0), tt(wait=10.0, service_s=100.0),
                       tt(wait=11.0, service_s=101.0)])
        assert s["wait_avg_s"] == 10.3
        assert s["service_avg_s"] == 100.3

    def test_wait_within_fifteen_minute_target(self):
        assert WAIT_TARGET_S == 900
        tickets = [tt(wait=60.0), tt(wait=899.0), tt(wait=900.0), tt(wait=901.0), tt(wait=3600.0)]
        assert summarize(tickets)["wait_within_target"] == 0.6

    def test_wait_within_target_rounded(self):
        tickets = [tt(wait=60.0), tt(wait=60.0), tt(wait=1000.0)]
        assert summarize(tickets)["wait_within_target"] == 0.6667

    def test_all_within_and_none_within(self):
        assert summarize([tt(wait=1.0), tt(wait=2.0)])["wait_within_target"] == 1.0
        assert summarize([tt(wait=901.0)])["wait_within_target"] == 0.0

    def test_not_called_tickets_do_not_change_target_share(self):
        base = [tt(wait=60.0), tt(wait=1200.0)]
        assert summarize(base)["wait_within_target"] == summarize(
            base + [tt("waiting", wait=None)])["wait_within_target"] == 0.5

    def test_p90_with_few_values(self):
        # 5 waits: ceil(0.9 * 5) = 5th value
        waits = [60.0, 120.0, 180.0, 240.0, 1200.0]
        assert summarize([tt(wait=w) for w in waits])["wait_p90_s"] == 1200.0

    def test_p90_of_ten_waits_is_not_the_single_worst(self):
        waits = [60.0 * i for i in range(1, 10)] + [5400.0]  # one citizen waited 1.5 h
        assert summarize([tt(wait=w) for w in waits])["wait_p90_s"] == 540.0


class TestGroupSummaries:
    def test_by_service(self):
        tickets = [tt(service="HT", wait=60.0), tt(service="HT", wait=120.0), tt(service="DD", wait=1000.0)]
        g = group_summaries(tickets, lambda t: t.service)
        assert set(g) == {"HT", "DD"}
        assert g["HT"]["issued"] == 2 and g["HT"]["wait_avg_s"] == 90.0
        assert g["DD"]["issued"] == 1 and g["DD"]["wait_within_target"] == 0.0

    def test_none_keys_skipped(self):
        tickets = [tt(counter=1), tt(counter=None, status="waiting", wait=None), tt(counter=2), tt(counter=1)]
        g = group_summaries(tickets, lambda t: t.counter)
        assert set(g) == {"1", "2"}
        assert g["1"]["issued"] == 2 and g["2"]["issued"] == 1
        assert sum(v["issued"] for v in g.values()) == 3

    def test_keys_are_strings(self):
        g = group_summaries([tt(counter=7)], lambda t: t.counter)
        assert list(g) == ["7"]

    def test_officer_none_skipped(self):
        tickets = [tt(officer="lan"), tt(officer=None), tt(officer="minh"), tt(officer="lan", status="no_show")]
        g = group_summaries(tickets, lambda t: t.officer)
        assert set(g) == {"lan", "minh"}
        assert (g["lan"]["served"], g["lan"]["no_show"]) == (1, 1)

    def test_empty(self):
        assert group_summaries([], lambda t: t.service) == {}
        assert group_summaries([tt(counter=None)], lambda t: t.counter) == {}

    def test_group_equals_summary_of_its_tickets(self):
        tickets = [tt(service="HT", wait=60.0), tt(service="DD", wait=30.0), tt(service="HT", wait=1500.0)]
        g = group_summaries(iter(tickets), lambda t: t.service)
        assert g["HT"] == summarize([t for t in tickets if t.service == "HT"])


def test_accumulate_counts_each_group_and_the_service_level_like_the_dashboard() -> None:
    """The one rule of the dashboard and the reports: called within the service's target is met; never
    called but waiting (to now) or expired at the close (to its done_at) past the target is due and missed."""
    from hub.domain.kpi import accumulate, figures

    now = 10_000.0
    t = [TicketTimes("HT", 1, "lan", "done", 0, 600, 900),  # waited 10 min: met
         TicketTimes("HT", 1, "lan", "no_show", 0, 1200, 1260),  # 20 min: due, missed
         TicketTimes("CT", 2, "hung", "done", 0, 1500, 1800),  # 25 min, CT's target 30 min: met
         TicketTimes("CT", None, None, "waiting", now - 100, None, None),  # waiting 100 s: not yet due
         TicketTimes("HT", None, None, "expired", 0, None, 3000)]  # expired after 50 min: due, missed
    total, groups = accumulate(t, {"CT": 1800}, now, {"service": lambda x: x.service, "officer": lambda x: x.officer})
    f = figures(total)
    assert (f["issued"], f["served"], f["no_show"], f["waiting"]) == (5, 2, 1, 1)
    assert f["avg_wait_s"] == round((600 + 1200 + 1500) / 3) and f["longest_wait_s"] == 1500
    assert f["on_time_rate"] == round(2 / 4, 3)  # met: the first and the third; due: those two, 20 min, expired
    assert figures(groups["service"]["CT"])["on_time_rate"] == 1.0
    assert set(groups["officer"]) == {"lan", "hung"}  # tickets of no officer are left out of that grouping
    assert figures(accumulate([], {}, now)[0]) == {"issued": 0, "served": 0, "no_show": 0, "waiting": 0,
                                                   "avg_wait_s": None, "longest_wait_s": None, "on_time_rate": None}
