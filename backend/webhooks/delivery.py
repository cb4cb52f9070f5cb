"""Sending an endpoint's deliveries: the `webhooks.deliver` job, the sweep that wakes what is due, and
manual redelivery.

A run claims a batch of due deliveries (FOR UPDATE SKIP LOCKED, then a lease, committed), sends them
concurrently, and commits each answer on its own (outcomes.py). A worker killed mid-batch leaves leased
rows: once the lease passes, the sweep wakes the endpoint again and another worker sends them. Only a
delivery in flight at the kill can arrive twice (same webhook-id: receivers deduplicate on it); one
whose 2xx was recorded never is.
"""

from __future__ import annotations

import asyncio
import math
import weakref
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, or_, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db import tables as t
from backend.db.engine import unit_of_work
from backend.db.types import UTCDateTime
from backend.webhooks import outcomes, sending, subscriptions
from backend.webhooks.outcomes import Claimed
from backend.webhooks.texts import DisabledReason

if TYPE_CHECKING:
    from backend.job_queue import JobQueue
    from backend.resources import Resources

JOB = "webhooks.deliver"
BATCH = 24
"""Deliveries claimed per round: enough to keep the concurrent sends busy, few enough that a claimed
delivery is sent and recorded well within its lease (a busy worker must not outlive it)."""

WAIT_IN_RUN = 1.0
"""A retry due within this many seconds is waited for in the run (compressed clocks, short leases);
later ones are a scheduled job."""

_IDLE_ROUNDS = 50

RECORDING = 8
"""Answers committed at once per process: every delivery run shares the process's connection pool, and
a run waiting past the pool's timeout would leave answered deliveries unrecorded (sent again later)."""
_recording: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def _recording_gate() -> asyncio.Semaphore:
    """The process's gate (one per event loop: a semaphore belongs to the loop that first waits on it)."""
    return _recording.setdefault(asyncio.get_running_loop(), asyncio.Semaphore(RECORDING))


async def enqueue_delivery(
    jobs: JobQueue, subscription_id: str, *, heartbeat: int, key: str | None = None, at: datetime | None = None
) -> bool:
    """Queue a delivery run for the endpoint (one per key at a time); False when that key waits already.

    The run has no time limit (an endpoint with a long backlog is worked through) but a heartbeat: a
    killed worker's run is swept after `heartbeat` seconds, and the leases of its rows let another run
    send them."""
    job: dict[str, Any] = {
        "kwargs": {"subscription_id": subscription_id},
        "key": key or f"{JOB}:{subscription_id}",
        "timeout": 0,
        "heartbeat": heartbeat,
    }
    if at is not None:
        job["scheduled"] = math.ceil(at.timestamp())
    return await jobs.queue.enqueue(JOB, **job) is not None


async def deliver_subscription(resources: Resources, subscription_id: str) -> dict[str, Any]:
    """Send the endpoint's due deliveries until none is left; then schedule the next retry's run."""
    settings = resources.settings
    lease = timedelta(seconds=settings.webhook_lease_seconds)
    sent, idle = 0, 0
    async with sending.client(settings.webhook_concurrency) as http:
        while True:
            claimed = await _claim(resources.sessions, subscription_id, lease, BATCH)
            if claimed is None:  # gone or disabled: what waits stays listed
                break
            subscription, secrets, batch = claimed
            if batch:
                idle = 0
                sent += len(batch)
                # A batch is finished even if the run is cancelled meanwhile (SAQ's sweep can abort a run
                # it caught between dequeue and start): a cancelled batch left answered deliveries
                # unrecorded (sent again) and the rest leased for a whole lease.
                await asyncio.shield(_send_batch(resources, http, subscription, secrets, batch))
                continue
            due = await _next_due(resources.sessions, subscription_id)
            if due is None:
                break
            wait = (due - datetime.now(UTC)).total_seconds()
            idle += 1
            if wait <= WAIT_IN_RUN and idle < _IDLE_ROUNDS:
                await asyncio.sleep(max(wait, 0.005))
                continue
            at = max(due, datetime.now(UTC) + timedelta(seconds=1))
            await enqueue_delivery(
                resources.jobs,
                subscription_id,
                heartbeat=settings.job_heartbeat_seconds,
                key=f"{JOB}:{subscription_id}:at:{math.ceil(at.timestamp())}",
                at=at,
            )
            break
    return {"sent": sent}


async def _send_batch(
    resources: Resources,
    http: Any,
    subscription: subscriptions.Subscription,
    secrets: list[str],
    batch: list[Claimed],
) -> None:
    settings = resources.settings
    gate = asyncio.Semaphore(settings.webhook_concurrency)
    stopped = asyncio.Event()
    unsent: list[str] = []
    delivered: list[Claimed] = []

    async def one(delivery: Claimed) -> None:
        async with gate:
            if stopped.is_set():  # disabled meanwhile: give the lease back, send nothing more
                unsent.append(delivery.id)
                return
            outcome = await sending.send(
                http,
                subscription.url,
                secrets,
                delivery.id,
                delivery.body,
                timeout=settings.webhook_timeout_seconds,
                public_only=settings.webhook_endpoints_must_be_public,
            )
            async with _recording_gate():
                disabled = await outcomes.record(
                    resources.sessions,
                    subscription.id,
                    delivery,
                    outcome,
                    now=datetime.now(UTC),
                    scale=settings.webhook_clock_scale,
                )
            if outcome.succeeded:
                delivered.append(delivery)
            if disabled:
                stopped.set()

    try:
        await asyncio.gather(*(one(delivery) for delivery in batch))
    finally:  # what was delivered is counted, even when another answer could not be recorded
        await outcomes.count_events(resources.sessions, subscription.client_id, delivered, now=datetime.now(UTC))
    if unsent:
        d = t.webhook_deliveries
        async with resources.sessions() as session, unit_of_work(session):
            await session.execute(update(d).where(d.c.id.in_(unsent)).values(lease_until=None))


async def _claim(
    sessions: async_sessionmaker[AsyncSession], subscription_id: str, lease: timedelta, limit: int
) -> tuple[subscriptions.Subscription, list[str], list[Claimed]] | None:
    """Lease up to `limit` due deliveries of an active subscription (None when it is not active)."""
    d = t.webhook_deliveries
    now = datetime.now(UTC)
    async with sessions() as session, unit_of_work(session):
        subscription = await subscriptions.get(session, subscription_id)
        if subscription is None or subscription.status != "active":
            return None
        due = (
            select(d.c.id)
            .where(
                d.c.subscription_id == subscription_id,
                d.c.status == "pending",
                d.c.next_attempt_at <= now,
                or_(d.c.lease_until.is_(None), d.c.lease_until < now),
            )
            .order_by(d.c.next_attempt_at, d.c.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        rows = await session.execute(
            update(d)
            .where(d.c.id.in_(due))
            .values(lease_until=now + lease)
            .returning(d.c.id, d.c.event_type, d.c.citizen_id, d.c.body, d.c.attempts, d.c.created_at)
        )
        batch = sorted(rows, key=lambda row: (row.created_at, row.id))
        secrets = await subscriptions.signing_secrets(session, subscription_id, now=now)
    claimed = [
        Claimed(id=r.id, event_type=r.event_type, citizen_id=r.citizen_id, body=r.body, attempts=r.attempts)
        for r in batch
    ]
    return subscription, secrets, claimed


async def _next_due(sessions: async_sessionmaker[AsyncSession], subscription_id: str) -> datetime | None:
    """When the endpoint's next pending delivery may be sent (its retry time, or its lease's end)."""
    d = t.webhook_deliveries
    ready = case((d.c.lease_until > d.c.next_attempt_at, d.c.lease_until), else_=d.c.next_attempt_at)
    async with sessions() as session:
        due: datetime | None = (
            await session.execute(
                select(type_coerce(func.min(ready), UTCDateTime())).where(
                    d.c.subscription_id == subscription_id, d.c.status == "pending"
                )
            )
        ).scalar()
    return due


async def sweep(resources: Resources) -> dict[str, Any]:
    """Every few seconds: disable endpoints failing too long, and wake each endpoint with deliveries due
    (retries whose time came, leases of a killed worker that ran out, wake-ups Redis lost)."""
    settings = resources.settings
    now = datetime.now(UTC)
    d, s = t.webhook_deliveries, t.webhook_subscriptions
    async with resources.sessions() as session, unit_of_work(session):
        failing = await outcomes.failing_too_long(session, now=now, scale=settings.webhook_clock_scale)
        disabled = [sid for sid in failing if await outcomes.disable(session, sid, DisabledReason.FAILING, now=now)]
    async with resources.sessions() as session:
        due = (
            await session.execute(
                select(d.c.subscription_id)
                .join(s, s.c.id == d.c.subscription_id)
                .where(
                    s.c.status == "active",
                    d.c.status == "pending",
                    d.c.next_attempt_at <= now,
                    or_(d.c.lease_until.is_(None), d.c.lease_until < now),
                )
                .distinct()
            )
        ).scalars()
        woken = sorted(due)
    slot = int(now.timestamp()) // 5
    for subscription_id in woken:
        await enqueue_delivery(
            resources.jobs,
            subscription_id,
            heartbeat=settings.job_heartbeat_seconds,
            key=f"{JOB}:{subscription_id}:sweep:{slot}",
        )
    return {"woken": len(woken), "disabled": len(disabled)}


async def redeliver(session: AsyncSession, delivery_id: str) -> str | None:
    """Send a delivery again now (a developer's request): back to pending, due at once, same webhook-id
    and body. The subscription's id, to wake its run (`enqueue_delivery`); None when there is no such
    delivery."""
    d = t.webhook_deliveries
    done = await session.execute(
        update(d)
        .where(d.c.id == delivery_id)
        .values(status="pending", next_attempt_at=datetime.now(UTC), lease_until=None)
        .returning(d.c.subscription_id)
    )
    row = done.first()
    return row.subscription_id if row is not None else None
