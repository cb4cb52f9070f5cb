"""Many citizens booking one slot at once, each on a connection of its own: what the concurrency test and
bench/hall_booking_bench.py share."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.applications.workdays import WorkCalendar
from backend.catalog.snapshot import CatalogSnapshot, load_snapshot
from backend.db import tables as t
from backend.db.engine import unit_of_work
from backend.errors import DomainError
from backend.hall.appointments import booking, slots
from backend.hall.appointments.booking import hall_and_category
from backend.hall.appointments.models import AppointmentStatus
from backend.hall.appointments.policies import policy_of

Sessions = async_sessionmaker[AsyncSession]


async def make_citizens(sessions: Sessions, count: int, now: datetime) -> list[str]:
    """`count` signed-up citizens (accounts only: booking needs nothing else)."""
    ids = [str(uuid.uuid4()) for _ in range(count)]
    rows = [{"id": i, "phone": f"199{uuid.UUID(i).int % 10**8:08d}", "created_at": now} for i in ids]
    async with sessions() as session, unit_of_work(session):
        await session.execute(t.citizens.insert(), rows)
    return ids


async def nearly_full_slot(
    sessions: Sessions, hall_code: str, matter_code: str, day: date, hour_index: int, left: int
) -> tuple[CatalogSnapshot, slots.Slot]:
    """The catalog snapshot, and the slot of the day's `hour_index` with only `left` places left."""
    async with sessions() as session, unit_of_work(session):
        snapshot = await load_snapshot(session)
        hall, category = hall_and_category(snapshot, hall_code, matter_code)
        policy = await policy_of(session, hall_code)
        slot = (await slots.day_slots(session, hall, category, day, policy, WorkCalendar.default()))[hour_index]
        taken = slot.capacity - left
        statement = update(t.appointment_slots).where(t.appointment_slots.c.id == slot.id).values(taken=taken)
        await session.execute(statement)
    return snapshot, slots.Slot(**{**{f: getattr(slot, f) for f in slot.__struct_fields__}, "taken": taken})


async def attempt(work: Callable[[AsyncSession], Awaitable[Any]], sessions: Sessions) -> tuple[str, float]:
    """Run `work` in a transaction of its own: ("ok" or the refusal's code, seconds taken)."""
    started = time.perf_counter()
    try:
        async with sessions() as session, unit_of_work(session):
            await work(session)
        outcome = "ok"
    except DomainError as refused:
        outcome = str(refused.code)
    return outcome, time.perf_counter() - started


async def race_to_book(
    sessions: Sessions,
    snapshot: CatalogSnapshot,
    slot: slots.Slot,
    citizens: list[str],
    matter_code: str,
    now: datetime,
) -> tuple[Counter[str], list[float]]:
    """Every citizen books (and confirms) a place of the slot at once: the outcomes counted, the latencies."""
    calendar = WorkCalendar.default()

    def one(citizen: str) -> Callable[[AsyncSession], Awaitable[Any]]:
        async def work(session: AsyncSession) -> None:
            held = await booking.book(
                session, snapshot, calendar, citizen, None, matter_code, slot_id=slot.id, locale="zh-Hans", now=now
            )
            await booking.confirm(session, citizen, held.id, now)

        return work

    results = await asyncio.gather(*(attempt(one(c), sessions) for c in citizens))
    return Counter(outcome for outcome, _ in results), [seconds for _, seconds in results]


async def slot_counts(sessions: Sessions, slot_id: int) -> tuple[int, int, int]:
    """(taken, capacity, appointments still holding a place: live, or closed and not reopened)."""
    a = t.appointments
    async with sessions() as session:
        row = (await session.execute(select(t.appointment_slots).where(t.appointment_slots.c.id == slot_id))).one()
        holding = select(func.count()).where(a.c.slot_id == slot_id, a.c.reopened_at.is_(None))
        return row.taken, row.capacity, int((await session.execute(holding)).scalar_one())


async def confirmed_in(sessions: Sessions, slot_id: int) -> int:
    """Confirmed appointments of the slot."""
    a = t.appointments
    query = select(func.count()).where(a.c.slot_id == slot_id, a.c.status == AppointmentStatus.CONFIRMED.value)
    async with sessions() as session:
        return int((await session.execute(query)).scalar_one())
