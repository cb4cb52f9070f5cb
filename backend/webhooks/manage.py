"""What an app's developers (or an admin) do with its webhook subscriptions, validated: create, change,
turn off and on, delete, rotate the secret. Who may act for which app is the caller's affair
(backend.platform.developers); these checks are the subscription's own."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.db.engine import execute
from backend.errors import CommonErrorCode, DomainError
from backend.outbox.events import EventType
from backend.webhooks import endpoints, subscriptions
from backend.webhooks.errors import WebhookErrorCode
from backend.webhooks.subscriptions import Subscription

MAX_SUBSCRIPTIONS = 10
"""Per app: a few endpoints (production, staging, a log sink) is what apps need."""
MAX_DESCRIPTION = 200
DEFAULT_OVERLAP = timedelta(hours=24)
MAX_OVERLAP = timedelta(days=7)
KNOWN_TYPES = tuple(kind.value for kind in EventType)


def event_types(given: Sequence[str]) -> list[str]:
    """The event types asked for, each known, without repeats; REQUIRED when none."""
    chosen = sorted({kind.strip() for kind in given})
    if not chosen:
        raise DomainError(CommonErrorCode.REQUIRED, field="eventTypes")
    for kind in chosen:
        if kind not in KNOWN_TYPES:
            raise DomainError(
                WebhookErrorCode.WEBHOOK_EVENT_TYPE_UNKNOWN, field="eventTypes", type=kind, known=", ".join(KNOWN_TYPES)
            )
    return chosen


def description_of(text: str) -> str:
    """The description, stripped; TOO_LONG past MAX_DESCRIPTION characters."""
    text = text.strip()
    if len(text) > MAX_DESCRIPTION:
        raise DomainError(CommonErrorCode.TOO_LONG, field="description", max=MAX_DESCRIPTION, length=len(text))
    return text


async def require(session: AsyncSession, subscription_id: str) -> Subscription:
    """The subscription; WEBHOOK_NOT_FOUND when there is none."""
    found = await subscriptions.get(session, subscription_id)
    if found is None:
        raise DomainError(WebhookErrorCode.WEBHOOK_NOT_FOUND, field="id", id=subscription_id)
    return found


async def create(
    session: AsyncSession,
    *,
    client_id: str,
    url: str,
    kinds: Sequence[str],
    description: str,
    created_by: str,
    public_only: bool,
) -> tuple[Subscription, str]:
    """A new active subscription of the app and its secret (shown this once)."""
    checked_url = await endpoints.check(url, public_only=public_only)
    chosen, text = event_types(kinds), description_of(description)
    # The app's row is locked (PostgreSQL) so that two developers creating at once cannot pass the limit.
    await execute(
        session,
        select(t.oauth_clients.c.client_id).where(t.oauth_clients.c.client_id == client_id).with_for_update(),
    )
    count = select(func.count()).select_from(t.webhook_subscriptions)
    existing = (await execute(session, count.where(t.webhook_subscriptions.c.client_id == client_id))).scalar_one()
    if existing >= MAX_SUBSCRIPTIONS:
        raise DomainError(WebhookErrorCode.WEBHOOK_LIMIT, max=MAX_SUBSCRIPTIONS)
    return await subscriptions.create(
        session, client_id=client_id, url=checked_url, event_types=chosen, description=text, created_by=created_by
    )


async def change(
    session: AsyncSession,
    subscription_id: str,
    *,
    url: str | None = None,
    kinds: Sequence[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
    public_only: bool,
    now: datetime | None = None,
) -> Subscription:
    """Change what is given (None: leave it); `enabled` turns the subscription on or off."""
    current = await require(session, subscription_id)
    values: dict[str, object] = {}
    if url is not None:
        values["url"] = await endpoints.check(url, public_only=public_only)
    if kinds is not None:
        values["event_types"] = event_types(kinds)
    if description is not None:
        values["description"] = description_of(description)
    if enabled is True and current.status != "active":
        # Turned on again: the failures that turned it off are forgiven, the five days count afresh.
        values |= {"status": "active", "disabled_reason": None, "disabled_at": None, "failing_since": None}
    elif enabled is False and current.status == "active":
        values |= {"status": "disabled", "disabled_reason": "developer", "disabled_at": now or datetime.now(UTC)}
    if values:
        await execute(
            session,
            update(t.webhook_subscriptions).where(t.webhook_subscriptions.c.id == subscription_id).values(**values),
        )
    return await require(session, subscription_id)


async def remove(session: AsyncSession, subscription_id: str) -> None:
    """Delete the subscription with its secrets, deliveries and their attempts."""
    await require(session, subscription_id)
    deliveries = select(t.webhook_deliveries.c.id).where(t.webhook_deliveries.c.subscription_id == subscription_id)
    await execute(session, delete(t.webhook_attempts).where(t.webhook_attempts.c.delivery_id.in_(deliveries)))
    await execute(
        session, delete(t.webhook_deliveries).where(t.webhook_deliveries.c.subscription_id == subscription_id)
    )
    await execute(session, delete(t.webhook_secrets).where(t.webhook_secrets.c.subscription_id == subscription_id))
    await execute(session, delete(t.webhook_subscriptions).where(t.webhook_subscriptions.c.id == subscription_id))


def overlap_of(hours: int) -> timedelta:
    """How long the current secrets stay valid after a rotation: 0 to MAX_OVERLAP."""
    overlap = timedelta(hours=hours)
    if not timedelta(0) <= overlap <= MAX_OVERLAP:
        raise DomainError(
            WebhookErrorCode.WEBHOOK_OVERLAP_OUT_OF_RANGE,
            field="overlapHours",
            max=int(MAX_OVERLAP.total_seconds() // 3600),
        )
    return overlap


async def rotate(
    session: AsyncSession, subscription_id: str, overlap: timedelta = DEFAULT_OVERLAP, *, now: datetime | None = None
) -> tuple[Subscription, str, datetime]:
    """A new secret (shown this once); deliveries are signed with the old ones too until the returned
    moment, so the app can switch over without missing one."""
    found = await require(session, subscription_id)
    now = now or datetime.now(UTC)
    secret = await subscriptions.rotate(session, subscription_id, overlap, now=now)
    return found, secret, now + overlap
