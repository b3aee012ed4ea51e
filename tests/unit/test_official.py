"""What makes a report an official document (Decree 30/2020): the symbol, the number with its leading zero,
the recipients block and the signer, from the unit's settings or given for one report."""

from __future__ import annotations

from hub.domain import official


def test_the_symbol_is_the_units_initials_up_to_its_place_or_its_own() -> None:
    assert official.abbreviation("Trung tâm Phục vụ hành chính công tỉnh Hòa An") == "TTPVHCC"
    assert official.abbreviation("Bộ phận Tiếp nhận và Trả kết quả huyện Hòa An") == "BPTNTKQ"
    assert official.abbreviation("Đơn vị một cửa phường Đông Hà") == "ĐVMC"  # Đ stays Đ, as symbols write it
    assert official.symbol({"unit_name": "Trung tâm Phục vụ hành chính công xã A"}) == "BC-TTPVHCC"
    assert official.symbol({"unit_name": "x", "reports": {"symbol": "TTHCC"}}) == "BC-TTHCC"


def test_number_recipients_and_signer() -> None:
    assert official.number_line(5, "BC-TTPVHCC") == "Số: 05/BC-TTPVHCC"
    assert official.number_line(123, "BC-X") == "Số: 123/BC-X"
    assert official.number_line(None, "BC-X").startswith("Số:") and official.number_line(None, "BC-X").endswith("/BC-X")
    st = {"parent_agency": "ỦY BAN NHÂN DÂN XÃ HÒA AN", "area": "xã Hòa An"}
    assert official.recipients(st) == ["- Ủy ban nhân dân xã Hòa An (để báo cáo);", "- Lưu: VT."]
    assert official.recipients({"parent_agency": "ỦY BAN NHÂN DÂN"})[0] == "- Ủy ban nhân dân (để báo cáo);"
    # a name in capitals with its place and no area to write it from stays as written (never "hòa an")
    assert official.recipients({"parent_agency": "ỦY BAN NHÂN DÂN XÃ HÒA AN"})[0] == \
        "- ỦY BAN NHÂN DÂN XÃ HÒA AN (để báo cáo);"
    assert official.recipients(st, ["Sở Nội vụ;", " ", "Lưu: VT"]) == ["- Sở Nội vụ;", "- Lưu: VT."]
    assert official.signer({}, "Giám đốc", "Nguyễn Văn Bình") == {"title": "GIÁM ĐỐC", "name": "Nguyễn Văn Bình"}
    assert official.signer({"reports": {"signer_title": "Trưởng bộ phận"}}) == {"title": "TRƯỞNG BỘ PHẬN", "name": ""}
