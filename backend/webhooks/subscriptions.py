"""Apps' webhook subscriptions and their signing secrets (the core both delivery and the developer's
GraphQL use; validation and the developer-facing errors live beside it)."""

from __future__ import annotations

import base64
import secrets as random
import uuid
from datetime import UTC, datetime, timedelta

import msgspec
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.db.engine import execute

SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix, not a secret)
SECRET_BYTES = 32


class Subscription(msgspec.Struct, frozen=True, kw_only=True):
    """An app's endpoint and the event types it wants."""

    id: str
    client_id: str
    url: str
    event_types: tuple[str, ...]
    description: str
    status: str  # active | disabled
    disabled_reason: str | None
    disabled_at: datetime | None
    failing_since: datetime | None
    created_by: str
    created_at: datetime


def new_secret() -> str:
    """A Standard Webhooks secret: "whsec_" and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(random.token_bytes(SECRET_BYTES)).decode()


def _subscription(row: object) -> Subscription:
    return Subscription(
        id=row.id,  # type: ignore[attr-defined]
        client_id=row.client_id,  # type: ignore[attr-defined]
        url=row.url,  # type: ignore[attr-defined]
        event_types=tuple(row.event_types),  # type: ignore[attr-defined]
        description=row.description,  # type: ignore[attr-defined]
        status=row.status,  # type: ignore[attr-defined]
        disabled_reason=row.disabled_reason,  # type: ignore[attr-defined]
        disabled_at=row.disabled_at,  # type: ignore[attr-defined]
        failing_since=row.failing_since,  # type: ignore[attr-defined]
        created_by=row.created_by,  # type: ignore[attr-defined]
        created_at=row.created_at,  # type: ignore[attr-defined]
    )


async def create(
    session: AsyncSession,
    *,
    client_id: str,
    url: str,
    event_types: list[str],
    description: str,
    created_by: str,
    now: datetime | None = None,
) -> tuple[Subscription, str]:
    """A new active subscription and its secret (the only time the secret is shown)."""
    now = now or datetime.now(UTC)
    subscription_id = f"whsub_{uuid.uuid4().hex}"
    await session.execute(
        t.webhook_subscriptions.insert().values(
            id=subscription_id,
            client_id=client_id,
            url=url,
            event_types=sorted(set(event_types)),
            description=description,
            status="active",
            created_by=created_by,
            created_at=now,
        )
    )
    secret = await add_secret(session, subscription_id, now=now)
    found = await get(session, subscription_id)
    assert found is not None
    return found, secret


async def get(session: AsyncSession, subscription_id: str) -> Subscription | None:
    """One subscription, or None."""
    row = (
        await execute(session, select(t.webhook_subscriptions).where(t.webhook_subscriptions.c.id == subscription_id))
    ).first()
    return _subscription(row) if row is not None else None


async def of_client(session: AsyncSession, client_id: str) -> list[Subscription]:
    """An app's subscriptions, oldest first."""
    rows = await execute(
        session,
        select(t.webhook_subscriptions)
        .where(t.webhook_subscriptions.c.client_id == client_id)
        .order_by(t.webhook_subscriptions.c.created_at, t.webhook_subscriptions.c.id),
    )
    return [_subscription(row) for row in rows]


async def add_secret(session: AsyncSession, subscription_id: str, *, now: datetime | None = None) -> str:
    """A new signing secret for the subscription (returned once)."""
    secret = new_secret()
    await session.execute(
        t.webhook_secrets.insert().values(
            id=f"whsecid_{uuid.uuid4().hex}",
            subscription_id=subscription_id,
            secret=secret,
            created_at=now or datetime.now(UTC),
            expires_at=None,
        )
    )
    return secret


async def rotate(
    session: AsyncSession, subscription_id: str, overlap: timedelta, *, now: datetime | None = None
) -> str:
    """A new secret; the current ones keep signing for `overlap` (deliveries carry both signatures), so
    the app can switch without losing a delivery."""
    now = now or datetime.now(UTC)
    await session.execute(
        update(t.webhook_secrets)
        .where(
            t.webhook_secrets.c.subscription_id == subscription_id,
            or_(t.webhook_secrets.c.expires_at.is_(None), t.webhook_secrets.c.expires_at > now + overlap),
        )
        .values(expires_at=now + overlap)
    )
    return await add_secret(session, subscription_id, now=now)


async def signing_secrets(session: AsyncSession, subscription_id: str, *, now: datetime | None = None) -> list[str]:
    """The secrets a delivery is signed with now: newest first."""
    now = now or datetime.now(UTC)
    rows = await session.execute(
        select(t.webhook_secrets.c.secret)
        .where(
            t.webhook_secrets.c.subscription_id == subscription_id,
            or_(t.webhook_secrets.c.expires_at.is_(None), t.webhook_secrets.c.expires_at > now),
        )
        .order_by(t.webhook_secrets.c.created_at.desc(), t.webhook_secrets.c.id)
    )
    return [row.secret for row in rows]
