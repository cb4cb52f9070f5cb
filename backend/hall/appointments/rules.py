"""The rules a booking or a move must pass before a place is taken."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from backend.db import tables as t
from backend.db.engine import execute
from backend.errors import DomainError
from backend.hall.appointments import store
from backend.hall.appointments.calendar import beijing_day
from backend.hall.appointments.errors import AppointmentErrorCode
from backend.hall.appointments.models import Policy
from backend.hall.appointments.slots import Slot

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

A = t.appointments
# Live appointments a citizen may have at once (held or confirmed, any halls and matters).
MAX_LIVE = 3


def check_time(policy: Policy, slot: Slot, now: datetime) -> None:
    """TOO_LITTLE_NOTICE for a slot starting sooner than the minimum notice (or past), OUTSIDE_BOOKING_WINDOW
    for one after the window's last Beijing day (today + booking_window_days)."""
    if slot.starts_at < now + timedelta(minutes=policy.min_notice_minutes):
        raise DomainError(AppointmentErrorCode.TOO_LITTLE_NOTICE, field="startsAt", minutes=policy.min_notice_minutes)
    last_day = beijing_day(now) + timedelta(days=policy.booking_window_days)
    if beijing_day(slot.starts_at) > last_day:
        raise DomainError(
            AppointmentErrorCode.OUTSIDE_BOOKING_WINDOW,
            field="startsAt",
            days=policy.booking_window_days,
            last_day=last_day.isoformat(),
        )


LISTED_BEYOND_WINDOW = 31
"""Days past the booking window still listed (as "not open for booking yet"): a month to look ahead."""


def check_listed_day(policy: Policy, day: date, now: datetime) -> None:
    """OUTSIDE_BOOKING_WINDOW for a day before today or far past the window: anyone may list slots, and
    listing makes a day's slots, so nobody can fill the table with the slots of 1970 or of 2099."""
    today = beijing_day(now)
    last_day = today + timedelta(days=policy.booking_window_days)
    if not today <= day <= last_day + timedelta(days=LISTED_BEYOND_WINDOW):
        raise DomainError(
            AppointmentErrorCode.OUTSIDE_BOOKING_WINDOW,
            field="day",
            days=policy.booking_window_days,
            last_day=last_day.isoformat(),
        )


async def check_citizen(
    session: AsyncSession, citizen_id: str, matter_code: str, now: datetime, *, moving: str | None = None
) -> None:
    """ALREADY_BOOKED_FOR_MATTER when the citizen has a live appointment for the matter (other than the one
    being moved), TOO_MANY_APPOINTMENTS at the cap of live ones."""
    mine: Any = (A.c.citizen_id == citizen_id) & store.live(now)
    if moving is not None:
        mine = mine & (A.c.id != moving)
    same = (await execute(session, select(A.c.reference).where(mine, A.c.matter_code == matter_code).limit(1))).first()
    if same is not None:
        raise DomainError(AppointmentErrorCode.ALREADY_BOOKED_FOR_MATTER, reference=same.reference)
    if moving is None:
        count = int((await execute(session, select(func.count()).select_from(A).where(mine))).scalar_one())
        if count >= MAX_LIVE:
            raise DomainError(AppointmentErrorCode.TOO_MANY_APPOINTMENTS, limit=MAX_LIVE)
