"""Pure kiosk rules: the on-screen keyboard, dossier codes, the voting flow."""

from __future__ import annotations

from datetime import UTC

import pytest

from devicekit.ui.vnkeys import apply_key
from hub.domain.votes import DEFAULT_QUESTIONS
from kiosk.dossier import extract_code
from kiosk.voting import ASKING, IDLE, REASONS, THANKS, VoteFlow


def _type(keys: list[str]) -> str:
    text = ""
    for k in keys:
        text = apply_key(text, k)
    return text


def test_keyboard_composes_vietnamese() -> None:
    assert _type(["đ", "a", "n", "g", "space", "k", "y", "sắc"]) == "đang ký"
    assert _type(["ư", "ơ", "huyền"]) == "ườ"
    assert _type(["a", "hỏi", "ngã"]) == "ã"  # a second tone replaces the first
    assert _type(["a", "b", "backspace"]) == "a"
    assert _type(["a", "clear"]) == ""
    assert _type(["sắc"]) == ""  # a tone with nothing to sit on does nothing


@pytest.mark.parametrize("raw, code", [
    ("HOAAN-261123-0007", "HOAAN-261123-0007"),
    ("hoaan-261123-0007\r\n", "HOAAN-261123-0007"),
    ("https://motcua.example.vn/tra-cuu/dossiers/HOAAN-261123-0007", "HOAAN-261123-0007"),
    ("https://motcua.example.vn/tra-cuu?code=HOAAN-261123-0007", "HOAAN-261123-0007"),
    ("000.00.12.H01-260316-0001", "000.00.12.H01-260316-0001"),
])
def test_dossier_codes_from_keyboard_scanner_and_qr(raw: str, code: str) -> None:
    assert extract_code(raw) == code


@pytest.mark.parametrize("raw", ["", "ab", "mã hồ sơ", "'; DROP TABLE dossiers; --", "X" * 60])
def test_bad_dossier_codes_are_refused(raw: str) -> None:
    assert extract_code(raw) is None


def _open(flow: VoteFlow, tid: int = 7) -> bool:
    return flow.open({"ticket_id": tid, "ticket": "1001", "questions": DEFAULT_QUESTIONS, "timeout_s": 60})


def test_satisfied_vote_is_sent_at_once_and_only_once() -> None:
    flow = VoteFlow()
    assert _open(flow) and flow.state == ASKING
    assert flow.choose(4) == {"ticket_id": 7, "rating": 4, "reasons": []}
    assert flow.state == THANKS
    assert flow.choose(3) is None  # a second tap on the thank-you screen
    flow.reset()
    assert not _open(flow), "a repeated vote.open for a rated ticket must not ask again"


def test_not_satisfied_asks_reasons() -> None:
    flow = VoteFlow()
    _open(flow)
    assert flow.choose(1) is None and flow.state == REASONS
    flow.toggle_reason("waiting_time")
    flow.toggle_reason("attitude")
    flow.toggle_reason("attitude")
    assert flow.send() == {"ticket_id": 7, "rating": 1, "reasons": ["waiting_time"]}


def test_timeout_keeps_a_given_rating_and_drops_an_unanswered_vote() -> None:
    flow = VoteFlow()
    _open(flow, 1)
    flow.choose(1)
    assert flow.timeout() == {"ticket_id": 1, "rating": 1, "reasons": []}
    flow.reset()
    _open(flow, 2)
    assert flow.timeout() is None and flow.state == IDLE
    assert not _open(flow, 2)


@pytest.mark.clock
def test_kiosk_clock_uses_the_site_time_zone_not_the_device(monkeypatch) -> None:
    import time as _time
    from datetime import datetime

    from kiosk.i18n import site_clock

    monkeypatch.setenv("TZ", "UTC")
    _time.tzset()
    try:
        at = datetime(2026, 12, 1, 21, 44, tzinfo=UTC).timestamp()  # 04:44 on 2/12 in Hà Nội
        assert _time.strftime("%H:%M", _time.localtime(at)) == "21:44"  # what the Pi's own clock says
        assert site_clock({"timezone": "Asia/Ho_Chi_Minh"}, at) == "04:44"
        assert site_clock({}, at) == "04:44"  # no zone in the config yet: the national one
    finally:
        monkeypatch.delenv("TZ")
        _time.tzset()


def test_no_one_ahead_reads_as_no_one_waiting() -> None:
    from kiosk.i18n import ahead_text

    assert ahead_text(0) == "Không có ai chờ trước ông/bà" and "0" not in ahead_text(0, "en")
    assert ahead_text(3) == "Trước ông/bà còn 3 người"
