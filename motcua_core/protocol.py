"""The motcua MQTT protocol, v1: topic names, message envelopes, validation, error codes.

Hub and devices import this one module, so both sides build and check messages the same way.
docs/protocol.md is the human-readable version of this file; keep them in step.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from dataclasses import dataclass
from typing import Any

PROTOCOL_VERSION = 1
ROOT = "motcua/v1"
# The hub answers larger requests with `payload_too_large`; the broker's own packet limit is higher
# so that such a request still reaches the hub and gets an answer instead of a silent disconnect.
MAX_PAYLOAD = 64 * 1024
BROKER_MAX_PACKET = 1024 * 1024

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
VERB_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
REQUEST_ID_MAX = 64

ROLES = ("kiosk", "counter", "display", "voting", "lookup")
PRIORITIES = ("none", "elderly", "disability", "pregnant", "merit")


class ProtocolError(Exception):
    """A message that breaks the protocol. `code` is one of ERROR_CODES."""

    def __init__(self, code: str, message: str, message_vi: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.message_vi = message_vi or ERROR_CODES.get(code, ERROR_CODES["internal"])


# Error code -> default Vietnamese text a device may show a citizen or officer.
ERROR_CODES: dict[str, str] = {
    "bad_json": "Dữ liệu gửi lên không hợp lệ.",
    "bad_request": "Yêu cầu không hợp lệ.",
    "unsupported_version": "Phiên bản giao thức không được hỗ trợ.",
    "payload_too_large": "Dữ liệu gửi lên quá lớn.",
    "unknown_verb": "Yêu cầu không được hỗ trợ.",
    "unknown_device": "Thiết bị chưa được đăng ký.",
    "wrong_site": "Thiết bị không thuộc đơn vị này.",
    "forbidden": "Thiết bị không được phép thực hiện thao tác này.",
    "not_found": "Không tìm thấy.",
    "conflict": "Thao tác không phù hợp với trạng thái hiện tại.",
    "recall_limit": "Đã gọi lại đủ số lần cho phép.",
    "auth_failed": "Tên đăng nhập hoặc mã PIN không đúng.",
    "locked": "Tài khoản đang tạm khóa. Vui lòng thử lại sau.",
    "closed": "Ngoài giờ cấp số thứ tự.",
    "rate_limited": "Thao tác quá nhiều lần. Vui lòng thử lại sau ít phút.",
    "signin_required": "Phiên đăng nhập đã hết hạn hoặc không hợp lệ. Vui lòng đăng nhập lại.",
    "timeout": "Máy chủ không phản hồi. Vui lòng thử lại.",
    "busy": "Hệ thống đang bận. Vui lòng thử lại sau ít giây.",
    "internal": "Lỗi hệ thống. Vui lòng thử lại.",
}


# --- topics -----------------------------------------------------------------------------------

def site_root(site: str) -> str:
    return f"{ROOT}/{site}"


def dev_topic(site: str, device_id: str, leaf: str) -> str:
    """`leaf` is status, health, config, res, cmd, or req/<verb>."""
    return f"{ROOT}/{site}/dev/{device_id}/{leaf}"


def req_topic(site: str, device_id: str, verb: str) -> str:
    return dev_topic(site, device_id, f"req/{verb}")


def display_topic(site: str, leaf: str) -> str:
    """`leaf` is state or call."""
    return f"{ROOT}/{site}/display/{leaf}"


# Subscriptions the hub makes. (Hub replicas would take requests through an MQTT v5 shared
# subscription, `$share/hubs/…`; one hub per site is what is built today.)
HUB_REQ_SUB = f"{ROOT}/+/dev/+/req/+"
HUB_STATUS_SUB = f"{ROOT}/+/dev/+/status"
HUB_HEALTH_SUB = f"{ROOT}/+/dev/+/health"


@dataclass(frozen=True)
class Topic:
    site: str
    kind: str  # "dev" or "display"
    device_id: str | None
    leaf: str  # status/health/config/res/cmd/req, or state/call for display
    verb: str | None = None


def parse_topic(topic: str) -> Topic:
    """Split a motcua topic; raise ProtocolError('bad_request') for anything else."""
    parts = topic.split("/")
    if len(parts) < 5 or f"{parts[0]}/{parts[1]}" != ROOT or not ID_RE.match(parts[2]):
        raise ProtocolError("bad_request", f"not a motcua v1 topic: {topic!r}")
    site = parts[2]
    if parts[3] == "display" and len(parts) == 5 and parts[4] in ("state", "call"):
        return Topic(site, "display", None, parts[4])
    if parts[3] == "dev" and ID_RE.match(parts[4]):
        rest = parts[5:]
        if len(rest) == 1 and rest[0] in ("status", "health", "config", "res", "cmd"):
            return Topic(site, "dev", parts[4], rest[0])
        if len(rest) == 2 and rest[0] == "req":
            return Topic(site, "dev", parts[4], "req", rest[1])
    raise ProtocolError("bad_request", f"not a motcua v1 topic: {topic!r}")


# --- envelopes --------------------------------------------------------------------------------

def new_request_id() -> str:
    return uuid.uuid4().hex


# One compact encoder, made once: json.dumps with options builds a new JSONEncoder on every call, which
# was a sixtieth of the hub's CPU per ticket (issue #15). JSONEncoder.encode keeps no state: thread-safe.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode_text(obj: Any) -> str:
    """Compact JSON text, UTF-8 characters as they are: how every message and stored reply is written."""
    return _COMPACT.encode(obj)


def encode(obj: dict[str, Any]) -> bytes:
    return _COMPACT.encode(obj).encode("utf-8")


MAX_DEPTH = 16  # nesting a request may have (a dossier's applicant and documents need 3)
MAX_INT = 2**53  # integers beyond what JSON readers agree on are refused, not rounded
# Codes for a message that can never succeed, whatever retries: a device outbox drops it (only
# `timeout` and `internal` are retried).
FINAL_CODES = frozenset({"bad_json", "bad_request", "unsupported_version", "payload_too_large"})


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def check_value(value: Any, depth: int = 0) -> None:
    """Raise ValueError unless `value` can be re-encoded as UTF-8 JSON (no lone surrogates, sane
    integers, finite numbers, bounded nesting): everything the hub stores or echoes back must encode
    again."""
    if depth > MAX_DEPTH:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        value.encode("utf-8")  # UnicodeEncodeError (a ValueError) on a lone surrogate
    elif isinstance(value, float):
        if not math.isfinite(value):  # 1e999 parses as infinity, which JSON cannot say
            raise ValueError("number out of range")
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if not -MAX_INT <= value <= MAX_INT:
            raise ValueError("integer out of range")
    elif isinstance(value, dict):
        for k, v in value.items():
            k.encode("utf-8")
            check_value(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            check_value(v, depth + 1)


# What in a payload could make check_value refuse it: an escape (a lone surrogate can only come from
# one, strict UTF-8 decoding refuses the rest), a 16-digit run (an integer near 2**53) or a number with
# a 3-digit exponent (as JSON writes one: after `:`, `,`, `[` or a space, so a hex request id's "3e141"
# does not count). A payload with none of them and few brackets cannot fail, so the walk is skipped
# (issue #15: the walk was a fortieth of the hub's CPU per ticket). Anything looking like them is walked.
_MAY_FAIL_CHECK = re.compile(rb"\\u|\d{16}|[:,\[\s]-?\d+(?:\.\d+)?[eE][+-]?\d{3}")


def _needs_check(payload: bytes) -> bool:
    return payload.count(b"{") + payload.count(b"[") > MAX_DEPTH or _MAY_FAIL_CHECK.search(payload) is not None


def decode(payload: bytes) -> dict[str, Any]:
    """Parse a JSON object payload with a supported `v`; raise ProtocolError otherwise.

    This is the one gate of every inbound message: what it returns can be encoded again (a reply echoes
    the request id; health is stored), so a poisoned message fails here, alone, with a final code."""
    if len(payload) > MAX_PAYLOAD:
        raise ProtocolError("payload_too_large", f"payload of {len(payload)} bytes exceeds {MAX_PAYLOAD}")
    try:
        obj = json.loads(payload.decode("utf-8"), parse_constant=_refuse_constant)
        if _needs_check(payload):
            check_value(obj)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeError, int digits limit
        raise ProtocolError("bad_json", f"payload is not valid UTF-8 JSON: {ascii(str(exc))[1:120]}") from None
    if not isinstance(obj, dict):
        raise ProtocolError("bad_json", "payload must be a JSON object")
    v = obj.get("v")
    if type(v) is not int or v != PROTOCOL_VERSION:  # `true` and `1.0` are not version 1
        raise ProtocolError("unsupported_version", f"unsupported protocol version {v!r}")
    return obj


def make_request(verb: str, data: dict[str, Any] | None = None, request_id: str | None = None) -> dict[str, Any]:
    if not VERB_RE.match(verb):
        raise ValueError(f"bad verb {verb!r}")
    return {"v": PROTOCOL_VERSION, "request_id": request_id or new_request_id(), "data": data or {}}


def parse_request(payload: bytes) -> tuple[str, dict[str, Any]]:
    """Return (request_id, data) of a request payload, or raise ProtocolError."""
    obj = decode(payload)
    rid = obj.get("request_id")
    if not isinstance(rid, str) or not rid or len(rid) > REQUEST_ID_MAX:
        raise ProtocolError("bad_request", "request_id must be a non-empty string of at most 64 characters")
    data = obj.get("data", {})
    if not isinstance(data, dict):
        raise ProtocolError("bad_request", "data must be a JSON object")
    return rid, data


_READABLE_ID = re.compile(rb'"request_id"\s*:\s*"([A-Za-z0-9._:-]{1,64})"')


def readable_request_id(payload: bytes) -> str | None:
    """The request id of a payload `parse_request` refused, when it can still be read (plain characters
    in a `"request_id": "…"` pair), so the device's reply finds its request; None otherwise."""
    m = _READABLE_ID.search(payload[:MAX_PAYLOAD])
    return m.group(1).decode("ascii") if m else None


def ok_response(request_id: str | None, data: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"v": PROTOCOL_VERSION, "request_id": request_id, "ok": True, "data": data or {}}


def error_response(request_id: str | None, err: ProtocolError) -> dict[str, Any]:
    return {
        "v": PROTOCOL_VERSION,
        "request_id": request_id,
        "ok": False,
        "error": {"code": err.code, "message": err.message, "message_vi": err.message_vi},
    }


def parse_response(payload: bytes) -> dict[str, Any]:
    """Validate a response envelope (devices call this on every `res` message)."""
    obj = decode(payload)
    if not isinstance(obj.get("ok"), bool):
        raise ProtocolError("bad_request", "response lacks boolean 'ok'")
    if obj["ok"] and not isinstance(obj.get("data"), dict):
        raise ProtocolError("bad_request", "ok response lacks object 'data'")
    if not obj["ok"]:
        err = obj.get("error")
        if not isinstance(err, dict) or not isinstance(err.get("code"), str):
            raise ProtocolError("bad_request", "error response lacks 'error.code'")
    return obj
