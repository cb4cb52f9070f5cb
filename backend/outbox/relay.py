"""The relay: committed outbox events handed to their consumers, each event once per consumer's effect.

A batch is claimed and consumed in ONE transaction: the claim (relayed_at set) commits together with
what the consumers wrote (webhook deliveries), or neither does. On PostgreSQL concurrent relays skip
each other's rows (FOR UPDATE SKIP LOCKED); SQLite has one writer at a time anyway. Consumers' effects
outside the database (a Redis publish) happen before the commit, so a crash can repeat them but never
lose them: live subscribers re-read what changed, and webhook rows are unique per event and endpoint.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Protocol

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db import tables as t
from backend.db.engine import unit_of_work
from backend.outbox.events import EventType, OutboxEvent

log = structlog.get_logger("backend.outbox")

AfterCommit = Callable[[], Awaitable[None]]

BATCH = 200
"""Events claimed per transaction: big enough for throughput, small enough for short locks."""


class Consumer(Protocol):
    """Something fed from the outbox (live subscriptions, webhooks)."""

    async def consume(self, session: AsyncSession, events: Sequence[OutboxEvent]) -> AfterCommit | None:
        """Handle `events` in the relay's transaction; what to do once it committed (or None)."""
        ...


class Relay:
    """Hands unrelayed events to every consumer, batch by batch."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], consumers: Sequence[Consumer]) -> None:
        self._sessions = sessions
        self._consumers = tuple(consumers)

    async def run(self, *, max_batches: int | None = None) -> int:
        """Relay until nothing is left (or `max_batches` batches); how many events were relayed."""
        relayed, batches = 0, 0
        while max_batches is None or batches < max_batches:
            count = await self._one_batch()
            relayed, batches = relayed + count, batches + 1
            if count < BATCH:
                break
        return relayed

    async def wake(self) -> None:
        """Relay right after a writer's commit; never fails the writer (the sweep relays what is left)."""
        try:
            await self.run(max_batches=1)
        except Exception:
            log.warning("outbox.relay_failed", exc_info=True)

    async def _one_batch(self) -> int:
        after: list[AfterCommit] = []
        async with self._sessions() as session, unit_of_work(session):
            events = await _claim(session, datetime.now(UTC))
            if not events:
                return 0
            for consumer in self._consumers:
                then = await consumer.consume(session, events)
                if then is not None:
                    after.append(then)
        for then in after:
            try:
                await then()
            except Exception:  # the deliveries are in the database; the sweep sends them
                log.warning("outbox.after_commit_failed", exc_info=True)
        return len(events)


async def _claim(session: AsyncSession, now: datetime) -> list[OutboxEvent]:
    oldest = (
        select(t.outbox_events.c.seq)
        .where(t.outbox_events.c.relayed_at.is_(None))
        .order_by(t.outbox_events.c.seq)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    rows = (
        await session.execute(
            update(t.outbox_events)
            .where(t.outbox_events.c.seq.in_(oldest))
            .values(relayed_at=now)
            .returning(*t.outbox_events.c)
        )
    ).all()
    return sorted(
        (
            OutboxEvent(
                seq=row.seq,
                id=row.id,
                type=EventType(row.type),
                citizen_id=row.citizen_id,
                client_id=row.client_id,
                data=row.data,
                occurred_at=row.occurred_at,
            )
            for row in rows
        ),
        key=lambda event: event.seq,
    )
