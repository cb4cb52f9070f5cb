"""Domain errors -> GraphQL: the schema's error codes, localized top-level errors and payload errors.

The schema's ErrorCode enum is every domain's codes together: a new domain adds its enum to
DOMAIN_CODES and nothing else here changes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import strawberry
import structlog
from graphql import GraphQLError

from backend.applications.errors import ApplicationErrorCode
from backend.assistant.errors import AssistantErrorCode
from backend.errors import MESSAGES, CommonErrorCode, DomainError
from backend.hall.appointments.errors import AppointmentErrorCode
from backend.hall.appointments.visit_errors import VisitErrorCode
from backend.hall.queue.errors import QueueErrorCode
from backend.hall.ratings.errors import RatingErrorCode
from backend.i18n import Catalogs, Locale, Msgid, pick
from backend.identity.errors import IdentityErrorCode
from backend.outages import is_outage
from backend.webhooks.errors import WebhookErrorCode
from payments.closing.errors import ClosingErrorCode
from payments.errors import PaymentErrorCode
from payments.finance.errors import FinanceErrorCode
from payments.reconciliation.errors import ReconciliationErrorCode

log = structlog.get_logger("backend.graphql")

DOMAIN_CODES: tuple[type[StrEnum], ...] = (
    CommonErrorCode,
    IdentityErrorCode,
    ApplicationErrorCode,
    PaymentErrorCode,
    AssistantErrorCode,
    WebhookErrorCode,
    ClosingErrorCode,
    ReconciliationErrorCode,
    FinanceErrorCode,
    AppointmentErrorCode,
    VisitErrorCode,
    QueueErrorCode,
    RatingErrorCode,
)
ErrorCode = StrEnum("ErrorCode", [(code.name, code.value) for codes in DOMAIN_CODES for code in codes])  # type: ignore[misc]
ErrorCodeEnum = strawberry.enum(ErrorCode, name="ErrorCode", description="Stable error codes, every domain's.")


@strawberry.type(description="Why a mutation did not do what was asked; `field` names the input.")
class PayloadError:
    code: ErrorCodeEnum  # type: ignore[valid-type]
    field: str | None
    message: str


def localize(error: DomainError, messages: Catalogs, locale: Locale) -> str:
    """The error's message in `locale`; a parameter given in several languages (a material's name) or
    as a message of its own (a status's label) is said in this one."""
    params = {k: _said_in(v, messages, locale) for k, v in error.params.items()}
    return messages.gettext(locale, MESSAGES[error.code], **params)


def _said_in(value: Any, messages: Catalogs, locale: Locale) -> Any:
    if isinstance(value, dict):
        return pick(value, locale)
    if isinstance(value, Msgid):
        return messages.gettext(locale, value)
    return value


def payload_errors(error: DomainError, messages: Catalogs, locale: Locale) -> list[PayloadError]:
    """A domain error as the `errors` list of a mutation payload: itself, then its details (a form's fields)."""
    return [
        PayloadError(code=ErrorCode(e.code.value), field=e.field, message=localize(e, messages, locale))
        for e in (error, *error.details)
    ]


def format_error(error: GraphQLError, messages: Catalogs, locale: Locale, request_id: str) -> dict[str, Any]:
    """One GraphQL error as JSON, with a stable extensions.code and a localized message."""
    original = error.original_error
    extensions: dict[str, Any]
    if isinstance(original, DomainError):
        message = localize(original, messages, locale)
        # A refusal may carry numbers for programs (MAX_COST_EXCEEDED's cost, THROTTLED's retryAfter).
        extensions = {**(error.extensions or {}), "code": original.code.value}
        if original.field:
            extensions["field"] = original.field
    elif original is None or not error.path:
        # Syntax, validation and variable-coercion errors (no path: nothing was executed yet) are the
        # request's fault, never ours: graphql-core words them in English; keep its detail.
        detail = error.message
        message = messages.gettext(locale, MESSAGES[CommonErrorCode.GRAPHQL_VALIDATION_FAILED], detail=detail)
        extensions = {"code": CommonErrorCode.GRAPHQL_VALIDATION_FAILED.value}
    elif is_outage(original):
        log.warning("graphql.unavailable", path=error.path, error=type(original).__name__)
        message = messages.gettext(locale, MESSAGES[CommonErrorCode.TEMPORARILY_UNAVAILABLE])
        extensions = {"code": CommonErrorCode.TEMPORARILY_UNAVAILABLE.value}
    else:
        log.error("graphql.resolver_failed", path=error.path, exc_info=original)
        message = messages.gettext(locale, MESSAGES[CommonErrorCode.INTERNAL_ERROR], request_id=request_id)
        extensions = {"code": CommonErrorCode.INTERNAL_ERROR.value, "requestId": request_id}
    formatted: dict[str, Any] = {"message": message, "extensions": extensions}
    if error.locations:
        formatted["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        formatted["path"] = error.path
    return formatted
