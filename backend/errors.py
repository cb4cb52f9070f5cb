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
    LOGIN_CODE_INVALID = "LOGIN_CODE_INVALID"
    LOGIN_CODE_LOCKED = "LOGIN_CODE_LOCKED"
    INVALID_REFRESH_TOKEN = "INVALID_REFRESH_TOKEN"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    REAL_NAME_MISMATCH = "REAL_NAME_MISMATCH"
    ID_NUMBER_TAKEN = "ID_NUMBER_TAKEN"
    ALREADY_VERIFIED = "ALREADY_VERIFIED"
    INVALID_REDIRECT_URI = "INVALID_REDIRECT_URI"
    UNKNOWN_SCOPE = "UNKNOWN_SCOPE"
    REAL_NAME_REQUIRED = "REAL_NAME_REQUIRED"
    MATTER_OR_BUNDLE = "MATTER_OR_BUNDLE"
    FORM_INVALID = "FORM_INVALID"
    MATERIAL_MISSING = "MATERIAL_MISSING"
    DRAFT_CONFLICT = "DRAFT_CONFLICT"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    REASON_REQUIRED = "REASON_REQUIRED"
    STALE_APPLICATION = "STALE_APPLICATION"
    NOT_YOUR_DEPARTMENT = "NOT_YOUR_DEPARTMENT"
    NO_INSTANT_APPROVAL = "NO_INSTANT_APPROVAL"
    UPLOAD_TOO_LARGE = "UPLOAD_TOO_LARGE"
    UPLOAD_TYPE_NOT_ALLOWED = "UPLOAD_TYPE_NOT_ALLOWED"
    UPLOAD_QUOTA = "UPLOAD_QUOTA"
    ORDER_NOT_PAYABLE = "ORDER_NOT_PAYABLE"
    CHANNEL_UNAVAILABLE = "CHANNEL_UNAVAILABLE"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    REQUEST_IN_PROGRESS = "REQUEST_IN_PROGRESS"
    ORDER_NOT_REFUNDABLE = "ORDER_NOT_REFUNDABLE"
    REFUND_EXCEEDS_SHARE = "REFUND_EXCEEDS_SHARE"
    CHANNEL_REFUSED = "CHANNEL_REFUSED"
    ASSISTANT_UNAVAILABLE = "ASSISTANT_UNAVAILABLE"
    MESSAGE_EMPTY = "MESSAGE_EMPTY"
    # Form field problems (backend.applications.validation.FieldProblem has the per-field messages).
    INVALID_CREDIT_CODE = "INVALID_CREDIT_CODE"
    INVALID_DATE = "INVALID_DATE"
    INVALID_MONEY = "INVALID_MONEY"
    INVALID_NUMBER = "INVALID_NUMBER"
    INVALID_BOOLEAN = "INVALID_BOOLEAN"
    INVALID_OPTION = "INVALID_OPTION"
    TOO_LONG = "TOO_LONG"


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
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: "Send the request as JSON (Content-Type: application/json).",
    ErrorCode.TEMPORARILY_UNAVAILABLE: "This service is temporarily unavailable. Please try again in a minute.",
    ErrorCode.TOO_MANY_SUBSCRIPTIONS: "Too many live updates are open. Close some, then try again.",
    ErrorCode.REQUIRED: "This field is required.",
    ErrorCode.INVALID_VALUE: "This value is not valid.",
    ErrorCode.UNAUTHENTICATED: "Please sign in again.",
    ErrorCode.TOKEN_EXPIRED: "Your sign-in has expired. Refresh it or sign in again.",
    ErrorCode.UNKNOWN_SIGNING_KEY: "Please sign in again.",
    ErrorCode.FORBIDDEN: "You are not allowed to do this.",
    ErrorCode.INSUFFICIENT_SCOPE: "This app has not been given the permission {scope}.",
    ErrorCode.INVALID_PHONE: "Enter an 11-digit mainland mobile phone number.",
    ErrorCode.INVALID_ID_NUMBER: "This is not a valid resident ID number.",
    ErrorCode.RATE_LIMITED: "Too many attempts. Please try again in {seconds} seconds.",
    ErrorCode.LOGIN_CODE_INVALID: "The code is wrong or has expired.",
    ErrorCode.LOGIN_CODE_LOCKED: "Too many wrong codes. Please request a new code.",
    ErrorCode.INVALID_REFRESH_TOKEN: "Your sign-in is no longer valid. Please sign in again.",
    ErrorCode.INVALID_CREDENTIALS: "The username or password is wrong.",
    ErrorCode.REAL_NAME_MISMATCH: "The name and ID number do not match the population registry.",
    ErrorCode.ID_NUMBER_TAKEN: "This ID number is already linked to another account.",
    ErrorCode.ALREADY_VERIFIED: "Your identity is already verified. Contact the service desk to change it.",
    ErrorCode.INVALID_REDIRECT_URI: (
        "A redirect URI must be an absolute https URL without a fragment (http only for localhost)."
    ),
    ErrorCode.UNKNOWN_SCOPE: "Unknown scope {scope}.",
    ErrorCode.REAL_NAME_REQUIRED: "Verify your real name first: applications are made in your own name.",
    ErrorCode.MATTER_OR_BUNDLE: "Choose exactly one: a matter or a life-event bundle.",
    ErrorCode.FORM_INVALID: "Some fields need your attention. Your entries were saved as a draft.",
    ErrorCode.MATERIAL_MISSING: "Please upload {material}: no certificate in your wallet can replace it.",
    ErrorCode.DRAFT_CONFLICT: "This form was changed on another device. Reload it to continue from the newest version.",
    ErrorCode.INVALID_TRANSITION: "An application that is {status} cannot be {action}.",
    ErrorCode.REASON_REQUIRED: "Give the citizen a reason.",
    ErrorCode.STALE_APPLICATION: "Someone else changed this application meanwhile. Reload it and try again.",
    ErrorCode.NOT_YOUR_DEPARTMENT: "This application belongs to another department.",
    ErrorCode.NO_INSTANT_APPROVAL: "This matter is decided by an officer; it has no instant-approval rule.",
    ErrorCode.UPLOAD_TOO_LARGE: "The file is too large: at most {max_mb} MB.",
    ErrorCode.UPLOAD_TYPE_NOT_ALLOWED: "Upload a PDF, JPEG or PNG file.",
    ErrorCode.UPLOAD_QUOTA: (
        "You have uploaded the most allowed in a day ({files} files or {mb} MB). Try again tomorrow."
    ),
    ErrorCode.ORDER_NOT_PAYABLE: "This order cannot be paid: it is {status}.",
    ErrorCode.CHANNEL_UNAVAILABLE: "The payment service cannot be reached right now. Please try again in a moment.",
    ErrorCode.IDEMPOTENCY_KEY_REUSED: "This request key was already used for a different request.",
    ErrorCode.REQUEST_IN_PROGRESS: "The same request is still being processed. Check its result in a moment.",
    ErrorCode.ORDER_NOT_REFUNDABLE: "Only a paid order can be refunded (this one is {status}).",
    ErrorCode.REFUND_EXCEEDS_SHARE: "The refund is more than the department's remaining share ({available} yuan).",
    ErrorCode.CHANNEL_REFUSED: "The payment channel refused the refund ({detail}).",
    ErrorCode.ASSISTANT_UNAVAILABLE: (
        "The assistant cannot answer right now. Please try again in a moment, or call the 12345 hotline."
    ),
    ErrorCode.MESSAGE_EMPTY: "Type a message first.",
    ErrorCode.INVALID_CREDIT_CODE: (
        "The unified social credit code is not valid: check the 18 characters on the business license."
    ),
    ErrorCode.INVALID_DATE: "The date is not valid: enter a real date, like 2026-03-05.",
    ErrorCode.INVALID_MONEY: (
        "The amount is not valid: enter yuan with at most two decimals, like 120.50, up to {max}."
    ),
    ErrorCode.INVALID_NUMBER: "Enter a whole number, like 3.",
    ErrorCode.INVALID_BOOLEAN: "Choose yes or no.",
    ErrorCode.INVALID_OPTION: "Choose one of the options offered.",
    ErrorCode.TOO_LONG: "This is too long: at most {max} characters (now {length}).",
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
