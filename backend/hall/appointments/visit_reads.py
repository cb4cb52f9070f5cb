"""Reading appointments for the visit's parts (reminders, calendar, pass, check-in): rows to models, and
the chain of reschedules an appointment belongs to."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.db.engine import execute
from backend.hall.appointments.models import Appointment, AppointmentStatus

_FIELDS = [t.appointments.c[name] for name in Appointment.__struct_fields__]
# A chain longer than this is a data error; stopping keeps a loop in `rescheduled_from` from hanging a request.
_MAX_CHAIN = 50


def to_model(row: Any) -> Appointment:
    """An `appointments` row (selected with at least the model's columns) as the model."""
    values = {name: getattr(row, name) for name in Appointment.__struct_fields__}
    return Appointment(**values | {"status": AppointmentStatus(values["status"])})


def columns() -> list[Any]:
    """The columns `to_model` needs."""
    return list(_FIELDS)


async def get(session: AsyncSession, appointment_id: str) -> Appointment | None:
    """One appointment by id."""
    row = (await execute(session, select(*_FIELDS).where(t.appointments.c.id == appointment_id))).first()
    return to_model(row) if row else None


async def chain_root(session: AsyncSession, appointment: Appointment) -> tuple[str, int]:
    """The first appointment of the chain `appointment` was rescheduled from, and how many reschedules
    led to this one (0 for an appointment never moved): a calendar's UID and SEQUENCE."""
    root, depth = appointment.id, 0
    previous = appointment.rescheduled_from
    while previous is not None and depth < _MAX_CHAIN:
        root, depth = previous, depth + 1
        previous = (
            await execute(session, select(t.appointments.c.rescheduled_from).where(t.appointments.c.id == previous))
        ).scalar_one_or_none()
    return root, depth


async def latest(session: AsyncSession, appointment: Appointment) -> Appointment:
    """The appointment that replaced `appointment` by rescheduling (followed to the last), or itself."""
    current = appointment
    for _ in range(_MAX_CHAIN):
        row = (
            await execute(
                session,
                select(*_FIELDS)
                .where(t.appointments.c.rescheduled_from == current.id)
                .order_by(t.appointments.c.created_at.desc())
                .limit(1),
            )
        ).first()
        if row is None:
            return current
        current = to_model(row)
    return current
