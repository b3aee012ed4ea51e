"""Every word the officer sees on the counter terminal, Vietnamese first, English second (issue #13).

One table (`WORDS`, the kiosk's shape: key → (vi, en)), looked up with motcua_core.i18n. A message is
kept as a `Said` — its text in both languages — so the language toggle re-shows the message already on
the screen in the other language. Printed forms never come from here: they stay Vietnamese.
"""

from __future__ import annotations

from dataclasses import dataclass

from motcua_core import dossier_status, i18n
from motcua_core.i18n import LANGS, lookup

WORDS: dict[str, tuple[str, str]] = {
    "lang_toggle": ("English", "Tiếng Việt"),  # names the language it switches to
    # --- counter actions: button labels ---------------------------------------------------------
    "act_next": ("Gọi số tiếp", "Call next"),
    "act_recall": ("Gọi lại", "Recall"),
    "act_skip": ("Vắng mặt", "No-show"),
    "act_done": ("Hoàn thành", "Done"),
    "act_hold": ("Tạm giữ", "Hold"),
    "act_resume": ("Tiếp tục số giữ", "Resume held"),
    "act_transfer": ("Chuyển", "Transfer"),
    "act_pause": ("Tạm dừng quầy", "Pause counter"),
    "act_open": ("Mở quầy", "Open counter"),
    "open_reception": ("Cấp số", "Ticket"),
    "reception_title": ("Cấp số cho công dân (lễ tân)", "Issue a number for a citizen (reception)"),
    "reception_priority": ("Diện ưu tiên:", "Priority:"),
    "reception_issue": ("Cấp và in số", "Issue and print"),
    "reception_done": ("Đã cấp số {number} ({service}); phiếu đã in.", "Number {number} issued ({service}); printed."),
    "prio_none": ("Không ưu tiên", "No priority"), "prio_elderly": ("Người cao tuổi", "Elderly"),
    "prio_disability": ("Người khuyết tật", "Disability"), "prio_pregnant": ("Phụ nữ mang thai", "Pregnant"),
    "prio_merit": ("Người có công", "Merit"),
    "docs_to_submit": ("Giấy tờ nộp (đánh dấu khi nhận)", "Papers handed in (tick when received)"),
    "docs_to_show": ("Giấy tờ xuất trình — xem rồi trả lại, không nộp", "Papers shown — look and hand back"),
    "act_undo_skip": ("Hoàn tác", "Undo"),
    # --- counter actions: results and refusals --------------------------------------------------
    "none_waiting": ("Không còn công dân nào đang chờ.", "No one is waiting."),
    "calling": ("Đang mời số {number} ({service}).", "Calling number {number} ({service})."),
    "recalled": ("Đã gọi lại số {number} (còn {left} lần).", "Recalled number {number} ({left} recalls left)."),
    "skipped": ("Số {number} vắng mặt. Nhầm? Bấm Hoàn tác.", "Number {number} marked absent. A mistake? Press Undo."),
    "skip_undone": ("Đã hoàn tác: số {number} được gọi tiếp theo tại quầy này.",
                    "Undone: number {number} is called next at this counter."),
    "nothing_to_undo": ("Không có số vắng mặt nào để hoàn tác.", "There is no no-show to undo."),
    "done": ("Đã hoàn thành số {number}.", "Number {number} done."),
    "done_none": ("Đã hoàn thành.", "Done."),
    "held": ("Đang tạm giữ số {number}.", "Number {number} on hold."),
    "resumed": ("Tiếp tục phục vụ số {number}.", "Serving number {number} again."),
    "paused": ("Quầy đang tạm dừng. Nhấn Mở quầy hoặc Gọi số tiếp để tiếp tục.",
               "The counter is paused. Press Open counter or Call next to go on."),
    "opened": ("Quầy đã mở.", "The counter is open."),
    "ok": ("Xong.", "Done."),
    "transferred": ("Đã chuyển số {number} sang {where}.", "Number {number} transferred to {where}."),
    "to_counter": ("quầy {n}", "counter {n}"),
    "to_service": ("dịch vụ {name}", "the {name} service"),
    "offline": ("Mất kết nối với máy chủ. Thao tác chưa được thực hiện, vui lòng thử lại.",
                "No connection to the server. Nothing was done; please try again."),
    "busy": ("Đang xử lý thao tác trước…", "Still working on the previous action…"),
    "no_ticket": ("Quầy chưa gọi số nào.", "No number is being served at this counter."),
    "done_queued": ("Đã ghi nhận hoàn thành số {number}; sẽ gửi lên máy chủ khi có kết nối.",
                    "Number {number} recorded as done; it goes to the server when the connection is back."),
    "error": ("Lỗi: {why}", "Error: {why}"),
    # --- sign-in --------------------------------------------------------------------------------
    "counter": i18n.COUNTER,
    "counter_unknown": ("Quầy", "Counter"),
    "login_title": ("{counter} — Đăng nhập cán bộ", "{counter} — Officer sign-in"),
    "username": ("Tên đăng nhập", "Username"),
    "pin": ("Mã PIN", "PIN"),
    "login": ("Đăng nhập", "Sign in"),
    "login_hint": ("Nhập tên đăng nhập và mã PIN, hoặc quét thẻ cán bộ.",
                   "Type your username and PIN, or scan your officer badge."),
    "login_missing": ("Nhập tên đăng nhập và mã PIN.", "Type your username and PIN."),
    "key_del": ("Xóa", "Del"),
    "hello": ("Xin chào {name}.", "Hello, {name}."),
    "hello_took_over": ("Xin chào {name}. Đã nhận quầy từ {other}.", "Hello, {name}. You took over from {other}."),
    "signed_out": ("Đã đăng xuất.", "Signed out."),
    "sign_in_first": ("Hãy đăng nhập trước.", "Please sign in first."),
    "refused": ("Máy chủ từ chối thiết bị này (đã thu hồi hoặc đổi mã): xin báo kỹ thuật viên.",
                "The server refuses this device (revoked or re-keyed): please call a technician."),
    # --- serving --------------------------------------------------------------------------------
    "open_intake": ("Tiếp nhận HS", "Intake"),
    "open_return": ("Trả kết quả", "Return"),
    "logout": ("Đăng xuất", "Sign out"),
    "status_open": ("đang mở", "open"),
    "status_paused": ("tạm dừng", "paused"),
    "status_closed": ("đóng", "closed"),
    "online": ("Đã kết nối", "Connected"),
    "offline_badge": ("MẤT KẾT NỐI", "OFFLINE"),
    "serving": ("Đang phục vụ", "Now serving"),
    "press_next": ("Nhấn “Gọi số tiếp” để mời công dân", "Press “Call next” to call a citizen"),
    "appointment_line": ("LỊCH HẸN {time} · {code} — {what}", "APPOINTMENT {time} · {code} — {what}"),
    "held_list": ("Đang tạm giữ: {numbers}", "On hold: {numbers}"),
    "waiting_title": ("Đang chờ", "Waiting"),
    "waiting_line": ("{service}: {n} người chờ", "{service}: {n} waiting"),
    "waiting_here": ("Chuyển đến quầy này: {n}", "Sent to this counter: {n}"),
    "today": ("Hôm nay: {done} đã xong · {no_show} vắng mặt", "Today: {done} done · {no_show} absent"),
    "transfer_title": ("Chuyển công dân sang", "Transfer the citizen to"),
    "transfer_anyway": ("{counter} (vẫn chuyển)", "{counter} (transfer anyway)"),
    "cancel": ("Hủy", "Cancel"),
    # --- dossier screens: shared ------------------------------------------------------------------
    "back": ("Quay lại", "Back"),
    "find": ("Tìm", "Find"),
    "when": ("{time} ngày {date}", "{time} on {date}"),
    "field_name": ("Họ và tên", "Full name"),
    "field_cccd": ("Số CCCD", "ID card no."),
    "field_cccd_optional": ("Số CCCD (không bắt buộc)", "ID card no. (optional)"),
    "field_phone": ("Điện thoại", "Phone"),
    "field_email": ("Email", "Email"),
    "field_address": ("Địa chỉ", "Address"),
    "field_post_address": ("Địa chỉ nhận", "Postal address"),
    "cccd_read": ("Đã đọc thẻ CCCD: {name}.", "ID card read: {name}."),
    "cccd_read_born": ("Đã đọc thẻ CCCD: {name}, sinh ngày {born}.", "ID card read: {name}, born {born}."),
    "cccd_ok": ("Số CCCD hợp lệ.", "Valid ID card number."),
    "bad_qr": ("Mã QR không hợp lệ.", "Invalid QR code."),
    # --- intake -----------------------------------------------------------------------------------
    "intake_title": ("Tiếp nhận hồ sơ", "Dossier intake"),
    "intake_title_ticket": ("Tiếp nhận hồ sơ — số {number}", "Dossier intake — number {number}"),
    "intake_title_walkin": ("Tiếp nhận hồ sơ — công dân không lấy số", "Dossier intake — walk-in, no ticket"),
    "open_booking": ("Hẹn lịch", "Book"),
    "intake_search_hint": ("Tìm thủ tục (gõ không dấu cũng được)", "Find a procedure (accents optional)"),
    "method_counter": ("Nhận kết quả: tại quầy", "Result: at the counter"),
    "method_post": ("Nhận kết quả: qua bưu chính", "Result: by post"),
    "intake_hint": ("Tìm và chọn thủ tục, đánh dấu giấy tờ đã nhận.",
                    "Find and choose the procedure, tick the documents received."),
    "keyboard": ("Bàn phím", "Keyboard"),
    "intake_submit": ("Tiếp nhận", "Take in"),
    "no_procedure_found": ("Không tìm thấy thủ tục phù hợp.", "No matching procedure."),
    "procedures_found": ("{n} thủ tục phù hợp: chọn thủ tục của công dân.",
                         "{n} matching procedures: choose the citizen's."),
    "copies": ("{n} bản", "{n} cop."),
    "limit_province": ("theo quyết định của tỉnh", "as the province decides"),
    "same_day": ("Trong ngày", "Same day"),
    "working_days": ("{n} ngày làm việc", "{n} working days"),
    "limit_and_fee": ("Thời hạn: {limit} · Lệ phí: {fee} đ", "Time limit: {limit} · Fee: {fee} VND"),
    "no_procedure": ("Chưa chọn thủ tục.", "No procedure chosen."),
    "sending": ("Đang gửi…", "Sending…"),
    "incomplete": ("Hồ sơ chưa đủ: đã in Phiếu hướng dẫn hoàn thiện hồ sơ (thiếu {n} giấy tờ).",
                   "Dossier incomplete: the guidance sheet is printed ({n} documents missing)."),
    "taken_on_spot": ("Đã tiếp nhận {code} — giải quyết ngay, không cần giấy hẹn.",
                      "Took in {code} — solved on the spot, no receipt needed."),
    "taken_in": ("Đã tiếp nhận {code}, hẹn trả {due}. Đã in Giấy tiếp nhận (2 liên).",
                 "Took in {code}, result due {due}. The receipt is printed (2 copies)."),
    # --- refusal at intake: no dossier, the Phiếu từ chối tiếp nhận giải quyết hồ sơ is printed --------
    "intake_refuse": ("Từ chối tiếp nhận", "Refuse at intake"),
    "refuse_title": ("Từ chối tiếp nhận hồ sơ — in Phiếu từ chối cho công dân",
                     "Refuse at intake — print the refusal sheet for the citizen"),
    "field_request": ("Yêu cầu", "Request"),
    "field_reason": ("Lý do {n}", "Reason {n}"),
    "refuse_request_hint": ("Nội dung yêu cầu của công dân (khi không có thủ tục)",
                            "What the citizen asks for (when no procedure fits)"),
    "refuse_reason_hint": ("Ghi rõ lý do từ chối", "Write the reason plainly"),
    "refuse_hint": ("Mỗi ô một lý do; phiếu in bằng tiếng Việt.", "One reason per box; the sheet is printed in Vietnamese."),
    "refuse_submit": ("In phiếu từ chối", "Print refusal sheet"),
    "refused_printed": ("Đã từ chối tiếp nhận hồ sơ của {name}: đã in Phiếu từ chối số {number}/TCHS.",
                        "Refused {name}'s papers at intake: refusal sheet no. {number}/TCHS printed."),
    "kbd_request": ("Yêu cầu", "Request"),
    "kbd_reason": ("Lý do {n}", "Reason {n}"),
    # --- on-screen keyboard -------------------------------------------------------------------------
    "kbd_name": ("Họ tên", "Name"),
    "kbd_cccd": ("CCCD", "ID no."),
    "kbd_phone": ("Điện thoại", "Phone"),
    "kbd_address": ("Địa chỉ", "Address"),
    "kbd_post_address": ("Đ/c nhận", "Post addr."),
    "kbd_email": ("Email", "Email"),
    "kbd_done": ("Xong", "Done"),
    "kbd_space": ("Cách", "Space"),
    "kbd_backspace": ("Xóa", "Del"),
    "kbd_clear": ("Xóa hết", "Clear"),
    # --- return -------------------------------------------------------------------------------------
    "return_title": ("Trả kết quả — quét mã trên giấy hẹn", "Return a result — scan the receipt's code"),
    "return_code_hint": ("Mã hồ sơ (quét mã vạch hoặc gõ)", "Dossier code (scan the barcode or type it)"),
    "tracking_hint": ("Số hiệu bưu gửi", "Postal tracking no."),
    "late_reason_hint": ("Trễ hẹn: lý do chậm", "Late: reason for the delay"),
    "new_due_hint": ("Hẹn mới dd/mm/yyyy", "New date dd/mm/yyyy"),
    "print_apology": ("In phiếu xin lỗi", "Print apology"),
    "return_submit": ("Trả kết quả", "Return result"),
    "fees_paid": ("{box} Đã thu phí: {fee} đ", "{box} Fees paid: {fee} VND"),
    "intake_scan": ("Số hóa", "Digitise"),
    # --- the competent agency, for a procedure of another commune (Decree 118/2025 Art. 14(2)) ----------
    "competent_key": ("Nơi giải quyết", "Competent body"),
    "competent_chosen": ("{agency}", "{agency}"),
    "competent_said": ("Hồ sơ do {agency} giải quyết: được chuyển qua tỉnh đến nơi cơ quan đó làm việc.",
                       "{agency} decides this dossier: it goes through the province to where that agency works."),
    "competent_reset": ("Hồ sơ do cơ quan theo danh mục thủ tục giải quyết.",
                        "The agency of the catalogue decides this dossier."),
    "competent_title": ("Cơ quan giải quyết (người nộp ở xã, phường khác)",
                        "Competent agency (applicant from another commune)"),
    "competent_hint": ("Chọn cơ quan có thẩm quyền; hồ sơ được chuyển đến nơi cơ quan đó làm việc.",
                       "Choose the competent agency; the dossier goes where it works."),
    "competent_where": ("{agency} — {where}", "{agency} — {where}"),
    "competent_catalogue": ("Theo danh mục thủ tục", "As in the catalogue"),
    "competent_none": ("Chưa có danh bạ cơ quan của tỉnh: trung tâm chưa tham gia tỉnh hoặc chưa đồng bộ.",
                       "No directory of the province's agencies yet: this centre has not joined or synced."),
    "return_scan": ("Chụp kết quả", "Photo of result"),
    "result_page": ("Đã chụp trang {n} của kết quả; bấm Trả kết quả để gửi bản điện tử.",
                    "Result page {n} captured; press Return result to send the electronic copy."),
    "no_result_scan": ("Chưa có hồ sơ hoặc chưa cấu hình máy chụp tài liệu.",
                       "No dossier yet, or no document camera is set up."),
    "no_fees": ("Thủ tục không thu phí, lệ phí", "No fees for this procedure"),
    "citizen_signed": ("{box} Công dân đã ký nhận", "{box} Citizen has signed"),
    "confirmed": ("Đã xác nhận thu phí và ký nhận: bấm Trả kết quả.",
                  "Fees and signature confirmed: press Return result."),
    "where_post": ("qua bưu chính: {address}", "by post: {address}"),
    "where_counter": ("tại quầy", "at the counter"),
    "details": ("{code} — {procedure}\nNgười nộp: {name}  CCCD: {cccd}\nTrạng thái: {status}\n"
                "Hẹn trả: {due}  ·  Nhận kết quả {where}",
                "{code} — {procedure}\nApplicant: {name}  ID: {cccd}\nStatus: {status}\n"
                "Due: {due}  ·  Result {where}"),
    "details_after": ("{code} — {status}", "{code} — {status}"),
    "details_datastore": ("{details}\nKết quả điện tử {doc_code}: {state}",
                          "{details}\nElectronic result {doc_code}: {state}"),
    "ready": ("Kết quả đã sẵn sàng.", "The result is ready."),
    "not_ready": ("Hồ sơ chưa có kết quả.", "This dossier has no result yet."),
    "already_returned": ("Hồ sơ đã trả kết quả.", "This dossier's result was already returned."),
    "no_dossier": ("Chưa có hồ sơ: quét mã trên giấy hẹn.", "No dossier yet: scan the receipt's code."),
    "need_new_due": ("Nhập ngày hẹn trả mới (ngày/tháng/năm, ví dụ 08/12/2026).",
                     "Type the new return date (day/month/year, e.g. 08/12/2026)."),
    "apology_printed": ("Đã in Phiếu xin lỗi; hẹn trả mới: {due}.", "Apology printed; new return date: {due}."),
    "returned": ("Đã trả kết quả hồ sơ {code}.", "Result of dossier {code} returned."),
    # Only when a ticket is being served: completing it opens the citizen's vote (a walk-in has none).
    "returned_vote": ("Đã trả kết quả hồ sơ {code}. Bấm {done} để công dân đánh giá sự hài lòng.",
                      "Result of dossier {code} returned. Press {done} so the citizen can rate the service."),
    # A dossier's status (`status_<status>`, `status_ready_rejected`): motcua_core's one table, below.
    # --- booking ------------------------------------------------------------------------------------
    "booking_title": ("Đặt lịch hẹn cho công dân", "Book an appointment for the citizen"),
    "booking_hint": ("Chọn dịch vụ, ngày và giờ.", "Choose the service, the day and the time."),
    "book": ("Đặt lịch", "Book"),
    "choose_slot": ("Hãy chọn ngày và giờ hẹn.", "Choose a day and a time."),
    "booked": ("Đã đặt lịch {time} ngày {day}. Mã lịch hẹn: {code} (ghi lên phiếu hướng dẫn; tin nhắn xác nhận "
               "đã gửi).",
               "Booked for {time} on {day}. Booking code: {code} (write it on the guidance sheet; a "
               "confirmation text was sent)."),
    "weekdays": ("T2 T3 T4 T5 T6 T7 CN", "Mon Tue Wed Thu Fri Sat Sun"),
}
# The words the hub and the kiosk use for a dossier's status, never a copy that could drift from them.
WORDS.update({f"status_{key}": words for key, words in dossier_status.WORDS.items()})


def t(key: str, lang: str = "vi", **values: object) -> str:
    return lookup(WORDS, key, lang, **values)


@dataclass(frozen=True)
class Said:
    """One text in both languages, ready for whichever the screen is in."""

    vi: str
    en: str

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


def say(key: str, **values: object) -> Said:
    """`key` in both languages. A value may itself be a Said (a service's name, a date), filled in
    the matching language."""
    def fill(lang: str) -> str:
        return t(key, lang, **{k: v.text(lang) if isinstance(v, Said) else v for k, v in values.items()})
    vi, en = (fill(lang) for lang in LANGS)
    return Said(vi, en)


def same(text: str) -> Said:
    """Words that read the same in both (a procedure's name, a code, the hub's Vietnamese-only data)."""
    return Said(text, text)


def named(vi: str, en: str | None) -> Said:
    """A name the hub gives in Vietnamese and, where the site has one, English (`name_en`)."""
    return Said(vi, en or vi)


def refusal(exc) -> Said:
    """A hub refusal (RequestError) or a local rule's (DomainError): English message, else Vietnamese."""
    return Said(exc.text("vi"), exc.text("en"))


def counter_name(name: str | None, number: int | None) -> Said:
    """This counter's name in both languages, by the lobby's rule (motcua_core.i18n.counter_name): a
    default Vietnamese one ("Quầy 2") reads "Counter 2" in English."""
    if number is None:
        return say("counter_unknown") if not name else same(name)
    vi, en = (i18n.counter_name(name, number, lang) for lang in LANGS)
    return Said(vi, en)


def action_label(name: str) -> Said:
    return say(f"act_{name}")
