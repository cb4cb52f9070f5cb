"""What an app's developers read of its webhooks: each subscription's deliveries with their attempts, the
events sent to the app in the last 30 days; and a redelivery a person asks for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import Column, Select, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.db.engine import after_commit, execute
from backend.errors import DomainError
from backend.job_queue import JobQueue
from backend.webhooks import subscriptions
from backend.webhooks.errors import WebhookErrorCode

EVENTS_KEPT = timedelta(days=30)
"""How far back an app can list the events it was sent (Stripe's 30 days)."""
ATTEMPTS_SHOWN = 10
"""A delivery's latest attempts shown with it: as many as the retry schedule makes (redeliveries add more)."""
DELIVER_JOB = "webhooks.deliver"

Position = tuple[datetime, str]
"""Where a newest-first page stopped: the last item's time and id."""


class Attempt(msgspec.Struct, frozen=True, kw_only=True):
    """One try: when, what the endpoint answered (None: no answer), how long it took, what went wrong."""

    at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None
    manual: bool


class Delivery(msgspec.Struct, frozen=True, kw_only=True):
    """One event for one subscription, its state and its latest attempts (oldest first)."""

    id: str
    subscription_id: str
    event_id: str
    event_type: str
    status: str
    created_at: datetime
    delivered_at: datetime | None
    next_attempt_at: datetime | None
    last_status_code: int | None
    attempt_count: int
    attempts: tuple[Attempt, ...]


class SentEvent(msgspec.Struct, frozen=True, kw_only=True):
    """An event the app was sent: its id, type, when it happened and was first sent, the exact body sent."""

    id: str
    type: str
    occurred_at: datetime
    sent_at: datetime
    body: str


def _after(query: Select[Any], at: Column[Any], key: Column[Any], position: Position | None) -> Select[Any]:
    if position is None:
        return query
    moment, last = position
    return query.where(or_(at < moment, and_(at == moment, key < last)))


async def _attempts(session: AsyncSession, delivery_ids: list[str]) -> dict[str, list[Attempt]]:
    a = t.webhook_attempts
    rows = await execute(session, select(a).where(a.c.delivery_id.in_(delivery_ids)).order_by(a.c.at, a.c.id))
    found: dict[str, list[Attempt]] = {}
    for row in rows:
        found.setdefault(row.delivery_id, []).append(
            Attempt(
                at=row.at, status_code=row.status_code, latency_ms=row.latency_ms, error=row.error, manual=row.manual
            )
        )
    return found


def _delivery(row: object, attempts: list[Attempt]) -> Delivery:
    return Delivery(
        id=row.id,  # type: ignore[attr-defined]
        subscription_id=row.subscription_id,  # type: ignore[attr-defined]
        event_id=row.event_id,  # type: ignore[attr-defined]
        event_type=row.event_type,  # type: ignore[attr-defined]
        status=row.status,  # type: ignore[attr-defined]
        created_at=row.created_at,  # type: ignore[attr-defined]
        delivered_at=row.delivered_at,  # type: ignore[attr-defined]
        next_attempt_at=row.next_attempt_at,  # type: ignore[attr-defined]
        last_status_code=row.last_status_code,  # type: ignore[attr-defined]
        attempt_count=len(attempts),
        attempts=tuple(attempts[-ATTEMPTS_SHOWN:]),
    )


_DELIVERY_COLUMNS = [
    c for c in t.webhook_deliveries.c if c.name not in ("body", "citizen_id", "lease_until", "attempts")
]


async def deliveries(
    session: AsyncSession, subscription_id: str, *, first: int, after: Position | None, status: str | None = None
) -> tuple[list[Delivery], bool]:
    """The subscription's deliveries, newest first (keyset pages), optionally in one status; whether more follow."""
    d = t.webhook_deliveries
    query = select(*_DELIVERY_COLUMNS).where(d.c.subscription_id == subscription_id)
    if status is not None:
        query = query.where(d.c.status == status)
    query = _after(query, d.c.created_at, d.c.id, after)
    ordered = query.order_by(d.c.created_at.desc(), d.c.id.desc()).limit(first + 1)
    rows = (await execute(session, ordered)).all()
    attempts = await _attempts(session, [row.id for row in rows[:first]]) if rows else {}
    return [_delivery(row, attempts.get(row.id, [])) for row in rows[:first]], len(rows) > first


async def get_delivery(session: AsyncSession, delivery_id: str) -> Delivery:
    """One delivery with its attempts; WEBHOOK_DELIVERY_NOT_FOUND when there is none."""
    row = (await execute(session, select(*_DELIVERY_COLUMNS).where(t.webhook_deliveries.c.id == delivery_id))).first()
    if row is None:
        raise DomainError(WebhookErrorCode.WEBHOOK_DELIVERY_NOT_FOUND, field="deliveryId", id=delivery_id)
    return _delivery(row, (await _attempts(session, [delivery_id])).get(delivery_id, []))


async def sent_events(
    session: AsyncSession, client_id: str, *, first: int, after: Position | None, now: datetime | None = None
) -> tuple[list[SentEvent], bool]:
    """The events the app's subscriptions were sent in the last 30 days, newest first, each once (an event
    two of its endpoints received is one event); whether more follow."""
    d, s, o = t.webhook_deliveries, t.webhook_subscriptions, t.outbox_events
    since = (now or datetime.now(UTC)) - EVENTS_KEPT
    earliest = (
        select(d.c.event_id, func.min(d.c.id).label("delivery_id"))
        .join(s, s.c.id == d.c.subscription_id)
        .where(s.c.client_id == client_id, d.c.created_at >= since)
        .group_by(d.c.event_id)
        .subquery()
    )
    query = (
        select(d.c.event_id, d.c.event_type, d.c.body, d.c.created_at, o.c.occurred_at)
        .join(earliest, earliest.c.delivery_id == d.c.id)
        .outerjoin(o, o.c.id == d.c.event_id)
    )
    query = _after(query, d.c.created_at, d.c.event_id, after)
    ordered = query.order_by(d.c.created_at.desc(), d.c.event_id.desc()).limit(first + 1)
    rows = (await execute(session, ordered)).all()
    events = [
        SentEvent(
            id=row.event_id,
            type=row.event_type,
            occurred_at=row.occurred_at or row.created_at,
            sent_at=row.created_at,
            body=row.body,
        )
        for row in rows[:first]
    ]
    return events, len(rows) > first


async def redeliver(
    session: AsyncSession, jobs: JobQueue | None, delivery_id: str, *, now: datetime | None = None
) -> Delivery:
    """Send the delivery again, as asked by a person: back to pending and due now, any lease cleared;
    once that commits, a delivery job for its subscription is queued (without a queue, the workers'
    sweep finds it due). Its id and body stay the same, so the receiver can tell it is the same event."""
    found = await get_delivery(session, delivery_id)
    subscription = await subscriptions.get(session, found.subscription_id)
    if subscription is None or subscription.status != "active":
        # A turned-off subscription is sent nothing: the delivery would wait, unseen, for it to be on again.
        raise DomainError(WebhookErrorCode.WEBHOOK_DISABLED, field="deliveryId")
    await execute(
        session,
        update(t.webhook_deliveries)
        .where(t.webhook_deliveries.c.id == delivery_id)
        .values(status="pending", next_attempt_at=now or datetime.now(UTC), lease_until=None),
    )
    if jobs is not None:
        send_after_commit(session, jobs, found.subscription_id)
    return await get_delivery(session, delivery_id)


def send_after_commit(session: AsyncSession, jobs: JobQueue, subscription_id: str) -> None:
    """Queue a delivery job for the subscription once the transaction commits (a redelivery, a
    subscription turned on again with deliveries waiting): its due deliveries go now, not at the sweep."""

    async def wake() -> None:
        await jobs.enqueue(DELIVER_JOB, subscription_id=subscription_id)

    after_commit(session, f"{DELIVER_JOB}:{subscription_id}", wake)
