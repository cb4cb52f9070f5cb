"""Appointment figures the hall manager's view reads."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from backend.applications.workdays import SHANGHAI
from backend.db import tables as t
from backend.db.engine import execute
from backend.hall.appointments.models import AppointmentStatus

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

A = t.appointments


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The Beijing day as [start, end) moments."""
    start = datetime.combine(day, time(0), SHANGHAI)
    return start, start + timedelta(days=1)


async def no_shows(session: AsyncSession, hall_code: str, day: date) -> int:
    """How many of the hall's appointments on that Beijing day were no-shows."""
    start, end = day_bounds(day)
    query = (
        select(func.count())
        .select_from(A)
        .where(
            A.c.hall_code == hall_code,
            A.c.starts_at >= start,
            A.c.starts_at < end,
            A.c.status == AppointmentStatus.NO_SHOW.value,
        )
    )
    return int((await execute(session, query)).scalar_one())


async def booked(session: AsyncSession, hall_code: str, day: date) -> dict[str, int]:
    """Confirmed appointments per category code on that Beijing day (the next hours' arrivals)."""
    start, end = day_bounds(day)
    query = (
        select(A.c.category_code, func.count())
        .where(
            A.c.hall_code == hall_code,
            A.c.starts_at >= start,
            A.c.starts_at < end,
            A.c.status == AppointmentStatus.CONFIRMED.value,
        )
        .group_by(A.c.category_code)
    )
    return {row[0]: int(row[1]) for row in await execute(session, query)}
