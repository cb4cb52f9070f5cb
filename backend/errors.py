"""The root domain error, the codes every layer shares, and the registry of every code's message.

A code is a stable, documented contract (clients branch on it); its message is looked up in the
gettext catalogs under locales/ in the caller's language, with the error's params filled in. Each
domain declares its own code enum and messages next to its code (backend/identity/errors.py,
backend/applications/errors.py, payments/errors.py, backend/assistant/errors.py) and registers
them here; the GraphQL schema's ErrorCode enum is built from all of them (backend/graphql/errors.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class CommonErrorCode(StrEnum):
    """Codes of requests, sign-in, permissions and field values: shared by every domain."""

    INTERNAL_ERROR = "INTERNAL_ERROR"
    BAD_REQUEST = "BAD_REQUEST"
    NOT_FOUND = "NOT_FOUND"
    INVALID_CURSOR = "INVALID_CURSOR"
    PAGE_SIZE_OUT_OF_RANGE = "PAGE_SIZE_OUT_OF_RANGE"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    TEMPORARILY_UNAVAILABLE = "TEMPORARILY_UNAVAILABLE"
    TOO_MANY_SUBSCRIPTIONS = "TOO_MANY_SUBSCRIPTIONS"
    REQUIRED = "REQUIRED"
    INVALID_VALUE = "INVALID_VALUE"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    UNKNOWN_SIGNING_KEY = "UNKNOWN_SIGNING_KEY"
    FORBIDDEN = "FORBIDDEN"
    INSUFFICIENT_SCOPE = "INSUFFICIENT_SCOPE"
    INVALID_PHONE = "INVALID_PHONE"
    INVALID_ID_NUMBER = "INVALID_ID_NUMBER"
    RATE_LIMITED = "RATE_LIMITED"
    INVALID_CREDIT_CODE = "INVALID_CREDIT_CODE"
    INVALID_DATE = "INVALID_DATE"
    INVALID_MONEY = "INVALID_MONEY"
    INVALID_NUMBER = "INVALID_NUMBER"
    INVALID_MEASUREMENT = "INVALID_MEASUREMENT"
    INVALID_BOOLEAN = "INVALID_BOOLEAN"
    INVALID_OPTION = "INVALID_OPTION"
    TOO_LONG = "TOO_LONG"
    NOT_YOUR_DEPARTMENT = "NOT_YOUR_DEPARTMENT"
    SANDBOX_PERSONAS_ONLY = "SANDBOX_PERSONAS_ONLY"
    SANDBOX_PERSONA_REFUSED = "SANDBOX_PERSONA_REFUSED"
    PERSISTED_DOCUMENT_NOT_FOUND = "PERSISTED_DOCUMENT_NOT_FOUND"
    PERSISTED_DOCUMENT_REQUIRED = "PERSISTED_DOCUMENT_REQUIRED"
    TRUSTED_DOCUMENT_INVALID = "TRUSTED_DOCUMENT_INVALID"
    MAX_COST_EXCEEDED = "MAX_COST_EXCEEDED"
    THROTTLED = "THROTTLED"


# The English source text of each code's message: the msgid in locales/*/onewindow.po. Placeholders
# use str.format names that the raising code passes as params. Keyed by the code's value: codes are
# unique across domains (a test checks it), and a StrEnum member looks itself up by its value.
MESSAGES: dict[str, str] = {}


def register(messages: Mapping[StrEnum, str]) -> None:
    """Add a domain's codes and their messages to the registry (each domain's errors module does, once)."""
    for code, text in messages.items():
        if MESSAGES.get(code.value, text) != text:
            raise ValueError(f"error code {code.value} is registered twice with different messages")
        MESSAGES[code.value] = text


register(
    {
        CommonErrorCode.INTERNAL_ERROR: (
            "Something went wrong on our side. Please try again later (reference {request_id})."
        ),
        CommonErrorCode.BAD_REQUEST: "The request could not be understood: {detail}",
        CommonErrorCode.NOT_FOUND: "{what} was not found.",
        CommonErrorCode.INVALID_CURSOR: "The page cursor is not valid. Start again from the first page.",
        CommonErrorCode.PAGE_SIZE_OUT_OF_RANGE: "Ask for between 1 and {max} items per page.",
        CommonErrorCode.GRAPHQL_VALIDATION_FAILED: "The query is not valid for this API: {detail}",
        CommonErrorCode.METHOD_NOT_ALLOWED: (
            "Send mutations with POST, and subscriptions over a WebSocket to /graphql (graphql-transport-ws)."
        ),
        CommonErrorCode.UNSUPPORTED_MEDIA_TYPE: "Send the request as JSON (Content-Type: application/json).",
        CommonErrorCode.TEMPORARILY_UNAVAILABLE: (
            "This service is temporarily unavailable. Please try again in a minute."
        ),
        CommonErrorCode.TOO_MANY_SUBSCRIPTIONS: "Too many live updates are open. Close some, then try again.",
        CommonErrorCode.REQUIRED: "This field is required.",
        CommonErrorCode.INVALID_VALUE: "This value is not valid.",
        CommonErrorCode.UNAUTHENTICATED: "Please sign in again.",
        CommonErrorCode.TOKEN_EXPIRED: "Your sign-in has expired. Refresh it or sign in again.",
        CommonErrorCode.UNKNOWN_SIGNING_KEY: "Please sign in again.",
        CommonErrorCode.FORBIDDEN: "You are not allowed to do this.",
        CommonErrorCode.INSUFFICIENT_SCOPE: "This app has not been given the permission {scope}.",
        CommonErrorCode.INVALID_PHONE: "Enter an 11-digit mainland mobile phone number.",
        CommonErrorCode.INVALID_ID_NUMBER: "This is not a valid resident ID number.",
        CommonErrorCode.RATE_LIMITED: "Too many attempts. Please try again in {wait}.",
        CommonErrorCode.INVALID_CREDIT_CODE: (
            "The unified social credit code is not valid: check the 18 characters on the business license."
        ),
        CommonErrorCode.INVALID_DATE: "The date is not valid: enter a real date, like 2026-03-05.",
        CommonErrorCode.INVALID_MONEY: (
            "The amount is not valid: enter yuan with at most two decimals, like 120.50, up to {max}."
        ),
        CommonErrorCode.INVALID_NUMBER: "Enter a whole number, like 3.",
        CommonErrorCode.INVALID_MEASUREMENT: "Enter a number with at most {decimals} decimals, like 1.2.",
        CommonErrorCode.INVALID_BOOLEAN: "Choose yes or no.",
        CommonErrorCode.INVALID_OPTION: "Choose one of the options offered.",
        CommonErrorCode.NOT_YOUR_DEPARTMENT: "This application belongs to another department.",
        CommonErrorCode.TOO_LONG: "This is too long: at most {max} characters (now {length}).",
        CommonErrorCode.SANDBOX_PERSONAS_ONLY: (
            "This is a sandbox app: it signs in only the sandbox personas, with the code 000000. "
            "Use one of their phone numbers (`onewindow personas` lists them)."
        ),
        CommonErrorCode.SANDBOX_PERSONA_REFUSED: (
            "This phone number belongs to a sandbox persona: it signs in only to sandbox apps, "
            "never to the live service."
        ),
        CommonErrorCode.PERSISTED_DOCUMENT_NOT_FOUND: (
            "No trusted document has this documentId. Register the document first, then send its id."
        ),
        CommonErrorCode.PERSISTED_DOCUMENT_REQUIRED: (
            "This app may only call its trusted documents: send a documentId instead of the query text."
        ),
        CommonErrorCode.TRUSTED_DOCUMENT_INVALID: "Document {number} cannot be registered: {detail}",
        CommonErrorCode.MAX_COST_EXCEEDED: (
            "This query costs {cost} points, more than the {maximum} one query may cost: ask for fewer items."
        ),
        CommonErrorCode.THROTTLED: "Too many queries at once. Please try again in {wait} seconds.",
    }
)


class DomainError(Exception):
    """An expected failure with a stable code; the transport layer turns it into a message.

    `details` are further errors of the same refusal (a form's fields, each with its own code).
    """

    def __init__(self, code: StrEnum, *, field: str | None = None, **params: Any) -> None:
        super().__init__(f"{code}: {params}" if params else str(code))
        self.code = code
        self.field = field
        self.params = params
        self.details: list[DomainError] = []


class NotFoundError(DomainError):
    """The thing asked for does not exist (or is hidden from the caller)."""

    def __init__(self, what: str, *, field: str | None = None) -> None:
        super().__init__(CommonErrorCode.NOT_FOUND, field=field, what=what)
