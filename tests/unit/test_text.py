"""Vietnamese text folding for search: "dang ky khai sinh" must find "Đăng ký khai sinh"."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua_core.text import fold

# The 29 letters of the Vietnamese alphabet (plus f, j, w, z used in loanwords and names).
BASE_LOWER = "aăâbcdđeêghiklmnoôơpqrstuưvxy" + "fjwz"
VOWELS_LOWER = "aăâeêioôơuưy"
TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # none, huyền, sắc, hỏi, ngã, nặng


def _all_letters() -> list[str]:
    letters = set()
    for ch in BASE_LOWER:
        letters.add(ch)
        letters.add(ch.upper())
    for v in VOWELS_LOWER:
        for tone in TONES:
            for case in (v, v.upper()):
                letters.add(unicodedata.normalize("NFC", case + tone))
    return sorted(letters)


VIET_LETTERS = _all_letters()
SEPARATORS = [" ", "  ", "\t", "\n", "\u00a0", "-", ",", "."]


def test_alphabet_is_complete():
    # 12 vowels × 6 tones × 2 cases + the other letters in both cases, all single code points in NFC
    assert len(VIET_LETTERS) == 12 * 6 * 2 + (len(BASE_LOWER) - len(VOWELS_LOWER)) * 2
    assert all(len(ch) == 1 for ch in VIET_LETTERS)
    for ch in "ắằẳẵặấầẩẫậếềểễệốồổỗộớờởỡợứừửữựỳýỷỹỵđĐ":
        assert ch in VIET_LETTERS


@pytest.mark.parametrize(("text", "expected"), [
    ("Đăng ký khai sinh", "dang ky khai sinh"),
    ("ĐẤT ĐAI", "dat dai"),
    ("Hộ tịch", "ho tich"),
    ("Cấp giấy chứng nhận quyền sử dụng đất", "cap giay chung nhan quyen su dung dat"),
    ("Lý lịch tư pháp", "ly lich tu phap"),
    ("Xây dựng", "xay dung"),
    ("Người ưu tiên", "nguoi uu tien"),
    ("Thủ tục hành chính", "thu tuc hanh chinh"),
    ("Bảo trợ xã hội", "bao tro xa hoi"),
    ("", ""),
    ("dang ky khai sinh", "dang ky khai sinh"),
])
def test_fold_examples(text, expected):
    assert fold(text) == expected


def test_extra_spaces_squeezed_and_trimmed():
    assert fold("  Đăng   ký \t khai\n sinh  ") == "dang ky khai sinh"
    assert fold("Đăng\u00a0ký") == "dang ky"  # no-break space from copy-paste
    assert fold("   ") == ""


def test_punctuation_and_digits_kept():
    assert fold("Đăng ký kết hôn (có yếu tố nước ngoài) - 2024") == "dang ky ket hon (co yeu to nuoc ngoai) - 2024"


@pytest.mark.parametrize("text", ["Đăng ký khai sinh", "ĐẤT ĐAI", "Quyền sử dụng đất", "Ưu tiên người cao tuổi",
                                  "Giấy chứng nhận", "Hỗ trợ"])
def test_nfc_and_nfd_input_fold_the_same(text):
    nfc = unicodedata.normalize("NFC", text)
    nfd = unicodedata.normalize("NFD", text)
    assert nfc != nfd
    assert fold(nfc) == fold(nfd) == fold(text)


def test_search_query_matches_title_either_way():
    title = "Đăng ký khai sinh"
    for query in ("dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "Dang Ky Khai Sinh", "đăng ký khai sinh"):
        assert fold(query) == fold(title)


viet_words = st.lists(st.sampled_from(VIET_LETTERS), min_size=1, max_size=8).map("".join)
viet_text = st.lists(st.tuples(viet_words, st.sampled_from(SEPARATORS)), max_size=8).map(
    lambda parts: "".join(w + s for w, s in parts))


@given(viet_text)
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


@given(viet_text)
def test_fold_output_is_plain_lowercase_ascii(text):
    out = fold(text)
    assert out.isascii()
    assert out == out.lower()
    assert "  " not in out
    assert out == out.strip()


@given(viet_text, st.sampled_from(["NFC", "NFD", "NFKC", "NFKD"]))
def test_fold_ignores_normalization_form(text, form):
    assert fold(unicodedata.normalize(form, text)) == fold(text)


@given(viet_words)
def test_fold_keeps_one_letter_per_letter(word):
    # each Vietnamese letter folds to exactly one ASCII letter, so words keep their length
    assert len(fold(word)) == len(word)


@given(st.text(max_size=30))
def test_fold_is_idempotent_on_any_text(text):
    assert fold(fold(text)) == fold(text)


def test_nfc_normalises_every_string_inside_request_data() -> None:
    from motcua_core.text import nfc

    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hồng Nhung")
    assert nfd != "Nguyễn Thị Hồng Nhung"
    data = {"applicant": {"name": nfd, "tags": [nfd, 3]}, unicodedata.normalize("NFD", "lý_do"): nfd, "n": 1}
    out = nfc(data)
    assert out == {"applicant": {"name": "Nguyễn Thị Hồng Nhung", "tags": ["Nguyễn Thị Hồng Nhung", 3]},
                   "lý_do": "Nguyễn Thị Hồng Nhung", "n": 1}
    assert fold(out["applicant"]["name"]) == fold("Nguyen Thi Hong Nhung".lower())


def test_verb_validate_returns_nfc_text() -> None:
    from hub.mqtt.verbs import VERBS

    nfd = unicodedata.normalize("NFD", "Hộ tịch")
    data = {"q": nfd}
    VERBS["procedure.search"].validate(data)  # in place: the router keeps its own reference to data
    assert data["q"] == "Hộ tịch" and len(data["q"]) == 7
