"""好差评's jobs on the process's Resources: unrated services default to 基本满意; overdue rectification
cases escalate to the 12345 hotline. Each is one transaction, safe to run again."""

from __future__ import annotations

from typing import Any

from backend.db.engine import unit_of_work
from backend.hall.ratings import escalation, rating
from backend.hall.ratings.runtime import hotline
from backend.resources import Resources


async def default_unrated(resources: Resources) -> dict[str, Any]:
    """Mark every rating left unrated past its due date 基本满意 (defaulted)."""
    async with resources.sessions() as session, unit_of_work(session):
        return {"defaulted": await rating.default_unrated(session, resources.applications.clock())}


async def escalate_overdue(resources: Resources) -> dict[str, Any]:
    """Send every open rectification case past its deadline to the 12345 hotline, with notices."""
    line = hotline(resources.settings)
    async with resources.sessions() as session, unit_of_work(session):
        return {"escalated": await escalation.escalate_overdue(session, line, resources.applications.clock())}
