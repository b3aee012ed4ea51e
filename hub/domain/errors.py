"""The one error type the domain raises; its code is a protocol error code."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused an action. `code` is one of devicekit.protocol.ERROR_CODES."""

    def __init__(self, code: str, message: str, message_vi: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.message_vi = message_vi
