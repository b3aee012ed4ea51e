"""What kind of office a site is, and which procedures it must take in, under Decree 118/2025/NĐ-CP
and the two-tier local government (province and commune, no district level since 1 July 2025).

Art. 14(1): a ministry's reception unit takes in the procedures of its ministry. Art. 14(2): a provincial
or commune Public Administration Service Centre takes in, **regardless of where in the province the
applicant lives**, (a) provincial procedures, (b) commune procedures of any commune of the province,
(c) procedures of centrally-run agencies organised in local branches (ngành dọc) and (d) ministry
procedures assigned to localities. Art. 14(3): the minister or the provincial chairman may decide that
some procedures are not taken in at the centre (mobile, on-site, online-only); only such a decision
lets an office refuse a dossier, and only a procedure the province's list marks `anywhere: false`
follows the applicant's residence. Refusing or obstructing a dossier the office must take in is a
prohibited act (Art. 5(1)). Pure rules; the site's type and area live in its dossier settings."""

from __future__ import annotations

from dataclasses import dataclass

# catalogue `level`s (hub.domain.catalogue.LEVELS)
PROVINCE, COMMUNE, NGANH_DOC, MINISTRY_ASSIGNED, MINISTRY = (
    "province", "commune", "nganh_doc", "ministry_assigned", "ministry")

# Art. 14(3): procedures the competent authority decided are not taken in at the centre's premises
RECEPTION_ELSEWHERE = {
    "mobile": ("thủ tục được thực hiện lưu động (Nghị định 118/2025/NĐ-CP, Điều 14 khoản 3 điểm a)",
               "a mobile procedure (Decree 118/2025, Art. 14(3)(a))"),
    "on_site": ("thủ tục tiếp nhận và trả kết quả ngay tại nơi kiểm tra, đánh giá ngoài trụ sở "
                "(Nghị định 118/2025/NĐ-CP, Điều 14 khoản 3 điểm b)",
                "a procedure received where the inspection takes place (Decree 118/2025, Art. 14(3)(b))"),
    "online_only": ("thủ tục chỉ thực hiện trên môi trường điện tử; nộp trên Cổng Dịch vụ công quốc gia "
                    "(Nghị định 118/2025/NĐ-CP, Điều 14 khoản 3 điểm c)",
                    "an online-only procedure: apply on the National Public Service Portal "
                    "(Decree 118/2025, Art. 14(3)(c))"),
}


@dataclass(frozen=True)
class SiteType:
    code: str
    name_vi: str  # how the office is called on forms when the site gives no name of its own
    levels: tuple[str, ...]  # catalogue `level`s it must take in
    name_en: str = ""  # the same in an officer's English message


_LOCAL = (PROVINCE, COMMUNE, NGANH_DOC, MINISTRY_ASSIGNED)  # Art. 14(2)(a)–(d)
SITE_TYPES = {
    "province": SiteType("province", "Trung tâm Phục vụ hành chính công tỉnh", _LOCAL,
                         "a provincial public administration service centre"),
    "commune": SiteType("commune", "Trung tâm Phục vụ hành chính công xã, phường", _LOCAL,
                        "a commune or ward public administration service centre"),
    "ministry": SiteType("ministry", "Bộ phận Một cửa của Bộ, cơ quan ngang Bộ", (MINISTRY,),
                         "a ministry's one-stop unit"),
}

_LEVEL_VI = {PROVINCE: "tỉnh", COMMUNE: "xã", NGANH_DOC: "cơ quan ngành dọc", MINISTRY_ASSIGNED:
             "bộ, ngành giao địa phương tiếp nhận", MINISTRY: "bộ"}
_LEVEL_EN = {PROVINCE: "province", COMMUNE: "commune", NGANH_DOC: "centrally-run agency (ngành dọc)",
             MINISTRY_ASSIGNED: "ministry (assigned to localities)", MINISTRY: "ministry"}


def anywhere(proc: dict) -> bool:
    """Taken in whatever the applicant's residence (Art. 14(2)): yes unless the province's published list
    marks the procedure otherwise (`anywhere: false`)."""
    return proc.get("anywhere") is not False


def intake_problem(site_type: str | None, area: str, proc: dict,
                   outside_area: bool) -> tuple[str, str] | None:
    """Why this office may not take in this dossier, (Vietnamese, English) for the officer in either
    language, or None. No type configured: no check (sites set up before site types existed)."""
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
    elsewhere = RECEPTION_ELSEWHERE.get(proc.get("reception") or "")
    if elsewhere:
        return (f"Không tiếp nhận tại Bộ phận Một cửa: {elsewhere[0]}.",
                f"Not taken in at the one-stop office: {elsewhere[1]}.")
    if level and level not in st.levels:
        return (f"Thủ tục cấp {_LEVEL_VI.get(level, level)} không tiếp nhận tại {st.name_vi.lower()} "
                "(Nghị định 118/2025/NĐ-CP, Điều 14).",
                f"A {_LEVEL_EN.get(level, level)}-level procedure is not taken in at {st.name_en} "
                "(Decree 118/2025, Art. 14).")
    if outside_area and not anywhere(proc):
        return (f"Theo danh mục của tỉnh, thủ tục này tiếp nhận theo nơi cư trú; người nộp không cư trú tại "
                f"{area or 'địa bàn'}. Hướng dẫn nộp tại nơi cư trú hoặc qua Cổng Dịch vụ công quốc gia.",
                f"The province's list has this procedure taken in where the applicant lives, and the "
                f"applicant does not live in {area or 'this area'}. Guide them to apply where they live or "
                "on the National Public Service Portal.")
    return None


def receives(site_type: str | None, proc: dict) -> bool:
    """Whether the office takes in this procedure at all (for loading a site's catalogue)."""
    return intake_problem(site_type, "", proc, outside_area=False) is None
