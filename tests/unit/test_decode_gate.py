"""The inbound gate skips its walk of a decoded message when the raw bytes show nothing that could fail
it (issue #15). It must refuse exactly what the full walk refuses: checked here on the poisoned shapes
and on generated JSON, by comparing `decode` with the walk run on every message."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua_core import protocol as p
from motcua_core.protocol import ProtocolError

SHAPES = [
    b'{"v":1,"request_id":"\\ud800","data":{}}',
    b'{"v":1,"request_id":"r","data":{"\\udfff":1}}',
    b'{"v":1,"request_id":"r","data":{"x":' + b"[" * 17 + b"]" * 17 + b"}}",
    b'{"v":1,"request_id":"r","data":{"x":' + b"[" * 15 + b"]" * 15 + b"}}",
    b'{"v":1,"request_id":"r","data":{"n":9007199254740993}}',  # 2**53 + 1: 16 digits
    b'{"v":1,"request_id":"r","data":{"n":9007199254740992}}',  # 2**53 itself is allowed
    b'{"v":1,"request_id":"r","data":{"n":1e999}}',
    b'{"v":1,"request_id":"r","data":{"n":-1E+400}}',
    b'{"v":1,"request_id":"r","data":{"n":1e308}}',
    b'{"v":1,"request_id":"r","data":{"n":' + b"1" * 400 + b'.0}}',
    b'{"v":1,"request_id":"r","data":{"t":"\\u0110\\u0103ng k\\u00fd"}}',
    '{"v":1,"request_id":"r","data":{"t":"Đăng ký khai sinh"}}'.encode(),
]


def _walk_verdict(payload: bytes) -> str:
    """What the gate says when it always walks the decoded value."""
    try:
        obj = json.loads(payload.decode("utf-8"), parse_constant=p._refuse_constant)
        p.check_value(obj)
    except (ValueError, RecursionError):
        return "bad_json"
    return "ok"


def _verdict(payload: bytes) -> str:
    try:
        p.decode(payload)
    except ProtocolError as exc:
        return exc.code
    return "ok"


@pytest.mark.parametrize("payload", SHAPES)
def test_the_gate_refuses_what_the_walk_refuses(payload: bytes) -> None:
    assert _verdict(payload) == _walk_verdict(payload)


def test_infinity_is_refused() -> None:
    with pytest.raises(ProtocolError) as err:
        p.decode(b'{"v":1,"request_id":"r","data":{"n":1e999}}')
    assert err.value.code == "bad_json"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**60, max_value=2**60)
    | st.floats(allow_nan=False) | st.text(st.characters(), max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(JSON, st.booleans())
def test_generated_messages(data: object, escaped: bool) -> None:
    text = json.dumps({"v": 1, "request_id": "r", "data": data}, ensure_ascii=escaped)
    payload = text.encode("utf-8", "surrogatepass")  # raw surrogates make invalid UTF-8: refused by both
    assert _verdict(payload) == _walk_verdict(payload)
