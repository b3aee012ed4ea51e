"""Procedure search on the kiosk's replica: without diacritics, any case, ranked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub.store.catalogue import STARTER
from kiosk.catalog import Catalog
from motcua_core.search import make_entry, search


@pytest.fixture(scope="module")
def entries():
    doc = json.loads(STARTER.read_text())
    return [make_entry(p) for p in doc["procedures"]]


@pytest.mark.parametrize("query", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "Dang Ky Khai Sinh", "  dang   ky khai sinh "])
def test_without_diacritics_finds_the_procedure_first(entries, query: str) -> None:
    assert search(entries, query)[0].name == "Đăng ký khai sinh"


def test_word_prefixes_as_typed_key_by_key(entries) -> None:
    assert search(entries, "ket h")[0].name == "Đăng ký kết hôn"
    assert search(entries, "khai t")[0].name == "Đăng ký khai tử"


def test_keywords_and_code_match_but_rank_below_names(entries) -> None:
    by_code = search(entries, "1.001193")
    assert by_code and by_code[0].name == "Đăng ký khai sinh"
    names = [e.name for e in search(entries, "giay khai sinh", 10)]
    assert "Đăng ký khai sinh" in names


def test_nothing_for_junk_and_sql(entries) -> None:
    assert search(entries, "") == []
    assert search(entries, "zzzqqq") == []
    assert search(entries, "' OR 1=1 --") == []


def test_replica_applies_full_then_delta_and_survives_reopen(tmp_path: Path) -> None:
    db = tmp_path / "catalog.db"
    cat = Catalog(db)
    proc = {"id": "khai-sinh", "name": "Đăng ký khai sinh", "field": "tu-phap", "agency": "UBND xã"}
    other = {"id": "ket-hon", "name": "Đăng ký kết hôn", "field": "tu-phap", "agency": "UBND xã"}
    cat.apply({"version": 3, "full": True, "fields": [{"code": "tu-phap", "name": "Tư pháp – Hộ tịch"}],
               "procedures": [proc, other], "removed": []})
    assert cat.version == 3 and len(cat) == 2
    cat.apply({"version": 4, "full": False, "fields": [], "procedures": [{**other, "name": "Đăng ký kết hôn (mới)"}],
               "removed": ["khai-sinh"]})
    cat.close()
    again = Catalog(db)
    assert again.version == 4
    assert [e.name for e in again.search("ket hon")] == ["Đăng ký kết hôn (mới)"]
    assert again.search("khai sinh") == []
    assert again.fields() == [{"code": "tu-phap", "name": "Tư pháp – Hộ tịch", "name_en": None, "count": 1}]


def test_words_typed_as_word_starts_and_inner_substrings_as_fallback(entries) -> None:
    assert all("hộ kinh doanh" in e.name for e in search(entries, "ho k", 4))
    assert search(entries, "hai sinh")[0].name == "Đăng ký khai sinh"  # no word starts "hai": substrings
    from motcua_core.text import fold

    assert all(any(w.startswith("k") for w in fold(e.name).split()) for e in search(entries, "k"))


def test_a_scan_that_stops_early_ranks_as_scoring_every_row() -> None:
    """_scan skips rows that cannot enter the top list; on a province-sized catalogue it must return
    exactly what scoring every row and sorting would, for every keystroke of what citizens type."""
    import random

    from motcua.bench.search import QUERIES, synthetic_catalogue
    from motcua_core.search import Index, _scan, score

    index = Index.build([make_entry(p) for p in synthetic_catalogue(1500)["procedures"]])
    rng = random.Random(5)
    typed = [q[:k] for q in QUERIES for k in range(1, len(q) + 1)]
    typed += [" ".join(rng.choice(e.name_f.split()) for _ in range(rng.randint(1, 3)))
              for e in rng.sample(index.entries, 150)]
    for q in typed:
        words = q.split()
        for limit in (30, 3):
            every = sorted((-score(e, q, words), i) for i, e in enumerate(index.entries)
                           if all(w in e.text_f for w in words))
            expected = [index.entries[i].id for _, i in every[:limit]]
            got = [e.id for e in _scan(index.entries, range(len(index.entries)), q, words, limit)]
            assert got == expected, q


def test_agency_chooser_merges_variants_of_one_agency(tmp_path) -> None:
    from kiosk.catalog import Catalog, agency_label

    assert agency_label("Chủ tịch Ủy ban nhân dân cấp xã") == "Ủy ban nhân dân cấp xã"
    assert agency_label("Ủy ban nhân dân cấp xã (hoặc Phòng Tư pháp cấp huyện)") == "Ủy ban nhân dân cấp xã"
    assert agency_label("Ủy ban nhân dân cấp xã hoặc Phòng Tư pháp cấp huyện nơi đã đăng ký") == \
        "Ủy ban nhân dân cấp xã"
    cat = Catalog(tmp_path / "c.db")
    procs = [{"id": f"p{i}", "name": f"Thủ tục {i}", "field": "tu-phap", "agency": a, "documents": []}
             for i, a in enumerate(["Ủy ban nhân dân cấp xã", "Chủ tịch Ủy ban nhân dân cấp xã",
                                    "Ủy ban nhân dân cấp xã (hoặc Phòng Tư pháp cấp huyện)",
                                    "Sở Tư pháp"])]
    cat.apply({"version": 1, "full": True, "procedures": procs, "removed": [], "fields": []})
    assert cat.agencies("tu-phap") == ["Sở Tư pháp", "Ủy ban nhân dân cấp xã"]
    assert {e.id for e in cat.in_field("tu-phap", "Ủy ban nhân dân cấp xã")} == {"p0", "p1", "p2"}


def test_lookup_shows_one_consistent_status() -> None:
    from kiosk.dossier import status_lines

    returned = {"status": "returned", "status_vi": "Đã trả kết quả", "ready": False,
                "due_at": "2026-12-02T17:00+07:00"}
    assert status_lines(returned) == ("Đã trả kết quả", None)
    going = {"status": "processing", "status_vi": "Đang giải quyết", "ready": False,
             "due_at": "2026-12-02T17:00+07:00"}
    assert status_lines(going) == ("Đang giải quyết", "Hẹn trả kết quả: 17:00 02/12/2026")
    ready = {"status": "ready", "status_vi": "Đã có kết quả, mời nhận", "ready": True,
             "where": "Bộ phận tiếp nhận và trả kết quả"}
    assert status_lines(ready)[1] == "Mời ông/bà đến nhận tại: Bộ phận tiếp nhận và trả kết quả"


def test_lookup_status_in_english() -> None:
    """Issue #13: a citizen who chose English reads the status in English, in the counter's words (the
    public view has no `outcome`: a refusal is known by its Vietnamese words)."""
    from kiosk.dossier import status_lines

    going = {"status": "processing", "status_vi": "Đang giải quyết", "ready": False,
             "due_at": "2026-12-02T17:00+07:00"}
    assert status_lines(going, "en") == ("Being processed", "Due: 17:00 02/12/2026")
    refused = {"status": "ready", "status_vi": "Có thông báo từ chối giải quyết, mời nhận lại hồ sơ", "ready": True,
               "where": "Bộ phận tiếp nhận và trả kết quả"}
    assert status_lines(refused, "en") == ("Refused: the notice and the documents are ready to collect",
                                           "Please collect it at: Bộ phận tiếp nhận và trả kết quả")
    newer = {"status": "archived", "status_vi": "Đã lưu trữ", "ready": False}  # a newer hub's status
    assert status_lines(newer, "en") == ("Đã lưu trữ", None)
