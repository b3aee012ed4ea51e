"""Citizen ID (căn cước công dân, CCCD) structure check: 12 digits = province (3) + century/sex (1) +
birth year (2) + serial (6), per Circular 07/2016/TT-BCA. A structural check catches typing errors at the
counter; it cannot prove that a number was issued."""

from __future__ import annotations

from dataclasses import dataclass

from motcua_core.errors import DomainError

PROVINCES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang",
    "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình",
    "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
    "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
    "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước",
    "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa – Vũng Tàu",
    "079": "TP. Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh",
    "086": "Vĩnh Long", "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}


@dataclass(frozen=True)
class CitizenId:
    number: str
    province: str
    sex: str  # "nam" / "nữ"
    birth_year: int


def _bad(message_vi: str) -> DomainError:
    return DomainError("bad_request", f"invalid citizen ID: {message_vi}", f"Số CCCD không hợp lệ: {message_vi}")


def parse_cccd(text: str, current_year: int) -> CitizenId:
    """Parse and check a CCCD number; raise DomainError with a Vietnamese reason the officer can read."""
    number = "".join(str(text or "").split())
    if not number.isdigit() or not number.isascii():
        raise _bad("chỉ gồm chữ số")
    if len(number) != 12:
        raise _bad(f"phải có đúng 12 chữ số (đang có {len(number)})")
    province = PROVINCES.get(number[:3])
    if province is None:
        raise _bad(f"mã tỉnh {number[:3]} không tồn tại")
    g = int(number[3])
    century = 1900 + (g // 2) * 100
    year = century + int(number[4:6])
    if year > current_year:
        raise _bad(f"năm sinh {year} ở tương lai")
    if current_year - year > 130:
        raise _bad(f"năm sinh {year} không hợp lý")
    return CitizenId(number, province, "nữ" if g % 2 else "nam", year)
