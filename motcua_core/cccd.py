"""Citizen ID (căn cước công dân, CCCD) structure check: 12 digits = province (3) + century/sex (1) +
birth year (2) + serial (6), per Circular 07/2016/TT-BCA. A structural check catches typing errors at the
counter; it cannot prove that a number was issued."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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


def _bad(reason_vi: str, reason_en: str) -> DomainError:
    """The reason in both languages: an officer or citizen may read it in English (issue #13)."""
    return DomainError("bad_request", f"The citizen ID number is not valid: {reason_en}.",
                       f"Số CCCD không hợp lệ: {reason_vi}")


def parse_cccd(text: str, current_year: int) -> CitizenId:
    """Parse and check a CCCD number; raise DomainError with a reason the officer can read."""
    number = "".join(str(text or "").split())
    if not number.isdigit() or not number.isascii():
        raise _bad("chỉ gồm chữ số", "it may hold digits only")
    if len(number) != 12:
        raise _bad(f"phải có đúng 12 chữ số (đang có {len(number)})",
                   f"it must have exactly 12 digits (it has {len(number)})")
    province = PROVINCES.get(number[:3])
    if province is None:
        raise _bad(f"mã tỉnh {number[:3]} không tồn tại", f"there is no province code {number[:3]}")
    g = int(number[3])
    century = 1900 + (g // 2) * 100
    year = century + int(number[4:6])
    if year > current_year:
        raise _bad(f"năm sinh {year} ở tương lai", f"the year of birth {year} is in the future")
    if current_year - year > 130:
        raise _bad(f"năm sinh {year} không hợp lý", f"the year of birth {year} is not plausible")
    return CitizenId(number, province, "nữ" if g % 2 else "nam", year)


# --- the front QR of a chip ID card ------------------------------------------------------------------

@dataclass(frozen=True)
class CccdCard:
    """What the QR on the front of a chip citizen ID card holds (`ID|old ID|name|birth|sex|address|issued`)."""

    number: str
    old_number: str
    full_name: str
    birth_date: date
    sex: str  # "nam" / "nữ"
    address: str
    issue_date: date

    def applicant(self) -> dict:
        """The applicant fields of a dossier intake, as the counter pre-fills them."""
        return {"name": self.full_name, "cccd": self.number, "birth_date": self.birth_date.isoformat(),
                "address": self.address}


def _bad_qr(reason_vi: str, reason_en: str) -> DomainError:
    return DomainError("bad_request", f"The QR code on the citizen ID card is not valid: {reason_en}.",
                       f"Mã QR trên thẻ CCCD không hợp lệ: {reason_vi}")


def _qr_date(text: str, what_vi: str, what_en: str) -> date:
    text = text.strip()
    if len(text) != 8 or not text.isdigit() or not text.isascii():
        raise _bad_qr(f"{what_vi} phải có dạng ngày tháng năm (ddmmyyyy), đang là “{text[:20]}”",
                      f"the {what_en} must be a date written ddmmyyyy, not “{text[:20]}”")
    try:
        return date(int(text[4:]), int(text[2:4]), int(text[:2]))
    except ValueError:
        raise _bad_qr(f"{what_vi} {text[:2]}/{text[2:4]}/{text[4:]} không có thật",
                      f"the {what_en} {text[:2]}/{text[2:4]}/{text[4:]} does not exist") from None


def looks_like_cccd_qr(text: str) -> bool:
    """A scan that is meant as an ID card QR (the fields are separated by '|'), not a booking code."""
    return str(text or "").count("|") >= 4


def parse_cccd_qr(text: str, today: date) -> CccdCard:
    """Parse and check a scanned CCCD front QR; raise DomainError with the reason on a bad scan.

    The number is checked as parse_cccd does, and against the card's own date of birth and sex (the
    4th to 6th digits encode them), which catches a misread or a QR from another document."""
    raw = str(text or "").strip()
    if not raw:
        raise _bad_qr("không đọc được nội dung, xin quét lại", "nothing could be read; please scan it again")
    if len(raw) > 1000:
        raise _bad_qr("nội dung quá dài", "it holds too much text")
    parts = raw.split("|")
    if len(parts) < 7:
        raise _bad_qr(f"cần 7 trường ngăn bằng dấu |, đọc được {len(parts)}; xin quét lại",
                      f"it needs 7 fields separated by |, {len(parts)} were read; please scan it again")
    number, old, name, birth, sex_text, address, issued = (p.strip() for p in parts[:7])
    cid = parse_cccd(number, today.year)
    if old and (not old.isdigit() or not old.isascii() or len(old) not in (9, 12)):
        raise _bad_qr("số CMND cũ phải gồm 9 hoặc 12 chữ số",
                      "the old ID number (CMND) must have 9 or 12 digits")
    name = " ".join(name.split())
    if not name or any(c.isdigit() for c in name):
        raise _bad_qr("thiếu họ và tên hoặc họ tên có chữ số", "the full name is missing or has digits in it")
    born = _qr_date(birth, "ngày sinh", "date of birth")
    sex = sex_text.casefold()
    if sex not in ("nam", "nữ"):
        raise _bad_qr(f"giới tính phải là Nam hoặc Nữ, đang là “{sex_text[:10]}”",
                      f"the sex must be Nam (male) or Nữ (female), not “{sex_text[:10]}”")
    if born.year != cid.birth_year:
        raise _bad_qr(f"năm sinh {born.year} không khớp với số CCCD (mã hóa năm {cid.birth_year})",
                      f"the year of birth {born.year} does not match the ID number "
                      f"(which encodes {cid.birth_year})")
    if sex != cid.sex:
        raise _bad_qr("giới tính không khớp với số CCCD", "the sex does not match the ID number")
    if born > today:
        raise _bad_qr("ngày sinh ở tương lai", "the date of birth is in the future")
    issue = _qr_date(issued, "ngày cấp", "date of issue")
    if issue > today or issue < born:
        raise _bad_qr(f"ngày cấp {issue.strftime('%d/%m/%Y')} không hợp lý",
                      f"the date of issue {issue.strftime('%d/%m/%Y')} is not plausible")
    return CccdCard(cid.number, old, name, born, sex, " ".join(address.split()), issue)
