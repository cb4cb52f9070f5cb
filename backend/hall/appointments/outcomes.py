"""The seam through which the queue tells appointments how a visit ended."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import update

from backend.db import tables as t
from backend.hall.appointments import noshows, store
from backend.hall.appointments.models import AppointmentStatus

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


async def record_outcome(
    session: AsyncSession,
    appointment_id: str,
    *,
    served: bool,
    now: datetime,
) -> None:
    """The appointment's ticket was finished (served) or marked missed (a no-show strike, by the rules of
    backend/hall/appointments/noshows.py), in the caller's transaction. Only a confirmed or checked-in
    appointment changes; anything else (already finished, cancelled) is left as it is. The no-show
    notice's SMS goes with the next sweep (this seam has no SMS sender)."""
    found = await store.get(session, appointment_id)
    if found is None or found.status not in (AppointmentStatus.CONFIRMED, AppointmentStatus.CHECKED_IN):
        return
    if served:
        a = t.appointments
        values = {"status": AppointmentStatus.SERVED.value, "outcome_at": now}
        await session.execute(
            update(a).where(a.c.id == appointment_id, a.c.status == found.status.value).values(**values)
        )
        return
    await noshows.mark_no_show(session, found, now)
