"""The electronic dossier's rules (hub.domain.digital): declared scans and their limits, documents held
as data, upload chunks, the electronic result's document code — each refusal in Vietnamese."""

from __future__ import annotations

import pytest

from hub.domain import digital
from hub.domain.intake import missing_documents
from motcua_core.errors import DomainError

PROC = {"id": "p", "code": "1.000001", "documents": [{"name": "Tờ khai"}, {"name": "Giấy khai sinh"},
                                                     {"name": "Ảnh 4x6 (nếu có)"}]}
SHA = "a" * 64


def test_scans_are_checked_against_the_checklist_and_limits():
    got = digital.scans(PROC, [{"doc": 0, "sha256": SHA, "size": 40_000, "pages": 2}])
    assert got == [digital.Scan(0, SHA, 40_000, 2)] and got[0].chunks == 2
    for bad, words in (([{"doc": 5, "sha256": SHA, "size": 1}], "không thuộc thành phần hồ sơ"),
                       ([{"doc": 0, "sha256": "xyz", "size": 1}], "SHA-256"),
                       ([{"doc": 0, "sha256": SHA, "size": 0}], "tối đa 20 MB"),
                       ([{"doc": 0, "sha256": SHA, "size": 21 * 2**20}], "tối đa 20 MB"),
                       ([{"doc": 0, "sha256": SHA, "size": 5, "pages": 0}], "Số trang"),
                       ([{"doc": i % 3, "sha256": SHA, "size": 19 * 2**20} for i in range(6)], "100 MB"),
                       ("x", "không hợp lệ")):
        with pytest.raises(DomainError) as e:
            digital.scans(PROC, bad)
        assert words in e.value.message_vi


def test_held_as_data_is_not_missing():
    reused = digital.reused(PROC, [1, {"doc": 0, "source": "vneid"}])
    assert reused == [(1, "csdl-quoc-gia"), (0, "vneid")]
    assert missing_documents(PROC, [i for i, _ in reused]) == []
    assert [d["name"] for d in missing_documents(PROC, [])] == ["Tờ khai", "Giấy khai sinh"]
    with pytest.raises(DomainError) as e:
        digital.reused(PROC, [{"doc": 1, "source": "facebook"}])
    assert "Nguồn dữ liệu" in e.value.message_vi


def test_receipt_lines_say_how_each_document_came():
    docs = [{"name": "Tờ khai", "copies": 1}, {"name": "Giấy khai sinh", "copies": 1}]
    out = digital.annotate(PROC, docs, [digital.Scan(0, SHA, 10, 3)], [(1, "vneid")])
    assert out == [{"name": "Tờ khai", "copies": 1, "scanned_pages": 3},
                   {"name": "Giấy khai sinh", "copies": 1, "reused": True}]


def test_chunks_must_fit_the_declared_file():
    size = digital.CHUNK_BYTES + 10
    assert digital.chunk_problem(size, 2, 0, b"x" * digital.CHUNK_BYTES) is None
    assert digital.chunk_problem(size, 2, 1, b"x" * 10) is None
    assert "Kích thước" in digital.chunk_problem(size, 2, 1, b"x" * 11)
    assert "Số thứ tự" in digital.chunk_problem(size, 2, 2, b"x")


def test_document_code():
    assert digital.document_code("001090012345", "KQ.1.000001") == "001090012345.KQ.1.000001"
    assert digital.document_code("0312345678", "GPXD") == "0312345678.GPXD"  # an organisation's tax code
    assert digital.result_type(PROC) == "KQ.1.000001"
    assert digital.result_type({**PROC, "result_code": "TP.KS"}) == "TP.KS"
    with pytest.raises(DomainError) as e:
        digital.document_code(None, "KQ.1")
    assert "CCCD" in e.value.message_vi
    with pytest.raises(DomainError):
        digital.document_code("001090012345", "mã có dấu")
