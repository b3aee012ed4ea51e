"""The error types both sides share: what a hub rule refuses (DomainError) and what a device gets back
from a refused or unanswered request (RequestError). Their codes are protocol error codes."""

from __future__ import annotations

from collections.abc import Callable

from motcua_core.i18n import sentence
from motcua_core.protocol import ERROR_CODES


class _Worded:
    """Both error types carry the same words: `message` (English) and `message_vi`."""

    code: str
    message: str
    message_vi: str | None

    def text(self, lang: str = "vi") -> str:
        """What a screen shows: in English the hub's English message when it gave one, else Vietnamese."""
        if lang == "en" and self.message and self.message != self.code:
            return sentence(self.message)
        return self.message_vi or sentence(self.message)


class DomainError(_Worded, Exception):
    """A rule refused an action. `code` is one of motcua_core.protocol.ERROR_CODES.

    The request's own writes are rolled back; `keep` (if given) then runs in the same transaction, for the
    few things a refusal must still record (a wrong PIN counts towards a lock-out)."""

    def __init__(self, code: str, message: str, message_vi: str | None = None,
                 keep: Callable[[], None] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.message_vi = message_vi
        self.keep = keep


class RequestError(_Worded, Exception):
    """A request the hub refused (`code` from ERROR_CODES) or never answered (`timeout`)."""

    def __init__(self, code: str, message: str | None = None, message_vi: str | None = None,
                 request_id: str = ""):
        self.code = code
        self.message = message or code
        self.message_vi = message_vi or ERROR_CODES.get(code, ERROR_CODES["internal"])
        self.request_id = request_id
        super().__init__(f"{code}: {self.message}")
