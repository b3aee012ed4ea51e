"""Request schemas of the HTTP API: one declaration per handler that both validates what arrives and
describes it in /api/v1/openapi.json (hub.web.openapi), so the documentation cannot drift from the code.

    @describe("Add or change a service", body={"code": F("string", True, "service code"), …})

`validate(schema, body)` refuses unknown fields, missing required ones and wrong types, naming the field
in Vietnamese."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from motcua_core.errors import DomainError

TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "integer": (int,), "boolean": (bool,), "array": (list,),
                                      "number": (int, float), "object": (dict,)}
TYPE_VI = {"string": "chuỗi ký tự", "integer": "số nguyên", "boolean": "đúng/sai", "array": "danh sách",
           "number": "số", "object": "đối tượng JSON"}


@dataclass(frozen=True)
class F:
    type: str
    required: bool = False
    description: str = ""
    max_length: int | None = None

    def openapi(self) -> dict:
        out: dict[str, Any] = {"type": self.type, "description": self.description}
        if self.type == "array":
            out["items"] = {"type": "string"}
        if self.max_length:
            out["maxLength"] = self.max_length
        return out


Schema = dict[str, F]


def validate(schema: Schema, body: dict) -> dict:
    unknown = sorted(set(body) - set(schema))
    if unknown:
        raise DomainError("bad_request", f"unknown field(s): {', '.join(unknown)}",
                          f"Trường không được hỗ trợ: {', '.join(unknown)}.")
    for name, f in schema.items():
        value = body.get(name)
        if value is None or value == "":
            if f.required:
                raise DomainError("bad_request", f"field {name} is required", f"Thiếu trường bắt buộc: {name}.")
            continue
        ok = isinstance(value, TYPES[f.type]) and not (f.type in ("integer", "number") and isinstance(value, bool))
        if not ok:
            raise DomainError("bad_request", f"field {name} must be {f.type}",
                              f"Trường {name} phải là {TYPE_VI[f.type]}.")
        if f.max_length and isinstance(value, str) and len(value) > f.max_length:
            raise DomainError("bad_request", f"field {name} is too long",
                              f"Trường {name} dài quá {f.max_length} ký tự.")
    return body


def describe(summary: str, *, body: Schema | None = None, query: Schema | None = None, public: bool = False,
             roles: tuple[str, ...] | None = None, returns: str = "application/json", status: int = 200,
             response: dict | None = None, errors: tuple[int, ...] = ()) -> Callable:
    """Attach the handler's documentation (read by hub.web.openapi); `body` is also what it validates.
    `status` is its success status, `response` the JSON Schema of its success body (default: an object),
    `errors` the refusals it answers beyond those every route of its kind does (hub.web.openapi)."""

    def mark(handler: Callable) -> Callable:
        handler.api = {"summary": summary, "body": body, "query": query or {}, "public": public,  # type: ignore[attr-defined]
                       "roles": roles, "returns": returns, "status": status, "response": response,
                       "errors": errors}
        return handler

    return mark
