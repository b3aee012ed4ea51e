"""Vietnamese alphabetical order (motcua_core.collation), and the lists a person reads sorted by it."""

from __future__ import annotations

import json
import unicodedata

from motcua_core.collation import vi_key, vi_sorted


def test_letters_of_the_vietnamese_alphabet() -> None:
    assert vi_sorted(["đ", "e", "d", "ê", "ă", "b", "â", "a", "ơ", "ô", "o", "ư", "u", "y", "x", "v"]) == \
        ["a", "ă", "â", "b", "d", "đ", "e", "ê", "o", "ô", "ơ", "u", "ư", "v", "x", "y"]


def test_letters_first_then_tones_in_dictionary_order() -> None:
    assert vi_sorted(["Má", "Mạ", "Mã", "Ma", "Mả", "Mà"]) == ["Ma", "Mà", "Mả", "Mã", "Má", "Mạ"]
    # The letters of the whole name decide before any tone: "Cấp" < "Chứng" < "Công" (â < h < ô).
    assert vi_sorted(["Công nhận hòa giải viên", "Chứng thực bản sao", "Cấp Giấy xác nhận"]) == \
        ["Cấp Giấy xác nhận", "Chứng thực bản sao", "Công nhận hòa giải viên"]
    assert vi_sorted(["Đăng ký", "Dừng", "Ấn", "An"]) == ["An", "Ấn", "Dừng", "Đăng ký"]
    assert vi_sorted(["Cấp lại", "Cấp"]) == ["Cấp", "Cấp lại"]


def test_decomposed_text_sorts_like_composed() -> None:
    assert vi_key(unicodedata.normalize("NFD", "Nguyễn Văn Ánh")) == vi_key("Nguyễn Văn Ánh")


def test_the_starter_catalogue_search_lists_in_vietnamese_order() -> None:
    from hub.store.catalogue import STARTER
    from motcua_core.search import Index, make_entry

    docs = json.loads(STARTER.read_text(encoding="utf-8"))["procedures"]
    idx = Index.build([make_entry(d) for d in docs])
    same_rank = [e.name for e in idx.entries if e.rank == idx.entries[0].rank]
    assert same_rank == vi_sorted(same_rank) and len(same_rank) > 1
