"""Slot rows: made lazily when someone looks or books (INSERT ... ON CONFLICT DO NOTHING, so two
first lookers make one row), read back, and given back their reopened places."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import msgspec
from sqlalchemy import and_, func, select, update

from backend.applications.workdays import WorkCalendar
from backend.catalog import models as m
from backend.db import tables as t
from backend.db.engine import execute
from backend.db.upsert import insert_for
from backend.hall.appointments.calendar import capacity, slot_times
from backend.hall.appointments.models import AppointmentStatus, Policy
from backend.hall.categories import Category

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

S = t.appointment_slots
A = t.appointments


class Slot(msgspec.Struct, frozen=True):
    """One row of `appointment_slots`."""

    id: int
    hall_code: str
    category_code: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    taken: int

    @property
    def places_left(self) -> int:
        """Places a booking can still take."""
        return max(0, self.capacity - self.taken)


def _slot(row: object) -> Slot:
    return Slot(**row._mapping)  # type: ignore[attr-defined]


async def day_slots(
    session: AsyncSession, hall: m.Hall, category: Category, day: date, policy: Policy, calendar: WorkCalendar
) -> list[Slot]:
    """The category's slots at the hall on the Beijing day, made if they were not yet (empty when closed)."""
    times = slot_times(hall, day, policy, calendar)
    if not times:
        return []
    places = capacity(category, policy)
    rows = [
        {"hall_code": hall.code, "category_code": category.code, "starts_at": s, "ends_at": e, "capacity": places}
        for s, e in times
    ]
    found = await _read(session, hall.code, category.code, times[0][0], times[-1][0])
    if len(found) < len(times):
        statement = insert_for(session, S).values([row | {"taken": 0} for row in rows]).on_conflict_do_nothing()
        await session.execute(statement)
        found = await _read(session, hall.code, category.code, times[0][0], times[-1][0])
    return found


async def _read(
    session: AsyncSession, hall_code: str, category_code: str, first: datetime, last: datetime
) -> list[Slot]:
    query = (
        select(S)
        .where(S.c.hall_code == hall_code, S.c.category_code == category_code, S.c.starts_at.between(first, last))
        .order_by(S.c.starts_at)
    )
    return [_slot(row) for row in await execute(session, query)]


async def slot_by_id(session: AsyncSession, slot_id: int) -> Slot | None:
    """The slot, or None."""
    row = (await execute(session, select(S).where(S.c.id == slot_id))).first()
    return _slot(row) if row else None


async def take_place(session: AsyncSession, slot_id: int) -> bool:
    """Take one place of the slot if one is left: the ONLY way a place is taken. One conditional UPDATE,
    so two bookers can never both take the last place (PostgreSQL re-checks `taken < capacity` on the
    row it waited for; SQLite runs one writer at a time)."""
    statement = update(S).where(S.c.id == slot_id, S.c.taken < S.c.capacity).values(taken=S.c.taken + 1)
    result = await session.execute(statement)
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


async def places_due_back(session: AsyncSession, slot_id: int, now: datetime) -> bool:
    """Whether a place of the slot is due back now: a hold past its time, or a closed place due to reopen."""
    expired = (A.c.status == AppointmentStatus.HELD.value) & (A.c.held_until <= now)
    reopening = A.c.reopened_at.is_(None) & A.c.reopens_at.is_not(None) & (A.c.reopens_at <= now)
    query = select(A.c.id).where(A.c.slot_id == slot_id, expired | reopening).limit(1)
    return (await execute(session, query)).first() is not None


async def reopen_due(session: AsyncSession, now: datetime, slot_id: int | None = None) -> int:
    """Give back to their slots the places of cancelled and expired appointments whose `reopens_at` has
    come (of one slot, or of all): each exactly once, marked by `reopened_at`. How many were given back."""
    due = and_(A.c.reopened_at.is_(None), A.c.reopens_at.is_not(None), A.c.reopens_at <= now)
    if slot_id is not None:
        due = and_(A.c.slot_id == slot_id, due)
    if slot_id is not None:  # one slot (a booking's): no need to look for which slots first
        slots = [slot_id]
    else:
        slots = [r.slot_id for r in await execute(session, select(A.c.slot_id).where(due).distinct())]
    given = 0
    for slot in sorted(slots):  # slot-id order: two sweeps never wait on each other in a cycle
        mark = update(A).where(A.c.slot_id == slot, due).values(reopened_at=now)
        count = int((await session.execute(mark)).rowcount)  # type: ignore[attr-defined]
        if count:
            await session.execute(update(S).where(S.c.id == slot).values(taken=S.c.taken - count))
            given += count
    return given


async def live_count(session: AsyncSession, slot_id: int) -> int:
    """Appointments holding a place of the slot (held, confirmed or later, or closed by a cancellation)."""
    holding = A.c.reopened_at.is_(None)
    query = select(func.count()).select_from(A).where(A.c.slot_id == slot_id, holding)
    return int((await execute(session, query)).scalar_one())
