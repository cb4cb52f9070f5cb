"""Domain errors -> GraphQL: localized top-level errors and mutation payload errors, in one place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
import structlog
from graphql import GraphQLError

from backend.db.engine import unit_of_work
from backend.errors import MESSAGES, DomainError, ErrorCode
from backend.i18n import Catalogs, Locale
from backend.outages import is_outage

log = structlog.get_logger("backend.graphql")
T = TypeVar("T")

ErrorCodeEnum = strawberry.enum(ErrorCode, name="ErrorCode", description="Stable error codes.")


@strawberry.type(description="Why a mutation did not do what was asked; `field` names the input.")
class PayloadError:
    code: ErrorCodeEnum  # type: ignore[valid-type]
    field: str | None
    message: str


def localize(error: DomainError, messages: Catalogs, locale: Locale) -> str:
    """The error's message in `locale`."""
    return messages.gettext(locale, MESSAGES[error.code], **error.params)


def payload_errors(error: DomainError, messages: Catalogs, locale: Locale) -> list[PayloadError]:
    """A domain error as the `errors` list of a mutation payload."""
    return [PayloadError(code=error.code, field=error.field, message=localize(error, messages, locale))]


def format_error(error: GraphQLError, messages: Catalogs, locale: Locale, request_id: str) -> dict[str, Any]:
    """One GraphQL error as JSON, with a stable extensions.code and a localized message."""
    original = error.original_error
    extensions: dict[str, Any]
    if isinstance(original, DomainError):
        message = localize(original, messages, locale)
        extensions = {"code": original.code.value}
        if original.field:
            extensions["field"] = original.field
    elif original is None or not error.path:
        # Syntax, validation and variable-coercion errors (no path: nothing was executed yet) are the
        # request's fault, never ours: graphql-core words them in English; keep its detail.
        detail = error.message
        message = messages.gettext(locale, MESSAGES[ErrorCode.GRAPHQL_VALIDATION_FAILED], detail=detail)
        extensions = {"code": ErrorCode.GRAPHQL_VALIDATION_FAILED.value}
    elif is_outage(original):
        log.warning("graphql.unavailable", path=error.path, error=type(original).__name__)
        message = messages.gettext(locale, MESSAGES[ErrorCode.TEMPORARILY_UNAVAILABLE])
        extensions = {"code": ErrorCode.TEMPORARILY_UNAVAILABLE.value}
    else:
        log.error("graphql.resolver_failed", path=error.path, exc_info=original)
        message = messages.gettext(locale, MESSAGES[ErrorCode.INTERNAL_ERROR], request_id=request_id)
        extensions = {"code": ErrorCode.INTERNAL_ERROR.value, "requestId": request_id}
    formatted: dict[str, Any] = {"message": message, "extensions": extensions}
    if error.locations:
        formatted["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        formatted["path"] = error.path
    return formatted


async def run_mutation(info: Any, work: Callable[[], Awaitable[T]]) -> tuple[T | None, list[PayloadError]]:
    """Run `work` in one transaction: (result, []) when it commits, (None, errors) on a domain error.

    Any other exception rolls back too and surfaces as INTERNAL_ERROR.
    """
    context = info.context
    try:
        async with unit_of_work(context.session):
            return await work(), []
    except DomainError as error:
        return None, payload_errors(error, context.resources.messages, context.locale)


async def run_steps(info: Any, work: Callable[[], Awaitable[T]]) -> tuple[T | None, list[PayloadError]]:
    """Run `work` that opens its own short transactions (a channel is called between two of them).

    (result, []) when it succeeds, (None, errors) on a domain error; anything else is INTERNAL_ERROR.
    """
    context = info.context
    try:
        return await work(), []
    except DomainError as error:
        return None, payload_errors(error, context.resources.messages, context.locale)
