"""The root domain error and the error codes every layer shares.

A code is a stable, documented contract (clients branch on it); its message is looked up in the
gettext catalogs under locales/ in the caller's language, with the error's params filled in.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Stable error codes, surfaced as `code` in GraphQL errors and payloads."""

    INTERNAL_ERROR = "INTERNAL_ERROR"
    BAD_REQUEST = "BAD_REQUEST"
    NOT_FOUND = "NOT_FOUND"
    INVALID_CURSOR = "INVALID_CURSOR"
    PAGE_SIZE_OUT_OF_RANGE = "PAGE_SIZE_OUT_OF_RANGE"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    REQUIRED = "REQUIRED"
    INVALID_VALUE = "INVALID_VALUE"


# The English source text of each code's message: the msgid in locales/*/onewindow.po.
# Placeholders use str.format names that the raising code passes as params.
MESSAGES: dict[ErrorCode, str] = {
    ErrorCode.INTERNAL_ERROR: ("Something went wrong on our side. Please try again later (reference {request_id})."),
    ErrorCode.BAD_REQUEST: "The request could not be understood: {detail}",
    ErrorCode.NOT_FOUND: "{what} was not found.",
    ErrorCode.INVALID_CURSOR: "The page cursor is not valid. Start again from the first page.",
    ErrorCode.PAGE_SIZE_OUT_OF_RANGE: "Ask for between 1 and {max} items per page.",
    ErrorCode.GRAPHQL_VALIDATION_FAILED: "The query is not valid for this API: {detail}",
    ErrorCode.METHOD_NOT_ALLOWED: "Mutations must be sent with POST.",
    ErrorCode.REQUIRED: "This field is required.",
    ErrorCode.INVALID_VALUE: "This value is not valid.",
}


class DomainError(Exception):
    """An expected failure with a stable code; the transport layer turns it into a message."""

    def __init__(self, code: ErrorCode, *, field: str | None = None, **params: Any) -> None:
        super().__init__(f"{code}: {params}" if params else str(code))
        self.code = code
        self.field = field
        self.params = params


class NotFoundError(DomainError):
    """The thing asked for does not exist (or is hidden from the caller)."""

    def __init__(self, what: str, *, field: str | None = None) -> None:
        super().__init__(ErrorCode.NOT_FOUND, field=field, what=what)
