"""Conditional and optional documents at intake (issue #13 item 2), over the real hub: a normal birth
registration needs neither the abandoned-child record nor the parents' marriage certificate, the
receipt lists only what was handed in, and a case the officer marks as applying makes its document due."""

from __future__ import annotations

from pathlib import Path

from counter_terminal.core import CounterCore
from counter_terminal.dossier_core import DossierCore
from tests.dossier.conftest import APPLICANT, DossierHub

BIRTH = "khai-sinh"
ABANDONED, MARRIAGE, ID_PAPERS = 2, 4, 3


def test_birth_registration_without_the_conditional_documents(dhub: DossierHub, tmp_path: Path) -> None:
    counter = CounterCore(dhub.h.device("counter", counter=1))
    counter.login("lan1", "1111")
    counter.open()
    desk = DossierCore(counter.session, tmp_path)
    proc = next(p for p in desk.search("dang ky khai sinh") if p["id"] == BIRTH)
    kinds = [d["kind"] for d in proc["documents"]]
    assert kinds == ["required", "required", "conditional", "show", "conditional"]  # the ID card is only shown
    assert proc["documents"][ABANDONED]["condition"] == "trường hợp trẻ bị bỏ rơi"
    assert proc["documents"][MARRIAGE]["condition"] == "nếu cha, mẹ đã đăng ký kết hôn"

    # The ID papers are only shown (xuất trình) and handed back: a dossier without them ticked is complete,
    # no supplement request asks for them, and the receipt lists what was handed in, nothing else.
    r = counter.session.request("dossier.intake", {"token": counter.session.officer_token, "procedure": BIRTH, "applicant": APPLICANT,
                                                   "documents": [0, 1], "options": {"on_spot": False}})
    assert r["complete"] is True
    listed = [d["name"] for d in r["receipt"]["documents"]]
    assert len(listed) == 2 and not any("bỏ rơi" in n or "kết hôn" in n or "tùy thân" in n for n in listed)
    # Missing a paper to hand in: the guidance sheet asks for that one alone, not for the ID papers.
    r = desk.intake(BIRTH, APPLICANT, [0])
    assert r["complete"] is False and len(r["missing"]) == 1 and r["missing"][0].startswith("Giấy chứng sinh")
    # The parents are married: the officer marks that case, and the certificate becomes due.
    r = counter.session.request("dossier.intake", {"token": counter.session.officer_token, "procedure": BIRTH, "applicant": APPLICANT,
                                                   "documents": [0, 1, ID_PAPERS], "options": {"applies": [MARRIAGE]}})
    assert r["complete"] is False and r["missing"] == [proc["documents"][MARRIAGE]["name"]]
