"""Query cost on the wire: each request's meter (priced, charged to its bucket, refunded, reported in
`extensions.cost`) and the schema extension that prices the validated document before it runs.

backend.graphql.cost says what a document costs; backend.platform.throttle keeps the buckets.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from typing import TYPE_CHECKING, Any

import structlog
from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension

from backend.errors import MESSAGES, CommonErrorCode, DomainError
from backend.graphql.cost import Plan, actual_cost, make_plan, plan_for, requested_cost
from backend.outages import UNAVAILABLE
from backend.platform.throttle import Bucket, Take, Throttle, address_bucket, token_bucket

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from backend.graphql.context import Context
    from backend.settings import Settings

log = structlog.get_logger("backend.graphql")


class Meter:
    """One HTTP request's cost: what it asked for, what it used, and its bucket after both."""

    def __init__(self, throttle: Throttle, bucket: Bucket, maximum: int, *, dry_run: bool) -> None:
        self.throttle = throttle
        self.bucket = bucket
        # The per-query cap, or the bucket's size when smaller (an anonymous address holds 500 points):
        # a query its bucket could never hold is refused as too costly, not throttled for ever.
        self.maximum = min(maximum, bucket.maximum)
        self.dry_run = dry_run
        self.requested = 0
        self.actual = 0
        self.charged = 0
        self.retry_after: int | None = None  # set when THROTTLED
        self.status: Take | None = None

    async def _ask(self, call: Awaitable[Take]) -> Take | None:
        """The bucket's answer; None when Redis is away: the bucket is then not applied (the catalog
        keeps answering in an outage; the per-query cap still holds, and what needs Redis says so)."""
        try:
            return await call
        except UNAVAILABLE as error:
            log.warning("graphql.cost_bucket_unavailable", error=type(error).__name__)
            return None

    async def admit(self, requested: int) -> None:
        """Charge the bucket the requested cost, or raise the refusal (over the cap, or throttled)."""
        self.requested = requested
        if requested > self.maximum or self.dry_run:
            self.status = await self._ask(self.throttle.peek(self.bucket))
            if requested > self.maximum:
                raise over_cap(requested, self.maximum)
            return
        self.status = await self._ask(self.throttle.take(self.bucket, requested))
        if self.status is not None and not self.status.taken:
            self.retry_after = self.status.retry_after
            raise throttled(self.retry_after)
        self.charged = requested if self.status is not None else 0

    async def settle(self, plan: Plan, data: dict[str, Any] | None) -> None:
        """Count what the result really holds and give back what was charged beyond it."""
        self.actual = actual_cost(plan, data)
        unused = self.charged - self.actual
        if unused > 0:
            self.status = await self._ask(self.throttle.refund(self.bucket, unused)) or self.status

    async def report(self) -> dict[str, Any]:
        """`extensions.cost`: Shopify's shape, so their clients' back-off code works unchanged."""
        if self.status is None:  # refused before pricing (a syntax or validation error): nothing spent
            self.status = await self._ask(self.throttle.peek(self.bucket))
        status = self.status and {
            "maximumAvailable": self.bucket.maximum,
            "currentlyAvailable": max(0, int(self.status.available)),  # below zero: a debt being repaid
            "restoreRate": self.bucket.rate,
        }
        return {"requestedQueryCost": self.requested, "actualQueryCost": self.actual, "throttleStatus": status}


def anonymous_meter(settings: Settings, redis: Redis, ip: str | None, *, dry_run: bool = False) -> Meter | None:
    """The meter of a request without a token, charged to its address's bucket; None when costs are off."""
    if not settings.cost_enabled:
        return None
    bucket = address_bucket(ip, settings.cost_anonymous_maximum, settings.cost_anonymous_rate)
    return Meter(Throttle.of(redis), bucket, settings.cost_max_query, dry_run=dry_run)


def meter_for(context: Context, *, dry_run: bool) -> Meter | None:
    """The meter of an HTTP request, charged to the caller's bucket; None when costs are off."""
    settings = context.settings
    principal = context.principal
    if principal is None:
        return anonymous_meter(settings, context.resources.redis, context.meta.ip, dry_run=dry_run)
    if not settings.cost_enabled:
        return None
    if principal.first_party:
        maximum, rate = settings.cost_first_party_maximum, settings.cost_first_party_rate
    else:
        maximum, rate = settings.cost_third_party_maximum, settings.cost_third_party_rate
    bucket = token_bucket(principal.client_id, f"{principal.subject_type}:{principal.subject_id}", maximum, rate)
    return Meter(Throttle.of(context.resources.redis), bucket, settings.cost_max_query, dry_run=dry_run)


def _refusal(error: DomainError, **extensions: Any) -> GraphQLError:
    # Localized by backend.graphql.errors.format_error like any domain error; the extensions ride along.
    return GraphQLError(MESSAGES[error.code], original_error=error, extensions=extensions)


def over_cap(requested: int, maximum: int) -> GraphQLError:
    """MAX_COST_EXCEEDED, with what the document would cost and the cap."""
    error = DomainError(CommonErrorCode.MAX_COST_EXCEEDED, cost=requested, maximum=maximum)
    return _refusal(error, cost=requested, maximum=maximum)


def throttled(seconds: int) -> GraphQLError:
    """THROTTLED, with the seconds until the bucket holds enough."""
    return _refusal(DomainError(CommonErrorCode.THROTTLED, wait=seconds), retryAfter=seconds)


class CostCheck(SchemaExtension):
    """Prices the validated document before execution; refuses it (nothing runs) over the cap, or
    when the caller's bucket is empty; after execution refunds what the result did not use.

    Over HTTP the request's meter charges its bucket. Over the WebSocket (no meter) the document is
    priced and capped only: a subscription costs when it starts, its events are pushed by the server,
    and the number of live subscriptions per caller is already bounded (backend.graphql.ws).
    """

    async def on_execute(self) -> AsyncIterator[None]:
        """Admit (or refuse) before the operation runs; settle after."""
        execution = self.execution_context
        context = execution.context
        if not context.settings.cost_enabled:
            yield
            return
        document = execution.graphql_document
        assert document is not None, "validated before execution"
        schema = execution.schema._schema
        name = execution.operation_name
        plan = (
            plan_for(schema, document, execution.query, name) if execution.query else make_plan(schema, document, name)
        )
        requested = requested_cost(plan, execution.variables)
        meter: Meter | None = context.cost
        if meter is None:
            maximum = context.settings.cost_max_query
            if requested > maximum:
                raise over_cap(requested, maximum)
            yield
            return
        await meter.admit(requested)
        if meter.dry_run:
            execution.result = ExecutionResult(data=None, errors=None)
            yield
            return
        yield
        result = execution.result
        await meter.settle(plan, result.data if isinstance(result, ExecutionResult) else None)
