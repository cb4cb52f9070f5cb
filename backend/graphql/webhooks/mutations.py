"""What an app's developers (and admins) do with its webhooks: subscribe an endpoint (its secret shown
once), change or turn it off and on, rotate its secret with an overlap, delete it, send a delivery again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from backend.graphql.context import Info
from backend.graphql.errors import PayloadError
from backend.graphql.pipeline import caller, mutate, mutation
from backend.graphql.webhooks.access import act_for_app, subscription_for
from backend.graphql.webhooks.queries import DEVELOPERS
from backend.graphql.webhooks.types import WebhookDelivery, WebhookSubscription
from backend.identity import audit
from backend.identity.audit import AuditAction
from backend.webhooks import log, manage


async def _audit(info: Info, action: AuditAction, client_id: str, subscription_id: str) -> None:
    """Who subscribed, rotated or deleted an app's endpoint: the secrets it holds are the app's keys."""
    actor = caller(info).subject_id
    await audit.record(
        info.context.session,
        action,
        actor_type="staff",
        actor_id=actor,
        client_id=client_id,
        meta=info.context.meta,
        subscription_id=subscription_id,
    )


SHOWN_ONCE = 'The signing secret ("whsec_" and base64): shown this once, store it now.'


@strawberry.input(description="An endpoint of an app and the event types to send it.")
class CreateWebhookSubscriptionInput:
    client_id: str
    url: str = strawberry.field(description="https:// address (public in production), at most 2,000 characters.")
    event_types: list[str] = strawberry.field(description="From webhookEventTypes, e.g. application.issued.")
    description: str = ""


@strawberry.type
class CreateWebhookSubscriptionPayload:
    subscription: WebhookSubscription | None
    secret: str | None = strawberry.field(description=SHOWN_ONCE)
    errors: list[PayloadError]


@strawberry.input(description="What to change of a subscription; what is left out stays as it is.")
class UpdateWebhookSubscriptionInput:
    id: strawberry.ID
    url: str | None = None
    event_types: list[str] | None = None
    description: str | None = None
    enabled: bool | None = strawberry.field(
        default=None, description="false turns it off; true turns it on again, forgetting past failures."
    )


@strawberry.type
class UpdateWebhookSubscriptionPayload:
    subscription: WebhookSubscription | None
    errors: list[PayloadError]


@strawberry.input(description="A new secret; the current ones keep signing deliveries for the overlap.")
class RotateWebhookSecretInput:
    id: strawberry.ID
    overlap_hours: int = strawberry.field(default=24, description="0 to 168 hours (7 days).")


@strawberry.type
class RotateWebhookSecretPayload:
    subscription: WebhookSubscription | None
    secret: str | None = strawberry.field(description=SHOWN_ONCE)
    previous_secrets_expire_at: datetime | None = strawberry.field(
        description="Until then every delivery carries a signature with the old secret too."
    )
    errors: list[PayloadError]


@strawberry.type
class DeleteWebhookSubscriptionPayload:
    deleted_id: strawberry.ID | None
    errors: list[PayloadError]


@strawberry.type
class RedeliverWebhookPayload:
    delivery: WebhookDelivery | None
    errors: list[PayloadError]


@strawberry.type
class WebhookMutation:
    @mutation(
        "Subscribe an app's endpoint to event types (admins and the app's developers; at most 10 per app). "
        "The payload carries the signing secret: the only time it is shown.",
        permission=DEVELOPERS,
    )
    async def create_webhook_subscription(
        self, info: Info, input: CreateWebhookSubscriptionInput
    ) -> CreateWebhookSubscriptionPayload:
        session, strict = info.context.session, info.context.settings.webhook_endpoints_must_be_public

        async def work() -> Any:
            await act_for_app(info, input.client_id)
            created = await manage.create(
                session,
                client_id=input.client_id,
                url=input.url,
                kinds=input.event_types,
                description=input.description,
                created_by=caller(info).subject_id,
                public_only=strict,
            )
            await _audit(info, AuditAction.WEBHOOK_SUBSCRIBED, input.client_id, created[0].id)
            return created

        created, errors = await mutate(info, work)
        subscription, secret = created if created else (None, None)
        built = WebhookSubscription.build(subscription, info) if subscription else None
        return CreateWebhookSubscriptionPayload(subscription=built, secret=secret, errors=errors)

    @mutation(
        "Change a subscription's endpoint, event types or description, or turn it off or on again.",
        permission=DEVELOPERS,
    )
    async def update_webhook_subscription(
        self, info: Info, input: UpdateWebhookSubscriptionInput
    ) -> UpdateWebhookSubscriptionPayload:
        session, strict, jobs = (
            info.context.session,
            info.context.settings.webhook_endpoints_must_be_public,
            info.context.resources.jobs,
        )

        async def work() -> Any:
            before = await subscription_for(info, str(input.id))
            changed = await manage.change(
                session,
                str(input.id),
                url=input.url,
                kinds=input.event_types,
                description=input.description,
                enabled=input.enabled,
                public_only=strict,
            )
            if before.status != "active" and changed.status == "active":
                log.send_after_commit(session, jobs, changed.id)  # what waited while it was off goes now
            return changed

        changed, errors = await mutate(info, work)
        built = WebhookSubscription.build(changed, info) if changed else None
        return UpdateWebhookSubscriptionPayload(subscription=built, errors=errors)

    @mutation(
        "Give a subscription a new signing secret; the current ones keep signing for the overlap, so the "
        "app can switch without missing a delivery. The new secret is shown only here.",
        permission=DEVELOPERS,
    )
    async def rotate_webhook_secret(self, info: Info, input: RotateWebhookSecretInput) -> RotateWebhookSecretPayload:
        session = info.context.session

        async def work() -> Any:
            overlap = manage.overlap_of(input.overlap_hours)
            found = await subscription_for(info, str(input.id))
            rotated = await manage.rotate(session, found.id, overlap)
            await _audit(info, AuditAction.WEBHOOK_SECRET_ROTATED, found.client_id, found.id)
            return rotated

        rotated, errors = await mutate(info, work)
        if rotated is None:
            return RotateWebhookSecretPayload(
                subscription=None, secret=None, previous_secrets_expire_at=None, errors=errors
            )
        subscription, secret, until = rotated
        return RotateWebhookSecretPayload(
            subscription=WebhookSubscription.build(subscription, info),
            secret=secret,
            previous_secrets_expire_at=until,
            errors=[],
        )

    @mutation(
        "Delete a subscription with its secrets and its delivery log (admins and the app's developers).",
        permission=DEVELOPERS,
    )
    async def delete_webhook_subscription(self, info: Info, id: strawberry.ID) -> DeleteWebhookSubscriptionPayload:
        session = info.context.session

        async def work() -> Any:
            found = await subscription_for(info, str(id))
            await manage.remove(session, found.id)
            await _audit(info, AuditAction.WEBHOOK_DELETED, found.client_id, found.id)
            return id

        deleted, errors = await mutate(info, work)
        return DeleteWebhookSubscriptionPayload(deleted_id=deleted, errors=errors)

    @mutation(
        "Send a delivery again now, with the same webhook-id and body (admins and the app's developers).",
        permission=DEVELOPERS,
    )
    async def redeliver_webhook(self, info: Info, delivery_id: strawberry.ID) -> RedeliverWebhookPayload:
        session, jobs = info.context.session, info.context.resources.jobs

        async def work() -> Any:
            found = await log.get_delivery(session, str(delivery_id))
            await subscription_for(info, found.subscription_id)
            return await log.redeliver(session, jobs, str(delivery_id))

        delivery, errors = await mutate(info, work)
        return RedeliverWebhookPayload(
            delivery=WebhookDelivery.build(delivery, info) if delivery else None, errors=errors
        )
