"""The counter's words (issue #13: an English option): one table, both languages filled alike, and the
rule for showing a hub refusal in English."""

from __future__ import annotations

from string import Formatter

import pytest

from counter_terminal.actions import ACTIONS, result_message
from counter_terminal.words import WORDS, counter_name, refusal, say
from kiosk.i18n import STRINGS
from motcua_core.errors import DomainError, RequestError


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


@pytest.mark.parametrize("table", [WORDS, STRINGS], ids=["counter", "kiosk"])
def test_every_entry_has_both_languages_with_the_same_blanks(table: dict[str, tuple[str, str]]) -> None:
    for key, (vi, en) in table.items():
        assert vi.strip() and en.strip(), key
        assert _fields(vi) == _fields(en), f"{key}: {vi!r} and {en!r} fill in different values"


def test_every_action_has_a_label_in_both_languages() -> None:
    for name, action in ACTIONS.items():
        assert action.label.vi and action.label.en and action.label.vi != action.label.en, name


def test_a_message_holds_both_languages_and_its_values_follow() -> None:
    ticket = {"number": "1001", "service_name": "Hộ tịch", "service_name_en": "Civil status"}
    said = result_message("next", {"ticket": ticket})
    assert (said.vi, said.en) == ("Đang mời số 1001 (Hộ tịch).", "Calling number 1001 (Civil status).")
    no_en = result_message("next", {"ticket": {**ticket, "service_name_en": None}})
    assert no_en.en == "Calling number 1001 (Hộ tịch)."  # a site without English names keeps its own
    moved = say("transferred", number="1001", where=say("to_counter", n=3))
    assert moved.text("vi") == "Đã chuyển số 1001 sang quầy 3." and moved.text("en").endswith("to counter 3.")


def test_a_refusal_is_shown_in_english_when_the_hub_gave_english() -> None:
    bad = refusal(RequestError("auth_failed", "bad username or PIN", "Tên đăng nhập hoặc mã PIN không đúng."))
    assert (bad.vi, bad.en) == ("Tên đăng nhập hoặc mã PIN không đúng.", "Bad username or PIN.")
    bare = refusal(RequestError("locked"))  # no English message: the Vietnamese one, in both
    assert bare.vi == bare.en == "Tài khoản đang tạm khóa. Vui lòng thử lại sau."
    local = refusal(DomainError("bad_request", "invalid QR", "Mã QR không hợp lệ."))
    assert (local.vi, local.en) == ("Mã QR không hợp lệ.", "Invalid QR.")


def test_a_default_counter_name_reads_in_english() -> None:
    assert counter_name("Quầy 2", 2) == say("counter", n=2)
    assert counter_name("Quầy 2", 2).en == "Counter 2"
    assert counter_name("Quầy tiếp dân", 3).en == "Quầy tiếp dân"  # the office's own name is kept
