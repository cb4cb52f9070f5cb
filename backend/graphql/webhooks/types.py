"""The webhook types a developer reads: subscriptions (never their secret), deliveries with their
attempts, the events sent to an app, the event types one may subscribe to."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from backend.graphql.context import Info
from backend.graphql.pagination import PageInfo
from backend.webhooks import labels, texts
from backend.webhooks.log import Delivery, SentEvent
from backend.webhooks.subscriptions import Subscription


@strawberry.enum(description="Where a delivery stands.")
class WebhookDeliveryStatus(Enum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


@strawberry.type(description="An app's endpoint and the event types it is sent. Its secret is shown only once.")
class WebhookSubscription:
    id: strawberry.ID
    client_id: str
    url: str
    description: str
    event_types: list[str] = strawberry.field(description='Event types, e.g. "application.status_changed".')
    status: str = strawberry.field(description="active or disabled: a code; show statusLabel.")
    status_label: str = strawberry.field(description="The status in the reader's language.")
    disabled_reason: str | None = strawberry.field(
        description="Why it was turned off: gone (the endpoint answered 410), failing (5 days of failures) or "
        "developer; a code, show disabledReasonLabel."
    )
    disabled_reason_label: str | None = strawberry.field(description="Why it was turned off, in the reader's language.")
    disabled_at: datetime | None
    notice: str | None = strawberry.field(
        description="The notice its developers are given when it was turned off, with what to do, in their language."
    )
    failing_since: datetime | None = strawberry.field(
        description="The first failure since the last successful delivery: 5 days of them turn it off."
    )
    created_at: datetime

    @staticmethod
    def build(model: Subscription, info: Info) -> WebhookSubscription:
        """In the caller's language."""
        said = info.context.gettext
        reason = model.disabled_reason
        return WebhookSubscription(
            id=strawberry.ID(model.id),
            client_id=model.client_id,
            url=model.url,
            description=model.description,
            event_types=list(model.event_types),
            status=model.status,
            status_label=said(labels.SUBSCRIPTION_STATUS.get(model.status, model.status)),
            disabled_reason=reason,
            disabled_reason_label=said(labels.DISABLED_REASONS.get(reason, reason)) if reason else None,
            disabled_at=model.disabled_at,
            notice=texts.notice(info.context.resources.messages, info.context.locale, reason, model.url)
            if reason in texts.NOTICES
            else None,
            failing_since=model.failing_since,
            created_at=model.created_at,
        )


@strawberry.type(description="One try at sending a delivery.")
class WebhookAttempt:
    at: datetime
    status_code: int | None = strawberry.field(description="The endpoint's HTTP status; null when it did not answer.")
    latency_ms: int
    error: str | None = strawberry.field(description="What went wrong when there was no answer (timeout, refused...).")
    manual: bool = strawberry.field(description="Asked for by a person (redeliverWebhook), not the retry schedule.")


@strawberry.type(description="One event sent to one subscription, with the same webhook-id on every try.")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(description="The webhook-id header of every try.")
    subscription_id: strawberry.ID
    event_id: str
    event_type: str
    status: WebhookDeliveryStatus
    status_label: str = strawberry.field(description="The status in the reader's language.")
    created_at: datetime
    delivered_at: datetime | None
    next_attempt_at: datetime | None = strawberry.field(description="When the next try is due (pending only).")
    last_status_code: int | None
    attempt_count: int = strawberry.field(description="Tries so far, all of them.")
    attempts: list[WebhookAttempt] = strawberry.field(
        description="The latest 10 tries (the retry schedule's number), oldest first; attemptCount counts them all."
    )

    @staticmethod
    def build(model: Delivery, info: Info) -> WebhookDelivery:
        """In the caller's language."""
        return WebhookDelivery(
            id=strawberry.ID(model.id),
            subscription_id=strawberry.ID(model.subscription_id),
            event_id=model.event_id,
            event_type=model.event_type,
            status=WebhookDeliveryStatus(model.status),
            status_label=info.context.gettext(labels.DELIVERY_STATUS.get(model.status, model.status)),
            created_at=model.created_at,
            delivered_at=model.delivered_at,
            next_attempt_at=model.next_attempt_at if model.status == "pending" else None,
            last_status_code=model.last_status_code,
            attempt_count=model.attempt_count,
            attempts=[
                WebhookAttempt(
                    at=a.at, status_code=a.status_code, latency_ms=a.latency_ms, error=a.error, manual=a.manual
                )
                for a in model.attempts
            ],
        )


@strawberry.type
class WebhookDeliveryEdge:
    cursor: str
    node: WebhookDelivery


@strawberry.type(description="A subscription's deliveries, newest first.")
class WebhookDeliveryConnection:
    edges: list[WebhookDeliveryEdge]
    page_info: PageInfo


@strawberry.type(description="An event sent to the app: what its endpoints received.")
class WebhookEvent:
    id: str = strawberry.field(description='The event id ("evt_..."), the same in every delivery of it.')
    type: str
    occurred_at: datetime
    sent_at: datetime = strawberry.field(description="When it was first sent to one of the app's endpoints.")
    body: str = strawberry.field(description="The JSON body exactly as sent (what the signature covers).")

    @staticmethod
    def build(model: SentEvent) -> WebhookEvent:
        """As stored."""
        return WebhookEvent(
            id=model.id, type=model.type, occurred_at=model.occurred_at, sent_at=model.sent_at, body=model.body
        )


@strawberry.type
class WebhookEventEdge:
    cursor: str
    node: WebhookEvent


@strawberry.type(description="Events sent to an app in the last 30 days, newest first.")
class WebhookEventConnection:
    edges: list[WebhookEventEdge]
    page_info: PageInfo


@strawberry.type(description="An event type an app may subscribe to.")
class WebhookEventType:
    type: str = strawberry.field(description='What to put in eventTypes, e.g. "application.issued".')
    description: str = strawberry.field(description="What it tells, in the reader's language.")
    scope: str | None = strawberry.field(
        description="The scope the citizen must have granted the app for it to be told; null: the app's own "
        "consent events, sent to that app only."
    )
