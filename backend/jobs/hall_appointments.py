"""The appointments' job on the process's Resources: expired holds, reopened places, no-shows and their SMS."""

from __future__ import annotations

from typing import Any

from backend.db.engine import unit_of_work
from backend.hall.appointments.sweep import sweep
from backend.resources import Resources


async def sweep_appointments(resources: Resources) -> dict[str, Any]:
    """One sweep at the applications' clock (tests set it; production's is the wall clock)."""
    deps = resources.applications
    async with resources.sessions() as session, unit_of_work(session):
        return await sweep(session, deps.sms, deps.messages, deps.clock())
