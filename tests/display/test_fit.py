"""The lobby's text-fitting rules (pure): wrap at words, shorten names by rule, page notices by sentence."""

from __future__ import annotations

from devicekit.ui.fit import fit, pages, shortened


def mono(text: str, px: int) -> tuple[float, float]:
    """A stand-in measure: every character 0.5 em wide, lines 1.2 em high."""
    return len(text) * px * 0.5, px * 1.2


def test_long_name_wraps_at_words_then_is_shortened_by_rule() -> None:
    name = "Lao động – Thương binh và Xã hội"
    assert shortened(name) == ["Lao động – TB&XH", "LĐ – TB&XH", "LĐ-TB&XH"]
    two = fit(name, (200, 60), (24, 20), mono, max_lines=2)
    assert len(two.lines) == 2 and all(" ".join(two.lines).split()) and " ".join(two.lines) == name
    assert all(mono(line, two.font_px)[0] <= 200 for line in two.lines)
    one = fit(name, (170, 30), (24, 20), mono, max_lines=1)
    assert one.text == "Lao động – TB&XH" and one.font_px >= 20
    assert fit("Đăng ký kinh doanh", (100, 30), (24, 20), mono).text == "ĐKKD"


def test_figures_and_plain_words_are_never_abbreviated() -> None:
    assert shortened("0 / 12 lượt") == [] and shortened("Chủ Nhật, ngày 06/12/2026") == []
    cut = fit("Hồ sơ đã có kết quả hôm nay", (150, 30), (24, 20), mono, shorten=False)
    assert cut.text.endswith("…") and mono(cut.text, 20)[0] <= 150


def test_notice_pages_end_at_sentences() -> None:
    notice = ("Giờ làm việc: sáng 7:30–11:30, chiều 13:00–17:00, từ thứ Hai đến thứ Sáu. "
              "Người cao tuổi, người khuyết tật, phụ nữ mang thai được ưu tiên.")
    got = pages(notice, lambda t: len(t) <= 80)
    assert got == ["Giờ làm việc: sáng 7:30–11:30, chiều 13:00–17:00, từ thứ Hai đến thứ Sáu.",
                   "Người cao tuổi, người khuyết tật, phụ nữ mang thai được ưu tiên."]
    narrow = pages(notice, lambda t: len(t) <= 40)
    assert all(p.endswith((".", ",")) for p in narrow), narrow  # split at clauses, never mid-phrase
    assert " ".join(narrow) == notice
