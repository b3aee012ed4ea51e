"""What kind of office a site is, under Decree 118/2025/NĐ-CP and the two-tier local government (province
and commune, no district level since 1 July 2025): a provincial Public Administration Service Centre, a
commune/ward centre, or a ministry's reception unit. The type decides which procedures the office takes
in; `anywhere` procedures (thủ tục không phụ thuộc địa giới hành chính) are taken in whatever the
applicant's place of residence. Pure rules; the site's type and area live in its dossier settings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SiteType:
    code: str
    name_vi: str  # how the office is called on forms when the site gives no name of its own
    levels: tuple[str, ...]  # catalogue `level`s it takes in
    name_en: str = ""  # the same in an officer's English message


SITE_TYPES = {
    "province": SiteType("province", "Trung tâm Phục vụ hành chính công tỉnh", ("province",),
                         "a provincial public administration service centre"),
    "commune": SiteType("commune", "Trung tâm Phục vụ hành chính công xã, phường", ("commune",),
                        "a commune or ward public administration service centre"),
    "ministry": SiteType("ministry", "Bộ phận Một cửa của Bộ, cơ quan ngang Bộ", ("ministry",),
                         "a ministry's one-stop unit"),
}


def intake_problem(site_type: str | None, area: str, proc: dict,
                   outside_area: bool) -> tuple[str, str] | None:
    """Why this office may not take in this dossier, (Vietnamese, English) for the officer in either
    language, or None. No type configured: no check (sites set up before issue #16)."""
    st = SITE_TYPES.get(site_type or "")
    if st is None:
        return None
    level = proc.get("level")
    if level == "district":
        return ("Thủ tục này ghi cấp huyện; từ ngày 01/7/2025 không còn cấp huyện. Cập nhật danh mục theo "
                "quyết định công bố thủ tục hành chính của tỉnh trước khi tiếp nhận.",
                "This procedure is listed at district level; there is no district level since 01/07/2025. "
                "Update the catalogue from the province's decision that publishes the procedures before "
                "taking it in.")
    if level and level not in st.levels and not proc.get("anywhere"):
        return (f"Thủ tục cấp {_LEVEL_VI.get(level, level)} không tiếp nhận tại {st.name_vi.lower()}.",
                f"A {_LEVEL_EN.get(level, level)}-level procedure is not taken in at {st.name_en}.")
    if outside_area and not proc.get("anywhere"):
        return (f"Thủ tục này giải quyết theo nơi cư trú; người nộp không cư trú tại {area or 'địa bàn'}. "
                "Hướng dẫn nộp tại nơi cư trú hoặc qua Cổng Dịch vụ công quốc gia.",
                f"This procedure is handled where the applicant lives, and the applicant does not live in "
                f"{area or 'this area'}. Guide them to apply where they live or on the National Public "
                "Service Portal.")
    return None


_LEVEL_VI = {"province": "tỉnh", "commune": "xã", "ministry": "bộ"}
_LEVEL_EN = {"province": "province", "commune": "commune", "ministry": "ministry"}


def receives(site_type: str | None, proc: dict) -> bool:
    """Whether the office takes in this procedure at all (for loading a site's catalogue)."""
    return intake_problem(site_type, "", proc, outside_area=False) is None
