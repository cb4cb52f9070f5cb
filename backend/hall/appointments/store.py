"""Reading appointments: one by id, a citizen's own, and the rows' boundary struct."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, select

from backend.db import tables as t
from backend.db.engine import execute
from backend.hall.appointments.models import Appointment, AppointmentStatus

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

A = t.appointments
_FIELDS = tuple(Appointment.__struct_fields__)


def appointment(row: object) -> Appointment:
    """The struct of an `appointments` row."""
    values = row._mapping  # type: ignore[attr-defined]
    return Appointment(
        **{name: values[name] for name in _FIELDS if name != "status"}, status=AppointmentStatus(values["status"])
    )


async def get(session: AsyncSession, appointment_id: str, *, citizen_id: str | None = None) -> Appointment | None:
    """The appointment (only if it is `citizen_id`'s, when given)."""
    query = select(A).where(A.c.id == appointment_id)
    if citizen_id is not None:
        query = query.where(A.c.citizen_id == citizen_id)
    row = (await execute(session, query)).first()
    return appointment(row) if row else None


async def of_citizen(
    session: AsyncSession, citizen_id: str, limit: int, after: tuple[datetime, str] | None = None
) -> list[Appointment]:
    """The citizen's appointments, latest slot first, then by id; `after` is the last one seen."""
    query = select(A).where(A.c.citizen_id == citizen_id)
    if after is not None:
        at, last = after
        query = query.where(or_(A.c.starts_at < at, and_(A.c.starts_at == at, A.c.id > last)))
    query = query.order_by(A.c.starts_at.desc(), A.c.id).limit(limit)
    return [appointment(row) for row in await execute(session, query)]


def live(now: datetime) -> object:
    """The condition of an appointment that still counts for its citizen: a hold not yet expired, a
    confirmed one, or one checked in and not finished."""
    statuses = [AppointmentStatus.CONFIRMED.value, AppointmentStatus.CHECKED_IN.value]
    held = and_(A.c.status == AppointmentStatus.HELD.value, A.c.held_until > now)
    return or_(A.c.status.in_(statuses), held)
