"""Citizen-facing words, Vietnamese first, English second. `t(key, lang, **values)`."""

from __future__ import annotations

from collections.abc import Callable

from motcua_core import clock as wallclock
from motcua_core.errors import RequestError
from motcua_core.i18n import lookup

Words = Callable[[str], str]  # a message kept for its screen, read in the language of each redraw

STRINGS: dict[str, tuple[str, str]] = {
    # dispenser
    "welcome": ("Xin mời chọn lĩnh vực", "Please choose a field"),
    "choose_service": ("Chọn dịch vụ", "Choose a service"),
    "choose_priority": ("Ông/bà có thuộc diện ưu tiên không?", "Do you have priority?"),
    "prio_none": ("Không ưu tiên", "No priority"),
    "prio_elderly": ("Người cao tuổi (từ 60 tuổi)", "Elderly (60+)"),
    "prio_disability": ("Người khuyết tật", "Person with disability"),
    "prio_pregnant": ("Phụ nữ mang thai", "Pregnant woman"),
    "prio_merit": ("Người có công với cách mạng", "Person with merit"),
    "confirm_title": ("Xác nhận lấy số", "Confirm your ticket"),
    "chosen": ("{what} — đã chọn", "{what} — selected"),
    "queue_now": ("{n} người chờ · khoảng {m} phút", "{n} waiting · about {m} min"),
    "queue_none": ("Không có người chờ", "No one waiting"),
    "queue_closed": ("{n} người chờ · chưa có quầy mở", "{n} waiting · no counter open"),
    "confirm_btn": ("LẤY SỐ", "GET TICKET"),
    "back": ("Quay lại", "Back"),
    "home": ("Trang chủ", "Home"),
    "please_wait": ("Đang lấy số, xin chờ…", "Getting your number, please wait…"),
    "your_number": ("Số thứ tự của ông/bà", "Your number"),
    "take_ticket": ("Xin mời nhận phiếu bên dưới và chờ gọi số.", "Please take your ticket below and wait to be called."),
    "no_print": ("Máy in đang gặp sự cố ({why}). Xin ông/bà ghi nhớ số {number} hoặc chụp ảnh màn hình này, "
                 "và chờ gọi số.",
                 "The printer has a problem ({why}). Please remember number {number} or take a photo of this "
                 "screen, and wait to be called."),
    "ahead": ("Trước ông/bà còn {n} người", "{n} people ahead of you"),
    "ahead_none": ("Không có ai chờ trước ông/bà", "No one is waiting ahead of you"),
    "wait": ("Thời gian chờ dự kiến: khoảng {m} phút", "Estimated wait: about {m} min"),
    "wait_unknown": ("Chưa có quầy mở cho dịch vụ này", "No counter open for this service yet"),
    "hub_down": ("Hệ thống đang bận hoặc mất kết nối. Xin ông/bà thử lại sau ít phút hoặc hỏi cán bộ hướng dẫn.",
                 "The system is busy or offline. Please try again in a minute or ask a staff member."),
    "big_text": ("Chữ to", "Large text"),
    "normal_text": ("Chữ thường", "Normal text"),
    "lang_toggle": ("English", "Tiếng Việt"),
    "lookup": ("Tra cứu thủ tục", "Procedure lookup"),
    "dossier": ("Tra cứu hồ sơ", "Dossier status"),
    "state_paper_out": ("hết giấy", "out of paper"),
    "state_cover_open": ("nắp máy in đang mở", "printer cover open"),
    "state_offline": ("máy in không hoạt động", "printer offline"),
    # lookup
    "search_hint": ("Gõ tên thủ tục, không cần dấu", "Type a procedure name (accents optional)"),
    "results": ("{n} thủ tục", "{n} procedures"),
    "no_results": ("Không tìm thấy thủ tục phù hợp. Hãy thử từ khóa khác.", "No matching procedure. Try other words."),
    "browse_fields": ("Xem theo lĩnh vực", "Browse by field"),
    "choose_agency": ("Chọn cơ quan giải quyết", "Choose the agency"),
    "documents": ("Thành phần hồ sơ", "Required documents"),
    "copies": ("{n} bản", "{n} cop(ies)"),
    "processing": ("Thời hạn giải quyết", "Processing time"),
    "days": ("{n} ngày làm việc", "{n} working days"),
    "same_day": ("Trong ngày", "Same day"),
    "fee": ("Phí, lệ phí", "Fees"),
    "forms": ("Mẫu đơn, tờ khai", "Forms"),
    "result": ("Kết quả", "Result"),
    "where": ("Nơi nộp hồ sơ", "Where to submit"),
    "online": ("Dịch vụ công trực tuyến", "Online service"),
    "online_full": ("Toàn trình (nộp và nhận trực tuyến)", "Full (apply and receive online)"),
    "online_partial": ("Một phần", "Partial"),
    "online_none": ("Chưa có", "Not available"),
    "post": ("Trả kết quả qua bưu điện", "Result by post"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    "print_checklist": ("In danh mục giấy tờ", "Print checklist"),
    "take_number": ("Lấy số", "Get a number"),
    "submit_at": ("Nộp hồ sơ tại: {counters}", "Submit at: {counters}"),
    "submit_at_none": ("Hiện chưa có quầy nhận hồ sơ này", "No counter takes this procedure right now"),
    "print_failed": ("Không in được ({why}). Xin hỏi cán bộ hướng dẫn.", "Could not print ({why}). Please ask a staff member."),
    "printed": ("Đã in. Xin mời nhận phiếu.", "Printed. Please take the slip."),
    "catalog_offline": ("Đang dùng dữ liệu lưu trên máy (phiên bản {v}).", "Using the copy stored on this kiosk (v{v})."),
    "catalog_empty": ("Chưa tải được danh mục thủ tục. Xin hỏi cán bộ hướng dẫn.",
                      "The procedure catalogue is not loaded yet. Please ask a staff member."),
    # dossier
    "dossier_hint": ("Nhập mã hồ sơ trên giấy hẹn, hoặc đưa mã vạch/mã QR vào máy quét",
                     "Type the dossier code from your receipt, or scan its barcode/QR"),
    "dossier_bad_code": ("Mã hồ sơ không hợp lệ. Xin nhập đúng mã in trên giấy hẹn trả kết quả (chữ, số và dấu -).",
                         "Invalid dossier code. Type the code printed on your receipt (letters, digits and -)."),
    "dossier_search": ("Tra cứu", "Look up"),
    "dossier_where": ("Mời ông/bà đến nhận tại: {where}", "Please collect it at: {where}"),
    "dossier_due": ("Hẹn trả kết quả: {due}", "Due: {due}"),
    "dossier_key_hint": ("Nhập mã tra cứu in cạnh mã hồ sơ trên giấy hẹn (6 ký tự), hoặc 4 số cuối CCCD của người nộp",
                         "Type the lookup key printed beside the code on your receipt (6 characters), "
                         "or the applicant's last 4 ID-card digits"),
    "dossier_bad_key": ("Mã tra cứu không hợp lệ: 6 ký tự in trên giấy hẹn, hoặc 4 số cuối CCCD.",
                        "Invalid lookup key: the 6 characters on your receipt, or the last 4 ID-card digits."),
    "dossier_unavailable": ("Chức năng tra cứu hồ sơ chưa sẵn sàng trên hệ thống.",
                            "Dossier lookup is not available on the system yet."),
    "applicant": ("Người nộp", "Applicant"),
    # on-screen keyboard (devicekit.ui.keyboard): the edit keys; the letters read the same in both
    "kbd_space": ("Cách", "Space"),
    "kbd_backspace": ("Xóa", "Delete"),
    "kbd_clear": ("Xóa hết", "Clear"),
    # appointments (issue #12)
    "checkin_btn": ("Đã đặt lịch hẹn? Xác nhận tại đây", "Booked an appointment? Check in here"),
    "checkin_title": ("Xác nhận lịch hẹn", "Appointment check-in"),
    "checkin_hint": ("Đưa mã QR lịch hẹn (trên điện thoại) hoặc mã QR trên thẻ CCCD vào máy quét, hoặc nhập mã lịch hẹn",
                     "Scan the booking QR on your phone or the QR on your ID card, or type the booking code"),
    "checkin_submit": ("Xác nhận", "Check in"),
    "checkin_bad_code": ("Mã lịch hẹn gồm 6 chữ và số (ví dụ HK7-M2Q). Xin nhập lại.",
                         "A booking code has 6 letters and digits (e.g. HK7-M2Q). Please type it again."),
    # voting
    "vote_idle": ("{counter}", "{counter}"),
    "officer": ("Cán bộ: {name}", "Officer: {name}"),
    "no_officer": ("Quầy chưa có cán bộ", "No officer at this counter"),
    "vote_title": ("Ông/bà có hài lòng với việc phục vụ số {number}?", "Are you satisfied with the service for {number}?"),
    "vote_reasons": ("Xin cho biết lý do chưa hài lòng (chọn một hoặc nhiều):", "Why were you not satisfied? (choose any)"),
    "vote_send": ("GỬI ĐÁNH GIÁ", "SEND"),
    "vote_thanks": ("Cảm ơn ông/bà đã đánh giá!", "Thank you for your feedback!"),
    "vote_dossier": ("Đánh giá việc giải quyết hồ sơ {code} ({i}/{n})", "Rate how dossier {code} was handled ({i}/{n})"),
    "vote_skip": ("BỎ QUA", "SKIP"),
    "vote_idle_hint": ("Sau khi được phục vụ, xin ông/bà đánh giá mức độ hài lòng tại đây.",
                       "After being served, please rate our service here."),
}


def t(key: str, lang: str = "vi", **values: object) -> str:
    return lookup(STRINGS, key, lang, **values)


def words(key: str, **values: object) -> Words:
    """`key`'s message kept for its screen, so the language toggle re-shows it in the other language."""
    return lambda lang: t(key, lang, **values)


def keyboard_labels(lang: str = "vi") -> tuple[str, str, str]:
    """The space, backspace and clear keys' words, for devicekit.ui.keyboard.VietKeyboard."""
    return t("kbd_space", lang), t("kbd_backspace", lang), t("kbd_clear", lang)


def refusal(exc: RequestError) -> Words:
    """What a citizen reads when the hub refuses (the hub's words, in English when the citizen chose it)
    or does not answer (the kiosk's own words), kept unread so the language toggle re-shows it."""
    if exc.code == "timeout":
        return words("hub_down")
    return exc.text


def ahead_text(n: int, lang: str = "vi") -> str:
    """People ahead in the queue; none reads as 'no one waiting', not 'còn 0 người'."""
    return t("ahead_none", lang) if not n else t("ahead", lang, n=n)


def site_clock(config: dict | None, now: float | None = None) -> str:
    """'HH:MM' in the site's time zone (the hub's device config), not the device's: a Pi left on UTC must
    show the office's time beside the dates the hub sends."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    try:
        tz = ZoneInfo((config or {}).get("timezone") or "Asia/Ho_Chi_Minh")
    except (ValueError, KeyError):
        tz = ZoneInfo("Asia/Ho_Chi_Minh")
    return datetime.fromtimestamp(wallclock.time() if now is None else now, tz).strftime("%H:%M")
