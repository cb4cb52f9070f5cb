"""The hall's visit jobs on the process's Resources: appointment reminders (the evening before, an hour before)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.db.engine import unit_of_work
from backend.hall.appointments.reminders import send_due
from backend.resources import Resources


async def remind(resources: Resources, now: datetime | None = None) -> dict[str, Any]:
    """Send the appointment reminders due now; each is sent once, whichever worker runs first."""
    snapshot = await resources.catalog.get()
    async with resources.sessions() as session, unit_of_work(session):
        sent = await send_due(
            session, snapshot, resources.identity.sms, resources.messages, now or resources.applications.clock()
        )
    return {"day_before": sent["day_before"], "hour_before": sent["hour_before"]}
