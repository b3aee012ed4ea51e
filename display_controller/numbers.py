"""Reading queue numbers aloud in Vietnamese, as a native speaker at a counter would (0–9999).

The rules, each covered by tests/display/test_numbers.py:
- 10–19 use "mười" (11 mười một, 15 mười lăm, 14 mười bốn); 20–99 use "mươi" (hai mươi).
- After "mươi", 1 is "mốt" (21 hai mươi mốt) and 5 is "lăm" (25 hai mươi lăm); after "mười", 5 is
  "lăm" too (15). After "linh/lẻ" they stay "một", "năm" (101 một trăm linh một, 105 … linh năm).
- After "mươi", 4 is "tư" in the north (24 hai mươi tư), "bốn" in the south; 14 is "mười bốn" in both.
  The north also says "linh tư" (104), the south "lẻ bốn".
- A zero tens digit before a unit is "linh" (north) / "lẻ" (south): 105 một trăm linh năm.
- Inside a thousand, a zero hundreds digit is read "không trăm": 1005 một nghìn không trăm linh năm,
  1050 một nghìn không trăm năm mươi. Round hundreds and thousands stop there: 1000 một nghìn,
  1100 một nghìn một trăm, 2000 hai nghìn.
- 1000 is "nghìn" (north) / "ngàn" (south).
- "nhăm" for 5 after "mươi" (hai mươi nhăm) is northern colloquial speech; formal announcements use
  "lăm", so it is an option (`Dialect.five_after_tens`), not the default.
"""

from __future__ import annotations

from dataclasses import dataclass

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


@dataclass(frozen=True)
class Dialect:
    name: str
    thousand: str  # nghìn / ngàn
    zero_tens: str  # linh / lẻ
    four_after_tens: str  # tư / bốn  (24, 34, …)
    four_after_zero_tens: str  # tư / bốn  (104: linh tư / lẻ bốn)
    five_after_tens: str = "lăm"  # lăm (formal) / nhăm (northern colloquial)


NORTH = Dialect("north", thousand="nghìn", zero_tens="linh", four_after_tens="tư", four_after_zero_tens="tư")
SOUTH = Dialect("south", thousand="ngàn", zero_tens="lẻ", four_after_tens="bốn", four_after_zero_tens="bốn")
DIALECTS = {"north": NORTH, "south": SOUTH}


def dialect(name: str) -> Dialect:
    try:
        return DIALECTS[name]
    except KeyError:
        raise ValueError(f"unknown dialect {name!r}: use north or south") from None


def _tens_units(n: int, d: Dialect, *, after_hundred: bool) -> list[str]:
    """Words for 0–99; `after_hundred` means a hundreds word precedes (so 5 → linh năm)."""
    tens, units = divmod(n, 10)
    if tens == 0:
        if units == 0:
            return []
        if not after_hundred:
            return [DIGITS[units]]
        return [d.zero_tens, d.four_after_zero_tens if units == 4 else DIGITS[units]]
    words = ["mười"] if tens == 1 else [DIGITS[tens], "mươi"]
    if units == 0:
        return words
    if units == 1:
        words.append("một" if tens == 1 else "mốt")
    elif units == 4:
        words.append("bốn" if tens == 1 else d.four_after_tens)
    elif units == 5:
        words.append("lăm" if tens == 1 else d.five_after_tens)
    else:
        words.append(DIGITS[units])
    return words


def read_number_words(n: int, d: Dialect = NORTH) -> list[str]:
    """The words for 0 ≤ n ≤ 9999, one list item per spoken word (each one voice-pack clip)."""
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 9999:
        raise ValueError(f"can only read whole numbers from 0 to 9999, got {n!r}")
    if n == 0:
        return ["không"]
    thousands, rest = divmod(n, 1000)
    hundreds, tens_units = divmod(rest, 100)
    words: list[str] = []
    if thousands:
        words += [DIGITS[thousands], d.thousand]
        if rest == 0:
            return words
        words += [DIGITS[hundreds], "trăm"]  # "không trăm" when hundreds is 0
        words += _tens_units(tens_units, d, after_hundred=True)
        return words
    if hundreds:
        words += [DIGITS[hundreds], "trăm"]
        words += _tens_units(tens_units, d, after_hundred=True)
        return words
    return _tens_units(tens_units, d, after_hundred=False)


def read_number(n: int, d: Dialect = NORTH) -> str:
    return " ".join(read_number_words(n, d))


# Vietnamese names of the letters a ticket prefix may use (A001): how a caller says them. F, J, W and Z
# are not letters of the Vietnamese alphabet but appear in prefixes and names; they are read the way
# Vietnamese speakers spell loanwords: ép, gi, vê kép, dét.
LETTER_NAMES = {
    "A": "a", "B": "bê", "C": "xê", "D": "dê", "Đ": "đê", "E": "e", "G": "giê", "H": "hát", "I": "i",
    "K": "ca", "L": "e-lờ", "M": "em-mờ", "N": "en-nờ", "O": "o", "P": "pê", "Q": "quy", "R": "e-rờ",
    "S": "ét-xì", "T": "tê", "U": "u", "V": "vê", "X": "ích-xì", "Y": "i dài",
    "F": "ép", "J": "gi", "W": "vê kép", "Z": "dét",
}


def read_ticket_words(ticket: str, d: Dialect = NORTH) -> list[str]:
    """A ticket label as spoken: "1005" → một nghìn không trăm linh năm; "A012" → a, mười hai.

    A letter prefix is spelled by its Vietnamese name, then the number is read by value (leading zeros
    are padding on the ticket, not something a caller reads out)."""
    label = ticket.strip().upper()
    i = 0
    while i < len(label) and not label[i].isdigit():
        i += 1
    prefix, digits = label[:i], label[i:]
    if not digits.isdigit() or any(ch not in LETTER_NAMES for ch in prefix):
        raise ValueError(f"cannot read ticket {ticket!r}: expected optional letters then 1–4 digits")
    words = [LETTER_NAMES[ch] for ch in prefix]
    return words + read_number_words(int(digits), d)
