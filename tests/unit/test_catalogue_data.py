"""Checks on the starter procedure catalogue shipped in hub/data/catalogue.json."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

CATALOGUE = Path(__file__).resolve().parents[2] / "hub" / "data" / "catalogue.json"

FIELD_CODES = {
    "tu-phap",
    "dat-dai",
    "xay-dung",
    "kinh-doanh",
    "noi-vu",
    "lao-dong",
    "nong-nghiep",
    "van-hoa",
}
MIN_PROCEDURES = 110
MIN_PER_FIELD = 8
MIN_LIEN_THONG = 6
CODE_RE = re.compile(r"^\d\.\d{6}$")
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

REQUIRED_KEYS = {
    "id": str,
    "code": (str, type(None)),
    "name": str,
    "name_en": str,
    "field": str,
    "level": str,
    "agency": str,
    "processing_days": (int, float, type(None)),
    "processing_note": (str, type(None)),
    "fee": str,
    "fee_vnd": (int, type(None)),
    "documents": list,
    "forms": list,
    "result": str,
    "online_level": str,
    "post_return": bool,
    "legal_basis": list,
    "keywords": list,
    "steps": (list, type(None)),
}


@pytest.fixture(scope="module")
def catalogue() -> dict:
    with CATALOGUE.open(encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def procedures(catalogue: dict) -> list[dict]:
    return catalogue["procedures"]


def test_top_level_shape(catalogue: dict) -> None:
    assert catalogue["version"] == 1
    assert isinstance(catalogue["note"], str) and catalogue["note"]
    assert isinstance(catalogue["procedures"], list)
    fields = catalogue["fields"]
    assert isinstance(fields, list)
    assert {f["code"] for f in fields} == FIELD_CODES
    assert len(fields) == len(FIELD_CODES)
    for f in fields:
        assert isinstance(f["name"], str) and f["name"].strip()
        assert isinstance(f["name_en"], str) and f["name_en"].strip()


def test_enough_procedures(procedures: list[dict]) -> None:
    assert len(procedures) >= MIN_PROCEDURES


def test_schema_of_every_procedure(procedures: list[dict]) -> None:
    for p in procedures:
        pid = p.get("id", "?")
        missing = set(REQUIRED_KEYS) - set(p)
        assert not missing, f"{pid}: missing keys {sorted(missing)}"
        for key, types in REQUIRED_KEYS.items():
            value = p[key]
            # bool is a subclass of int: never accept it for numeric fields
            assert not (isinstance(value, bool) and key != "post_return"), f"{pid}: {key} is a bool"
            assert isinstance(value, types), f"{pid}: {key} has type {type(value).__name__}"
        assert ID_RE.match(p["id"]), f"{pid}: id is not a slug"
        assert p["name"].strip() and p["name_en"].strip() and p["agency"].strip()
        # Two tiers since 1 July 2025: no district level; a provincial agency's branch (land registration)
        # takes dossiers at commune centres (Decree 118/2025 Art. 14(2)).
        assert p["level"] in {"commune", "province"}, pid
        assert "huyện" not in p["agency"] and "cấp huyện" not in p["name"], f"{pid}: a district agency in 2025 data"
        assert p["online_level"] in {"partial", "full", "none"}, pid
        assert p["field"] in FIELD_CODES, f"{pid}: unknown field {p['field']}"
        if p["fee_vnd"] is not None:
            assert p["fee_vnd"] >= 0, pid
        assert p["documents"], f"{pid}: no documents"
        for doc in p["documents"]:
            assert isinstance(doc["name"], str) and doc["name"].strip(), pid
            assert isinstance(doc["copies"], int) and not isinstance(doc["copies"], bool), pid
            assert doc["copies"] >= 1, pid
        for key in ("forms", "legal_basis", "keywords"):
            assert all(isinstance(x, str) and x.strip() for x in p[key]), f"{pid}: bad {key}"
        assert p["legal_basis"], f"{pid}: no legal basis"
        assert p["keywords"], f"{pid}: no keywords"


def test_ids_unique(procedures: list[dict]) -> None:
    dupes = [i for i, n in Counter(p["id"] for p in procedures).items() if n > 1]
    assert not dupes, f"duplicate ids: {dupes}"


def test_codes_unique_and_well_formed(procedures: list[dict]) -> None:
    codes = [p["code"] for p in procedures if p["code"] is not None]
    dupes = [c for c, n in Counter(codes).items() if n > 1]
    assert not dupes, f"duplicate codes: {dupes}"
    bad = [c for c in codes if not CODE_RE.match(c)]
    assert not bad, f"malformed national codes: {bad}"


def test_every_field_is_covered(procedures: list[dict]) -> None:
    per_field = Counter(p["field"] for p in procedures)
    for code in FIELD_CODES:
        assert per_field[code] >= MIN_PER_FIELD, f"{code} has only {per_field[code]} procedures"
    largest = {code for code, _ in per_field.most_common(2)}
    assert largest == {"tu-phap", "dat-dai"}, f"largest fields are {per_field.most_common(3)}"


def test_names_are_vietnamese(procedures: list[dict]) -> None:
    names = [p["name"] for p in procedures]
    with_diacritics = sum(1 for n in names if any(ord(ch) > 127 for ch in n))
    assert with_diacritics >= 0.9 * len(names)


def test_processing_days(procedures: list[dict]) -> None:
    for p in procedures:
        days = p["processing_days"]
        if days is not None:
            assert not isinstance(days, bool) and isinstance(days, (int, float)), p["id"]
            assert days >= 0, p["id"]


def test_lien_thong_steps(procedures: list[dict]) -> None:
    with_steps = [p for p in procedures if p["steps"] is not None]
    assert len(with_steps) >= MIN_LIEN_THONG
    for p in with_steps:
        assert len(p["steps"]) >= 2, f"{p['id']}: a liên thông procedure needs at least two steps"
        for step in p["steps"]:
            assert isinstance(step["agency"], str) and step["agency"].strip(), p["id"]
            assert isinstance(step["content"], str) and step["content"].strip(), p["id"]
            days = step["days"]
            assert not isinstance(days, bool) and isinstance(days, (int, float)) and days >= 0, p["id"]
        if p["processing_days"] is not None:
            total = sum(step["days"] for step in p["steps"])
            assert total == p["processing_days"], f"{p['id']}: steps add up to {total}"


def test_fields_carry_their_2025_names(catalogue: dict) -> None:
    names = " ".join(f["name"] for f in catalogue["fields"])
    assert "Thương binh" not in names and "Phát triển nông thôn" not in names
    assert "Nông nghiệp và Môi trường" in names
