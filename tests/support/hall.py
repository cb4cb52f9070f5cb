"""Appointments for the visit's tests, written straight into the tables (booking is another part's)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db import tables as t
from backend.db.engine import unit_of_work

Sessions = async_sessionmaker[AsyncSession]
HALL = "HALL-GZ"  # Guangzhou's city hall: it names GZ-MZJ-0004 among its matters
MATTER = "GZ-MZJ-0004"  # marriage with a Hong Kong resident: an ID card (a certificate) and four papers
CATEGORY = "GZ-MZJ"


async def appointment(
    db: Sessions,
    citizen_id: str,
    starts_at: datetime,
    *,
    created_at: datetime | None = None,
    status: str = "confirmed",
    locale: str = "zh-Hans",
    rescheduled_from: str | None = None,
    application_id: str | None = None,
    hall_code: str = HALL,
    matter_code: str = MATTER,
) -> str:
    """A confirmed (or `status`) one-hour appointment at `starts_at`, in a slot of its own; its id."""
    appointment_id = str(uuid.uuid4())
    async with db() as session, unit_of_work(session):
        slot = (
            await session.execute(
                insert(t.appointment_slots)
                .values(
                    hall_code=hall_code,
                    category_code=CATEGORY,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(hours=1),
                    capacity=10,
                    taken=1,
                )
                .returning(t.appointment_slots.c.id)
            )
        ).scalar_one()
        await session.execute(
            insert(t.appointments).values(
                id=appointment_id,
                reference="HA" + uuid.uuid4().hex[:10].upper(),
                citizen_id=citizen_id,
                slot_id=slot,
                hall_code=hall_code,
                category_code=CATEGORY,
                matter_code=matter_code,
                application_id=application_id,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=1),
                status=status,
                confirmed_at=created_at or starts_at - timedelta(days=3),
                rescheduled_from=rescheduled_from,
                check_in_nonce=uuid.uuid4().hex,
                locale=locale,
                created_at=created_at or starts_at - timedelta(days=3),
            )
        )
    return appointment_id


async def set_status(db: Sessions, appointment_id: str, status: str) -> None:
    """Move an appointment (a cancellation, a reschedule away) as the booking part would."""
    async with db() as session, unit_of_work(session):
        await session.execute(
            t.appointments.update().where(t.appointments.c.id == appointment_id).values(status=status)
        )


async def row(db: Sessions, appointment_id: str) -> dict[str, object]:
    """The appointment's row."""
    async with db() as session:
        found = (await session.execute(select(t.appointments).where(t.appointments.c.id == appointment_id))).one()
    return dict(found._mapping)
