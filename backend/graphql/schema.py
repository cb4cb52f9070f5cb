"""The GraphQL schema: every domain's queries and mutations merged into one."""

from __future__ import annotations

import functools
from typing import Any

import strawberry
import structlog
from graphql import GraphQLError, NoSchemaIntrospectionCustomRule, StringValueNode, ValidationRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
    max_aliases,
    query_depth_limiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from backend.errors import DomainError
from backend.graphql.applications.mutations import ApplicationMutation
from backend.graphql.applications.queries import ApplicationQuery
from backend.graphql.applications.subscriptions import ApplicationSubscription
from backend.graphql.assistant.mutations import AssistantMutation
from backend.graphql.catalog.queries import CatalogQuery
from backend.graphql.catalog.search import SearchQuery
from backend.graphql.certificates.queries import CertificateQuery
from backend.graphql.closing.mutations import ClosingMutation
from backend.graphql.closing.queries import ClosingQuery
from backend.graphql.errors import PayloadError
from backend.graphql.finance.exports import ExportMutation
from backend.graphql.finance.views import FinanceQuery
from backend.graphql.hall.appointments.mutations import AppointmentMutation
from backend.graphql.hall.appointments.queries import AppointmentQuery
from backend.graphql.hall.appointments.visit_queries import VisitQuery
from backend.graphql.hall.queue.mutations import QueueMutation
from backend.graphql.hall.queue.queries import QueueQuery
from backend.graphql.hall.queue.subscriptions import QueueSubscription
from backend.graphql.hall.ratings.mutations import RatingMutation
from backend.graphql.hall.ratings.queries import RatingQuery
from backend.graphql.identity.mutations import IdentityMutation
from backend.graphql.identity.queries import IdentityQuery
from backend.graphql.metering import CostCheck
from backend.graphql.payments.resolvers import PaymentMutation, PaymentQuery
from backend.graphql.platform.data_access import DataAccessQuery
from backend.graphql.platform.documents import DocumentMutation
from backend.graphql.platform.usage import UsageQuery
from backend.graphql.reconciliation.mutations import ReconciliationMutation
from backend.graphql.reconciliation.queries import ReconciliationQuery
from backend.graphql.webhooks.mutations import WebhookMutation
from backend.graphql.webhooks.queries import WebhookQuery
from backend.inputs import UNSTORABLE, storable

log = structlog.get_logger("backend.graphql")


@strawberry.type
class Query(
    CatalogQuery,
    SearchQuery,
    IdentityQuery,
    ApplicationQuery,
    CertificateQuery,
    PaymentQuery,
    FinanceQuery,
    ReconciliationQuery,
    ClosingQuery,
    UsageQuery,
    WebhookQuery,
    DataAccessQuery,
    AppointmentQuery,
    VisitQuery,
    QueueQuery,
    RatingQuery,
):
    """Everything a client can read."""


@strawberry.type
class Mutation(
    IdentityMutation,
    ApplicationMutation,
    PaymentMutation,
    AssistantMutation,
    DocumentMutation,
    WebhookMutation,
    ExportMutation,
    ReconciliationMutation,
    ClosingMutation,
    AppointmentMutation,
    QueueMutation,
    RatingMutation,
):
    """Everything a client can change."""


@strawberry.type
class Subscription(ApplicationSubscription, QueueSubscription):
    """Everything a client can watch live (graphql-transport-ws on /graphql)."""


class OnewindowSchema(strawberry.Schema):
    """Logs unexpected resolver errors once, through structlog, with the request id bound."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Domain errors are expected answers: log them quietly; anything else is a bug."""
        for error in errors:
            original = error.original_error
            if isinstance(original, DomainError):
                log.info("graphql.error", code=original.code.value, path=error.path)
            elif original is None or not error.path:
                # The message may quote what the caller sent (a password given as a number): the
                # request's values are redacted from log lines, and the line says no more than needed.
                log.info("graphql.invalid_request", message=error.message)
            # Unexpected errors are logged with their traceback by backend.graphql.errors.format_error.


class StorableStrings(ValidationRule):
    """String literals must be text PostgreSQL can hold and JSON can carry (the variables are checked
    before parsing, in backend.graphql.http)."""

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        """Report a literal with a NUL character or an unpaired surrogate."""
        if not storable(node.value):
            self.report_error(GraphQLError(UNSTORABLE, node))


# Validation rules are built once: ValidationCache keys on the rule classes, so rules made afresh
# for every request would never hit the cache (and would pile up in it).
_VALIDATION_RULES: list[Any] = [
    query_depth_limiter.create_validator(10, None, None),
    max_aliases.create_validator(30),
    StorableStrings,
]
VALIDATION_CACHE_SIZE = 1024


_NO_INTROSPECTION_RULES: list[Any] = [*_VALIDATION_RULES, NoSchemaIntrospectionCustomRule]


@functools.cache
def build_schema(introspection: bool = True) -> strawberry.Schema:
    """The schema, built once per process (building it is slow; using it is not).

    Without `introspection`, documents asking for __schema or __type fail validation (the setting
    ONEWINDOW_INTROSPECTION; the schema is public in graphql/schema.graphql either way).
    """
    # Factories: strawberry builds the extensions per request; the caches behind ParserCache and
    # ValidationCache are module-level, so the same documents are parsed and validated only once.
    extensions: list[Any] = [
        functools.partial(ParserCache, maxsize=1024),
        functools.partial(ValidationCache, maxsize=VALIDATION_CACHE_SIZE),
        functools.partial(MaxTokensLimiter, max_token_count=5000),
        functools.partial(AddValidationRules, _VALIDATION_RULES if introspection else _NO_INTROSPECTION_RULES),
        CostCheck,  # after validation: prices the valid document, refuses it before it runs
    ]
    return OnewindowSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[PayloadError],
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
    )


def schema_sdl() -> str:
    """The schema in SDL, as committed in graphql/schema.graphql."""
    return build_schema().as_str() + "\n"
