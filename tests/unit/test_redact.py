"""What a hub log line may not show (issue #21): hub.redact on the shapes the hub writes."""

from __future__ import annotations

from hub.redact import redact


def test_secrets_and_personal_numbers_are_hidden_the_rest_is_kept() -> None:
    line = ("notification to 0912345678: Xác nhận đặt lịch — Mã lịch hẹn: HK7-M2Q. Hủy hoặc đổi lịch: "
            "http://192.168.1.10:8080/hen/q/Ab3_-x9ZqLw2 tra cứu /d/DEMO-261206-0001?k=ABC234&lang=vi "
            'CCCD 001090012345 code ABCD-EFGH qr motcua-enrol:ABCDEFGH Authorization: Bearer s3cr3t.t0k '
            'e-mail dung.pham@example.vn +84 912 345 678 {"lookup_key": "XYZ789", "manage_secret": "q_q"} '
            "at 1796546148.2 ticket 1001 counter 3")
    out = redact(line)
    for secret in ("0912345678", "Ab3_-x9ZqLw2", "ABC234", "001090012345", "ABCD-EFGH", "ABCDEFGH", "s3cr3t",
                   "dung.pham", "912 345 678", "XYZ789", "q_q"):
        assert secret not in out, secret
    for kept in ("091*****78", "/hen/q/…", "?k=…&lang=vi", "DEMO-261206-0001", "HK7-M2Q", "d***@example.vn",
                 "1796546148.2", "ticket 1001", '"lookup_key": "…"'):
        assert kept in out, kept
