"""The one error type the domain raises; its code is a protocol error code."""

from __future__ import annotations

from collections.abc import Callable


class DomainError(Exception):
    """A rule refused an action. `code` is one of devicekit.protocol.ERROR_CODES.

    The request's own writes are rolled back; `keep` (if given) then runs in the same transaction, for the
    few things a refusal must still record (a wrong PIN counts towards a lock-out)."""

    def __init__(self, code: str, message: str, message_vi: str | None = None,
                 keep: Callable[[], None] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.message_vi = message_vi
        self.keep = keep
