"""A scheduled job's run per slot, claimed in the database: exactly one worker runs each slot."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db import tables as t
from backend.db.engine import unit_of_work


async def claim(
    sessions: async_sessionmaker[AsyncSession], job: str, slot: str, worker: str, *, retry: bool = False
) -> bool:
    """Whether this worker runs `job` for `slot` (False: another worker already did, or does).

    A retry (the queue gives a job again only when its last attempt failed or its worker died) takes
    over a slot whose run never finished."""
    now = datetime.now(UTC)
    try:
        async with sessions() as session, unit_of_work(session):
            await session.execute(t.job_runs.insert().values(job=job, slot=slot, worker=worker, started_at=now))
    except IntegrityError:
        if not retry:
            return False
        async with sessions() as session, unit_of_work(session):
            taken = await session.execute(
                update(t.job_runs)
                .where(t.job_runs.c.job == job, t.job_runs.c.slot == slot, t.job_runs.c.finished_at.is_(None))
                .values(worker=worker, started_at=now)
            )
        return bool(taken.rowcount)  # type: ignore[attr-defined]
    return True


async def release(sessions: async_sessionmaker[AsyncSession], job: str, slot: str) -> None:
    """Give a failed run's slot back, so that the queue's retry runs it."""
    async with sessions() as session, unit_of_work(session):
        await session.execute(delete(t.job_runs).where(t.job_runs.c.job == job, t.job_runs.c.slot == slot))


async def finish(sessions: async_sessionmaker[AsyncSession], job: str, slot: str, outcome: dict[str, Any]) -> None:
    """Record what the run did (counts, or the error's class)."""
    async with sessions() as session, unit_of_work(session):
        await session.execute(
            update(t.job_runs)
            .where(t.job_runs.c.job == job, t.job_runs.c.slot == slot)
            .values(finished_at=datetime.now(UTC), outcome=outcome)
        )
