"""What the lobby shows, from the retained state and the newest call event."""

from __future__ import annotations

from datetime import datetime

from display_controller.lobby import date_vi, lobby_view

STATE = {
    "site_name": "Bộ phận một cửa", "notice": "Giờ làm việc…",
    "services": [{"code": "HT", "name": "Hộ tịch", "waiting": 2}, {"code": "CT", "name": "Chứng thực", "waiting": 0}],
    "counters": [{"number": 1, "name": "Quầy 1", "status": "open", "current": {"ticket": "1001", "service": "HT"}},
                 {"number": 2, "name": "Quầy 2", "status": "paused", "current": None}],
    "last_call": {"call_id": 7, "counter": 1, "ticket": "1001", "service": "HT"},
}


def test_newest_call_from_retained_state_is_highlighted() -> None:
    v = lobby_view(STATE)
    assert v.newest == "Mời số 1001 đến Quầy 1"
    assert [(t.ticket, t.service, t.newest) for t in v.tiles] == [("1001", "Hộ tịch", True), ("—", "", False)]
    assert v.waiting == (("Hộ tịch", 2), ("Chứng thực", 0))


def test_a_call_event_ahead_of_the_state_shows_at_once_but_an_old_one_does_not_override() -> None:
    call = {"call_id": 8, "counter": 2, "ticket": "2001", "service": "CT"}
    v = lobby_view(STATE, call)
    assert v.newest == "Mời số 2001 đến Quầy 2"
    assert [(t.ticket, t.newest) for t in v.tiles] == [("1001", False), ("2001", True)]
    old = {"call_id": 3, "counter": 2, "ticket": "2000", "service": "CT"}
    assert [t.ticket for t in lobby_view(STATE, old).tiles] == ["1001", "—"]


def test_vietnamese_date() -> None:
    assert date_vi(datetime(2026, 11, 23)) == "Thứ Hai, ngày 23/11/2026"
    assert date_vi(datetime(2026, 11, 29)) == "Chủ Nhật, ngày 29/11/2026"



def test_english_view_names_and_words() -> None:
    """Issue #13: the lobby's English words, the services' English names, "Counter N"."""
    state = {**STATE, "site_name_en": "Hoa An (demo)",
             "services": [{**STATE["services"][0], "name_en": "Civil status"}, STATE["services"][1]]}
    v = lobby_view(state, None, "en")
    assert v.site_name == "Hoa An (demo)"
    assert v.newest == "Number 1001, please go to Counter 1"
    assert [t.name for t in v.tiles] == ["Counter 1", "Counter 2"]
    assert v.tiles[0].service == "Civil status"
    assert v.waiting == (("Civil status", 2), ("Chứng thực", 0))  # no English name: the Vietnamese one


def test_the_lobby_names_counters_as_the_counter_terminal_does() -> None:
    """Issue #13: one rule (motcua_core.i18n.counter_name) for the lobby and the counter's own screen: a
    default name ("Quầy 1", or none) reads "Counter 1" in English, an office's own name is kept as it is."""
    from counter_terminal.words import counter_name as terminal_name
    from motcua_core.i18n import counter_name

    state = {**STATE, "counters": [
        {"number": 1, "name": "Quầy 1", "status": "open", "current": {"ticket": "1001", "service": "HT"}},
        {"number": 2, "name": None, "status": "open", "current": None},
        {"number": 5, "name": "Quầy tiếp dân", "status": "open", "current": None}],
        "last_call": {"call_id": 9, "counter": 5, "ticket": "1002", "service": "HT"}}
    for lang, names, newest in (("vi", ["Quầy 1", "Quầy 2", "Quầy tiếp dân"], "Mời số 1002 đến Quầy tiếp dân"),
                                ("en", ["Counter 1", "Counter 2", "Quầy tiếp dân"],
                                 "Number 1002, please go to Quầy tiếp dân")):
        v = lobby_view(state, None, lang)
        assert [t.name for t in v.tiles] == names and v.newest == newest
        assert names == [terminal_name(c["name"], c["number"]).text(lang) for c in state["counters"]] \
            == [counter_name(c["name"], c["number"], lang) for c in state["counters"]]
    gone = {"call_id": 10, "counter": 4, "ticket": "1003", "service": "HT"}  # a counter not in the state
    assert lobby_view(state, gone, "en").newest == "Number 1003, please go to Counter 4"
