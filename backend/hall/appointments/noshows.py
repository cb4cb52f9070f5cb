"""No-show rules: a missed appointment is a warning, a strike, or exempt; three strikes suspend booking.

The rule (docs/hall_booking.md):
- A confirmed appointment not checked in by its slot's end + GRACE_MINUTES is a no-show (the sweep job),
  and so is a checked-in one whose queue ticket was marked missed (record_outcome(served=False)).
- Residents aged EXEMPT_AGE or more on the appointment's day are exempt: nothing counts.
- A no-show with no warning or strike in the WINDOW_DAYS before it (a clean record) is a WARNING: the
  citizen is told the rule (inbox and SMS); it does not count.
- Any other no-show is a STRIKE. LIMIT strikes within WINDOW_DAYS (none counted twice: strikes before the
  last suspension's start are spent) suspend booking for SUSPENSION_DAYS from the last one.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from backend.db import tables as t
from backend.db.engine import execute
from backend.hall import inbox
from backend.hall.appointments import notices
from backend.hall.appointments.calendar import beijing_day
from backend.hall.appointments.models import Appointment, AppointmentStatus
from backend.hall.appointments.store import appointment
from backend.identity.numbers import parse_id_number

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

A = t.appointments
SUSPENSIONS = t.hall_booking_suspensions
GRACE_MINUTES = 15
LIMIT = 3
WINDOW_DAYS = 90
SUSPENSION_DAYS = 30
EXEMPT_AGE = 70

WARNING, COUNTED, EXEMPT = "warning", "counted", "exempt"


async def suspended_until(session: AsyncSession, citizen_id: str, now: datetime) -> datetime | None:
    """When the citizen's current booking suspension ends, or None when they may book."""
    query = select(func.max(SUSPENSIONS.c.ends_at)).where(
        SUSPENSIONS.c.citizen_id == citizen_id, SUSPENSIONS.c.ends_at > now
    )
    found: datetime | None = (await execute(session, query)).scalar_one()
    return found


def age_on(birth: date, day: date) -> int:
    """Whole years of age on `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


async def exempt(session: AsyncSession, citizen_id: str, day: date) -> bool:
    """Whether the citizen is EXEMPT_AGE or older on `day` (the birth date their verified ID number encodes)."""
    query = select(t.citizens.c.id_number).where(t.citizens.c.id == citizen_id)
    number = (await execute(session, query)).scalar_one_or_none()
    parsed = parse_id_number(number) if number else None
    return parsed is not None and age_on(parsed.birth_date, day) >= EXEMPT_AGE


async def mark_no_show(session: AsyncSession, appointment: Appointment, now: datetime) -> str | None:
    """Mark the appointment a no-show and weigh it (warning, counted, exempt); the notice goes to the inbox
    now and by SMS with the next sweep. None when it was no longer confirmed or checked in."""
    changeable = [AppointmentStatus.CONFIRMED.value, AppointmentStatus.CHECKED_IN.value]
    citizen = appointment.citizen_id
    strike = await _weigh(session, citizen, beijing_day(appointment.starts_at), now)
    mark = (
        update(A)
        .where(A.c.id == appointment.id, A.c.status.in_(changeable))
        .values(status=AppointmentStatus.NO_SHOW.value, outcome_at=now, strike=strike)
    )
    if int((await session.execute(mark)).rowcount) != 1:  # type: ignore[attr-defined]
        return None
    if strike == EXEMPT:
        return strike
    hall = (await execute(session, select(t.halls.c.name).where(t.halls.c.code == appointment.hall_code))).scalar()
    params: dict[str, Any] = {
        "reference": appointment.reference,
        "hall": hall or appointment.hall_code,
        "day": beijing_day(appointment.starts_at).isoformat(),
        "limit": LIMIT,
        "window": WINDOW_DAYS,
        "days": SUSPENSION_DAYS,
    }
    kind = notices.WARNING
    if strike == COUNTED:
        count = await _counted(session, citizen, now)
        kind, params["count"] = notices.STRIKE, count
        if count >= LIMIT:
            until = now + timedelta(days=SUSPENSION_DAYS)
            await session.execute(
                SUSPENSIONS.insert().values(
                    id=str(uuid.uuid4()),
                    citizen_id=citizen,
                    starts_at=now,
                    ends_at=until,
                    appointment_id=appointment.id,
                )
            )
            kind, params["until"] = notices.SUSPENDED, beijing_day(until).isoformat()
    await inbox.tell_citizen(session, citizen, kind, now, params)
    return strike


async def _weigh(session: AsyncSession, citizen_id: str, day: date, now: datetime) -> str:
    if await exempt(session, citizen_id, day):
        return EXEMPT
    since = now - timedelta(days=WINDOW_DAYS)
    earlier = (
        select(func.count())
        .select_from(A)
        .where(A.c.citizen_id == citizen_id, A.c.strike.in_([WARNING, COUNTED]), A.c.outcome_at > since)
    )
    return COUNTED if int((await execute(session, earlier)).scalar_one()) else WARNING


async def _counted(session: AsyncSession, citizen_id: str, now: datetime) -> int:
    """Strikes within the window (this one included), after the last suspension began."""
    since = now - timedelta(days=WINDOW_DAYS)
    last = select(func.max(SUSPENSIONS.c.starts_at)).where(SUSPENSIONS.c.citizen_id == citizen_id)
    spent: datetime | None = (await execute(session, last)).scalar_one()
    if spent is not None and spent > since:
        since = spent
    query = (
        select(func.count())
        .select_from(A)
        .where(A.c.citizen_id == citizen_id, A.c.strike == COUNTED, A.c.outcome_at > since)
    )
    return int((await execute(session, query)).scalar_one())


async def missed(session: AsyncSession, now: datetime, limit: int = 500) -> list[Appointment]:
    """Confirmed appointments whose slot ended more than GRACE_MINUTES ago without a check-in."""
    cutoff = now - timedelta(minutes=GRACE_MINUTES)
    query = (
        select(A)
        .where(A.c.status == AppointmentStatus.CONFIRMED.value, A.c.ends_at <= cutoff)
        .order_by(A.c.ends_at, A.c.id)
        .limit(limit)
    )
    return [appointment(row) for row in await execute(session, query)]
