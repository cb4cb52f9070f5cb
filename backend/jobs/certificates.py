"""The certificate jobs on the process's Resources: reminders before a certificate expires."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from backend.applications.reminders import remind_expiring
from backend.applications.workdays import SHANGHAI
from backend.db.engine import unit_of_work
from backend.resources import Resources


async def remind(resources: Resources) -> dict[str, Any]:
    """Write the expiry notices due today (China date); a notice already written is not written again."""
    now = datetime.now(UTC)
    async with resources.sessions() as session, unit_of_work(session):
        return {"reminded": await remind_expiring(session, now.astimezone(SHANGHAI).date(), now)}
