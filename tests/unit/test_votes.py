"""Vote rules on the hub (hub/domain/votes.py): what a valid answer is, and the satisfied share."""

from __future__ import annotations

import pytest

from hub.domain.votes import DEFAULT_QUESTIONS, check_vote, summarize
from motcua_core.errors import DomainError

EXTRA = [*DEFAULT_QUESTIONS, {"id": "officer", "text_vi": "Cán bộ có hướng dẫn rõ ràng không?",
                              "options": [{"value": 1, "vi": "Có"}, {"value": 0, "vi": "Không"}]}]


def test_default_questions_are_the_four_levels() -> None:
    assert [o["vi"] for o in DEFAULT_QUESTIONS[0]["options"]] == [
        "Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng"]


def test_valid_votes_are_cleaned() -> None:
    assert check_vote(4, [], None, None, DEFAULT_QUESTIONS) == (4, [], {})
    assert check_vote(1, ["attitude", "attitude", "guidance"], None, "", DEFAULT_QUESTIONS) == (
        1, ["attitude", "guidance"], {})
    assert check_vote(3, [], {"officer": 0}, None, EXTRA) == (3, [], {"officer": 0})


@pytest.mark.parametrize("rating, reasons, answers, comment", [
    (5, [], None, None), (0, [], None, None), (1, ["bribe"], None, None), (3, ["attitude"], None, None),
    (4, "attitude", None, None), (4, [], {"officer": 2}, None), (4, [], {"nope": 1}, None), (4, [], None, "x" * 201),
])
def test_invalid_votes_are_refused_in_vietnamese(rating, reasons, answers, comment) -> None:
    with pytest.raises(DomainError) as err:
        check_vote(rating, reasons, answers, comment, EXTRA)
    assert err.value.code == "bad_request" and err.value.message_vi


def test_summary_counts_satisfied_as_the_two_top_levels() -> None:
    assert summarize([4, 3, 2, 1]) == {"votes": 4, "by_rating": {"4": 1, "3": 1, "2": 1, "1": 1}, "satisfied_pct": 50.0}
    assert summarize([])["satisfied_pct"] is None
