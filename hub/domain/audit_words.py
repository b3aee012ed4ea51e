"""The audit log in words a leader reads (pure): each action's Vietnamese name, whether it is routine queue
work (kept out of the default view: 96 % of a morning's rows were calls), and the target of an operation
that did not name one, read from its result."""

from __future__ import annotations

ACTION_VI = {
    "ticket.issue": "Cấp số thứ tự", "counter.open": "Mở quầy", "counter.pause": "Tạm dừng quầy",
    "counter.close": "Đóng quầy", "counter.next": "Gọi số tiếp", "counter.recall": "Gọi lại",
    "counter.skip": "Đánh dấu vắng mặt", "counter.transfer": "Chuyển số", "counter.reinstate": "Hoàn tác vắng mặt",
    "counter.hold": "Tạm giữ số", "counter.resume": "Tiếp tục số tạm giữ", "counter.complete": "Hoàn thành lượt",
    "counter.login": "Cán bộ đăng nhập quầy", "counter.logout": "Cán bộ đăng xuất quầy",
    "vote.submit": "Đánh giá hài lòng", "dossier.intake": "Tiếp nhận hồ sơ",
    "dossier.refuse_intake": "Từ chối tiếp nhận hồ sơ", "dossier.return": "Trả kết quả hồ sơ",
    "dossier.apology": "Xin lỗi, hẹn lại ngày trả", "dossier.form": "In lại biểu mẫu hồ sơ",
    "appointment.checkin": "Xác nhận lịch hẹn tại ki-ốt", "appointment.book": "Đặt lịch hẹn",
    "device.selftest": "Thiết bị tự kiểm tra", "account.activate": "Mở khóa tài khoản",
    "account.deactivate": "Khóa tài khoản", "token_add": "Tạo mã truy cập API", "device_add": "Đăng ký thiết bị",
    "account.create": "Tạo tài khoản", "calendar.change": "Sửa lịch làm việc", "counter.add": "Thêm quầy",
    "counter.change": "Sửa quầy", "device.add": "Đăng ký thiết bị", "device.revoke": "Thu hồi thiết bị",
    "officer.add": "Thêm cán bộ", "officer.change": "Sửa cán bộ", "password.change": "Đổi mật khẩu",
    "password.reset": "Đặt lại mật khẩu", "service.add": "Thêm dịch vụ", "service.change": "Sửa dịch vụ",
    "sign_in": "Đăng nhập bảng điều hành", "sign_out": "Đăng xuất bảng điều hành",
    "sign_in.failed": "Đăng nhập sai", "site.settings": "Sửa cài đặt đơn vị", "site.load": "Nạp cấu hình đơn vị",
    "vote_question.change": "Sửa câu hỏi đánh giá", "catalog.import": "Nhập danh mục thủ tục",
    "report.issue": "Phát hành báo cáo có số",
    "service.retire": "Ngừng dịch vụ", "service.restore": "Khôi phục dịch vụ", "counter.retire": "Ngừng quầy",
    "counter.restore": "Khôi phục quầy", "officer.retire": "Cán bộ ngừng làm việc", "officer.restore": "Khôi phục cán bộ",
    "dossier.result_electronic": "Ký số kết quả điện tử", "dossier.payment": "Ghi nhận chuyển khoản phí, lệ phí",
    "dossier.scan_ocr": "Nhận dạng chữ bản số hóa (OCR)",
    "dossier.datastore": "Gửi kết quả điện tử vào kho dữ liệu của công dân",
    "lobby.notice_add": "Thêm thông báo màn hình sảnh", "lobby.notice_change": "Sửa thông báo màn hình sảnh",
    "lobby.notice_move": "Đổi thứ tự thông báo màn hình sảnh", "lobby.notice_retire": "Ngừng thông báo màn hình sảnh",
    "lobby.notice_restore": "Khôi phục thông báo màn hình sảnh", "lobby.image_add": "Thêm ảnh màn hình sảnh",
    "lobby.image_retire": "Ngừng ảnh màn hình sảnh", "lobby.image_restore": "Khôi phục ảnh màn hình sảnh",
}
# Routine queue work: one row per citizen and per key press.
QUEUE_PREFIXES = ("ticket.", "counter.next", "counter.recall", "counter.skip", "counter.complete",
                  "counter.open", "counter.hold", "counter.resume", "counter.transfer", "counter.reinstate",
                  "vote.submit")


def action_vi(action: str) -> str:
    return ACTION_VI.get(action, action)


def is_queue(action: str) -> bool:
    return action.startswith(QUEUE_PREFIXES)


def target_of(result: object) -> str:
    """What an operation acted on, from what it returned: a ticket's number, a dossier's code, a device's
    id, an account's name ('' when the result names nothing)."""
    if not isinstance(result, dict):
        return ""
    for key, inner in (("ticket", "number"), ("dossier", "code"), ("device", "id"), ("account", "username"),
                       ("appointment", "code"), ("refusal", "number")):
        v = result.get(key)
        if isinstance(v, dict) and v.get(inner):
            prefix = {"ticket": "vé ", "dossier": "hồ sơ ", "device": "thiết bị ", "account": "tài khoản ",
                      "appointment": "lịch hẹn ", "refusal": "phiếu từ chối "}[key]
            return prefix + str(v[inner])
    for key, prefix in (("code", "hồ sơ "), ("device_id", "thiết bị "), ("number", "vé ")):
        if isinstance(result.get(key), str | int) and result.get(key):
            return prefix + str(result[key])
    return ""
