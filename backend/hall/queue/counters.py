"""Officers' counters: a window opened for the day, serving their departments' categories."""

from __future__ import annotations

from datetime import datetime

import msgspec
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.snapshot import CatalogSnapshot
from backend.db import tables as t
from backend.errors import CommonErrorCode, DomainError
from backend.hall.categories import categories_of
from backend.hall.queue.errors import QueueError, QueueErrorCode
from backend.hall.queue.models import Counter

C = t.hall_counters


WINDOW_LONGEST = 16
"""Characters in a window's name (the column's width)."""


async def open_counter(
    session: AsyncSession,
    snapshot: CatalogSnapshot,
    *,
    hall_code: str,
    window: str,
    categories: list[str],
    officer_id: str,
    departments: frozenset[str] | None,
    now: datetime,
) -> Counter:
    """Open `window` at the hall for `categories` (each one a department the officer belongs to; None: any)."""
    window = window.strip()
    if not 1 <= len(window) <= WINDOW_LONGEST:  # the window's number or name, as painted above it
        raise DomainError(CommonErrorCode.INVALID_VALUE, field="window")
    known = {c.code for c in categories_of(snapshot, hall_code)}
    if not known:
        raise QueueError(QueueErrorCode.QUEUE_HALL_UNKNOWN, field="hallCode", hall=hall_code)
    wanted = sorted(set(categories))
    if not wanted or any(c not in known for c in wanted):
        raise QueueError(QueueErrorCode.CATEGORY_NOT_YOURS, field="categories")
    if departments is not None and any(c not in departments for c in wanted):
        raise QueueError(QueueErrorCode.CATEGORY_NOT_YOURS, field="categories")
    taken = await session.execute(
        select(C.c.id).where(C.c.hall_code == hall_code, C.c.window == window, C.c.closed_at.is_(None))
    )
    if taken.first() is not None:
        raise QueueError(QueueErrorCode.WINDOW_TAKEN, field="window", window=window)
    row = (
        await session.execute(
            insert(C)
            .values(
                hall_code=hall_code, window=window, categories=",".join(wanted), officer_id=officer_id, opened_at=now
            )
            .returning(*C.c)
        )
    ).one()
    return Counter.of(row)


async def lock_counter(session: AsyncSession, counter_id: int, officer_id: str | None, now: datetime) -> Counter:
    """The open counter, locked for this transaction (its row on PostgreSQL, the write lock on SQLite): the
    first write of a call, so calls at one counter run one after another. `officer_id` None: any officer."""
    where = [C.c.id == counter_id, C.c.closed_at.is_(None)]
    if officer_id is not None:
        where.append(C.c.officer_id == officer_id)
    row = (await session.execute(update(C).where(*where).values(last_call_at=now).returning(*C.c))).first()
    if row is None:
        raise QueueError(QueueErrorCode.COUNTER_NOT_FOUND, field="counterId")
    return Counter.of(row)


async def close_counter(session: AsyncSession, counter_id: int, officer_id: str | None, now: datetime) -> Counter:
    """Close the counter; tickets sent to it go back to their category's queue, keeping their place."""
    counter = await lock_counter(session, counter_id, officer_id, now)
    await session.execute(update(C).where(C.c.id == counter_id).values(closed_at=now))
    await session.execute(
        update(t.tickets).where(t.tickets.c.target_counter_id == counter_id).values(target_counter_id=None)
    )
    return msgspec.structs.replace(counter, closed_at=now)


async def open_counters(session: AsyncSession, hall_code: str) -> list[Counter]:
    """The hall's open counters, by window."""
    rows = await session.execute(
        select(C).where(C.c.hall_code == hall_code, C.c.closed_at.is_(None)).order_by(C.c.window)
    )
    return [Counter.of(r) for r in rows]


async def get_counter(session: AsyncSession, counter_id: int) -> Counter | None:
    """A counter, open or closed."""
    row = (await session.execute(select(C).where(C.c.id == counter_id))).first()
    return Counter.of(row) if row is not None else None


def serving(counters: list[Counter], category_code: str) -> int:
    """How many of the open counters serve the category."""
    return sum(1 for c in counters if category_code in c.categories)


async def open_counters_of(session: AsyncSession, officer_id: str) -> list[Counter]:
    """The officer's open counters."""
    rows = await session.execute(select(C).where(C.c.officer_id == officer_id, C.c.closed_at.is_(None)))
    return [Counter.of(r) for r in rows]
