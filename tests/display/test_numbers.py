"""Vietnamese reading of queue numbers, 0–9999, northern and southern, as a native speaker reads them."""

from __future__ import annotations

import pytest

from display_controller.numbers import (
    NORTH,
    SOUTH,
    Dialect,
    read_number,
    read_number_words,
    read_ticket_words,
)

# (number, northern reading, southern reading) — how a caller at a Vietnamese office says them.
CASES = [
    (0, "không", "không"),
    (1, "một", "một"),
    (4, "bốn", "bốn"),
    (5, "năm", "năm"),
    (10, "mười", "mười"),
    (11, "mười một", "mười một"),  # not "mười mốt"
    (14, "mười bốn", "mười bốn"),  # not "mười tư"
    (15, "mười lăm", "mười lăm"),
    (20, "hai mươi", "hai mươi"),
    (21, "hai mươi mốt", "hai mươi mốt"),
    (24, "hai mươi tư", "hai mươi bốn"),
    (25, "hai mươi lăm", "hai mươi lăm"),
    (31, "ba mươi mốt", "ba mươi mốt"),
    (55, "năm mươi lăm", "năm mươi lăm"),
    (70, "bảy mươi", "bảy mươi"),
    (100, "một trăm", "một trăm"),
    (101, "một trăm linh một", "một trăm lẻ một"),
    (104, "một trăm linh tư", "một trăm lẻ bốn"),
    (105, "một trăm linh năm", "một trăm lẻ năm"),
    (110, "một trăm mười", "một trăm mười"),
    (111, "một trăm mười một", "một trăm mười một"),
    (115, "một trăm mười lăm", "một trăm mười lăm"),
    (121, "một trăm hai mươi mốt", "một trăm hai mươi mốt"),
    (500, "năm trăm", "năm trăm"),
    (999, "chín trăm chín mươi chín", "chín trăm chín mươi chín"),
    (1000, "một nghìn", "một ngàn"),
    (1001, "một nghìn không trăm linh một", "một ngàn không trăm lẻ một"),
    (1005, "một nghìn không trăm linh năm", "một ngàn không trăm lẻ năm"),
    (1010, "một nghìn không trăm mười", "một ngàn không trăm mười"),
    (1015, "một nghìn không trăm mười lăm", "một ngàn không trăm mười lăm"),
    (1021, "một nghìn không trăm hai mươi mốt", "một ngàn không trăm hai mươi mốt"),
    (1050, "một nghìn không trăm năm mươi", "một ngàn không trăm năm mươi"),
    (1100, "một nghìn một trăm", "một ngàn một trăm"),
    (1105, "một nghìn một trăm linh năm", "một ngàn một trăm lẻ năm"),
    (1234, "một nghìn hai trăm ba mươi tư", "một ngàn hai trăm ba mươi bốn"),
    (2000, "hai nghìn", "hai ngàn"),
    (2024, "hai nghìn không trăm hai mươi tư", "hai ngàn không trăm hai mươi bốn"),
    (5555, "năm nghìn năm trăm năm mươi lăm", "năm ngàn năm trăm năm mươi lăm"),
    (7004, "bảy nghìn không trăm linh tư", "bảy ngàn không trăm lẻ bốn"),
    (9999, "chín nghìn chín trăm chín mươi chín", "chín ngàn chín trăm chín mươi chín"),
]


@pytest.mark.parametrize(("n", "north", "south"), CASES)
def test_known_readings(n: int, north: str, south: str) -> None:
    assert read_number(n, NORTH) == north
    assert read_number(n, SOUTH) == south


UNITS = {"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5, "nhăm": 5,
         "sáu": 6, "bảy": 7, "tám": 8, "chín": 9}


def parse(words: list[str], d: Dialect) -> int:
    """An independent listener: turns the words back into a number, refusing forms a speaker never uses."""
    total, i = 0, 0
    if len(words) >= 2 and words[1] == d.thousand:
        total += 1000 * UNITS[words[0]]
        i = 2
    if i + 1 < len(words) and words[i + 1] == "trăm":
        total += 100 * UNITS[words[i]]
        i += 2
    rest = words[i:]
    if not rest:
        return total
    if rest[0] == d.zero_tens:
        assert len(rest) == 2 and rest[1] not in ("mốt", "lăm", "không"), words
        return total + UNITS[rest[1]]
    if rest[0] == "mười":
        assert len(rest) <= 2 and (len(rest) == 1 or rest[1] not in ("mốt", "tư", "năm", "không")), words
        return total + 10 + (UNITS[rest[1]] if len(rest) == 2 else 0)
    if len(rest) >= 2 and rest[1] == "mươi":
        assert rest[0] not in ("không", "một"), words
        if len(rest) == 3:
            assert rest[2] not in ("một", "năm", "không"), words  # mốt and lăm after mươi
        return total + 10 * UNITS[rest[0]] + (UNITS[rest[2]] if len(rest) == 3 else 0)
    assert len(rest) == 1 and total == 0, words
    return UNITS[rest[0]]


@pytest.mark.parametrize("d", [NORTH, SOUTH], ids=["north", "south"])
def test_every_number_reads_back_and_follows_the_rules(d: Dialect) -> None:
    other = SOUTH if d is NORTH else NORTH
    seen: set[str] = set()
    for n in range(10000):
        words = read_number_words(n, d)
        assert parse(words, d) == n, (n, words)
        text = " ".join(words)
        assert text not in seen
        seen.add(text)
        assert other.thousand not in words and other.zero_tens not in words
        thousands, hundreds, tens, units = n // 1000, n // 100 % 10, n // 10 % 10, n % 10
        assert ("không trăm" in text) == (thousands > 0 and hundreds == 0 and n % 1000 != 0), n
        assert (d.zero_tens in words) == (n >= 100 and tens == 0 and units != 0), n
        if n % 1000 == 0 and n:
            assert words == [words[0], d.thousand]
        if d is NORTH:  # a final 4 is "tư" except in 4 itself and after mười (14, 114, …)
            assert words[-1] != "bốn" or tens == 1 or n < 10, n
        else:
            assert "tư" not in words, n
        assert "nhăm" not in words  # colloquial; never in a formal announcement


def test_colloquial_nham_is_an_option() -> None:
    from dataclasses import replace

    colloquial = replace(NORTH, five_after_tens="nhăm")
    assert read_number(25, colloquial) == "hai mươi nhăm"
    assert read_number(15, colloquial) == "mười lăm"  # after mười it is always lăm
    assert read_number(105, colloquial) == "một trăm linh năm"


def test_ticket_labels() -> None:
    assert read_ticket_words("1005") == ["một", "nghìn", "không", "trăm", "linh", "năm"]
    assert read_ticket_words("A012", SOUTH) == ["a", "mười", "hai"]
    assert read_ticket_words("B001") == ["bê", "một"]
    for bad in ("", "12345", "1,5", "Ω12", "A"):
        with pytest.raises(ValueError):
            read_ticket_words(bad)


@pytest.mark.parametrize("bad", [-1, 10000, 3.0, True, "12"])
def test_out_of_range_is_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        read_number_words(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("ticket, first", [("F012", "ép"), ("J001", "gi"), ("W105", "vê kép"), ("Z020", "dét")])
def test_letters_outside_the_vietnamese_alphabet_have_a_reading(ticket: str, first: str) -> None:
    from display_controller.numbers import read_ticket_words

    words = read_ticket_words(ticket)
    assert words[0] == first and len(words) > 1
    from display_controller.sentence import build

    a = build(ticket, 3, NORTH)
    assert a.text.startswith(f"Mời công dân có số thứ tự {first} ") and a.text.endswith("đến quầy số ba.")


def test_every_latin_prefix_letter_can_be_read() -> None:
    from display_controller.numbers import read_ticket_words

    for ch in "ABCDĐEFGHIJKLMNOPQRSTUVWXYZ":
        assert read_ticket_words(f"{ch}1")[-1] == "một"
