"""What one try's answer changes, committed at once in its own transaction: a 2xx recorded is never sent
again, even if the worker dies right after; a failure waits its turn in the retry schedule; an endpoint
answering 410, or failing for 5 days, is disabled and its developers are told."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta

import msgspec
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db import tables as t
from backend.db.engine import unit_of_work
from backend.identity import audit
from backend.platform.data_access import AccessKind, count_access
from backend.webhooks.sending import Outcome
from backend.webhooks.texts import FAILING_DAYS, DisabledReason

RETRY_AFTER: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
)
"""The wait after each failed try (Standard Webhooks' schedule); after the last one the delivery failed."""

FAILING_FOR = timedelta(days=FAILING_DAYS)


class Claimed(msgspec.Struct, frozen=True):
    """A delivery a worker holds (leased) while it sends it."""

    id: str
    event_type: str
    citizen_id: str | None
    body: str
    attempts: int


async def record(
    sessions: async_sessionmaker[AsyncSession],
    subscription_id: str,
    delivery: Claimed,
    outcome: Outcome,
    *,
    now: datetime,
    scale: float,
) -> bool:
    """Commit one try's outcome; whether it disabled the subscription. (A success's count in the
    citizen's record of data use is added per batch, `count_events`: one row per app and citizen takes
    every count, and a row lock held by each answer's commit would make the endpoint's sends take turns.)"""
    d = t.webhook_deliveries
    async with sessions() as session, unit_of_work(session):
        await _commit_without_waiting_for_disk(session)
        await session.execute(
            t.webhook_attempts.insert().values(
                delivery_id=delivery.id,
                at=now,
                status_code=outcome.status_code,
                latency_ms=outcome.latency_ms,
                error=outcome.error,
                manual=False,
            )
        )
        attempts = delivery.attempts + 1
        common = {"attempts": attempts, "last_status_code": outcome.status_code, "lease_until": None}
        if outcome.succeeded:
            await session.execute(
                update(d)
                .where(d.c.id == delivery.id)
                .values(status="succeeded", delivered_at=now, next_attempt_at=None, **common)
            )
            s = t.webhook_subscriptions
            await session.execute(
                update(s).where(s.c.id == subscription_id, s.c.failing_since.is_not(None)).values(failing_since=None)
            )
            return False
        if outcome.status_code == 410:  # the endpoint is gone: what waits stays listed, unsent
            await session.execute(update(d).where(d.c.id == delivery.id).values(**common))
            return await disable(session, subscription_id, DisabledReason.GONE, now=now)
        if attempts > len(RETRY_AFTER):
            await session.execute(
                update(d).where(d.c.id == delivery.id).values(status="failed", next_attempt_at=None, **common)
            )
        else:
            retry_at = now + RETRY_AFTER[attempts - 1] * scale
            await session.execute(update(d).where(d.c.id == delivery.id).values(next_attempt_at=retry_at, **common))
        return await _note_failure(session, subscription_id, now=now, scale=scale)


async def _commit_without_waiting_for_disk(session: AsyncSession) -> None:
    """On PostgreSQL, this answer's commit returns before its WAL reaches the disk (synchronous_commit
    off, for this transaction only). A killed WORKER loses nothing by it: the commit is in the server.
    Only a crash of the database server itself can lose the last fraction of a second of answers, and
    then those deliveries are sent again (at least once, same webhook-id), never lost. In exchange an
    answer no longer waits for an fsync, which was what bounded deliveries per second."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SET LOCAL synchronous_commit TO OFF"))


async def count_events(
    sessions: async_sessionmaker[AsyncSession], client_id: str, delivered: list[Claimed], *, now: datetime
) -> None:
    """Add the delivered events to each citizen's record of what the app was sent (myDataAccess)."""
    per_citizen: dict[str, Counter[str]] = defaultdict(Counter)
    for delivery in delivered:
        if delivery.citizen_id is not None:
            per_citizen[delivery.citizen_id][delivery.event_type] += 1
    if not per_citizen:
        return
    async with sessions() as session, unit_of_work(session):
        for citizen_id, counts in sorted(per_citizen.items()):
            await count_access(session, citizen_id, client_id, AccessKind.EVENT, dict(counts), at=now)


async def _note_failure(session: AsyncSession, subscription_id: str, *, now: datetime, scale: float) -> bool:
    s = t.webhook_subscriptions
    await session.execute(
        update(s).where(s.c.id == subscription_id, s.c.failing_since.is_(None)).values(failing_since=now)
    )
    since = (await session.execute(select(s.c.failing_since).where(s.c.id == subscription_id))).scalar_one()
    if since is not None and since <= now - FAILING_FOR * scale:
        return await disable(session, subscription_id, DisabledReason.FAILING, now=now)
    return False


async def disable(session: AsyncSession, subscription_id: str, reason: DisabledReason, *, now: datetime) -> bool:
    """Disable an active subscription and leave its developers a notice (the audit log, read by the
    developer's API with `texts.notice`); False when it was not active any more."""
    s = t.webhook_subscriptions
    done = await session.execute(
        update(s)
        .where(s.c.id == subscription_id, s.c.status == "active")
        .values(status="disabled", disabled_reason=reason.value, disabled_at=now)
        .returning(s.c.client_id, s.c.url)
    )
    row = done.first()
    if row is None:
        return False
    await audit.record(
        session,
        audit.AuditAction.WEBHOOK_DISABLED,
        actor_type="system",
        client_id=row.client_id,
        subscription_id=subscription_id,
        url=row.url,
        reason=reason.value,
    )
    return True


async def failing_too_long(session: AsyncSession, *, now: datetime, scale: float) -> list[str]:
    """Active subscriptions that have failed, with no success since, for longer than allowed."""
    s = t.webhook_subscriptions
    rows = await session.execute(
        select(s.c.id).where(s.c.status == "active", s.c.failing_since <= now - FAILING_FOR * scale)
    )
    return list(rows.scalars())
