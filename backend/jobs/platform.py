"""The developer platform's jobs on the process's Resources: the closed days' API usage kept for good."""

from __future__ import annotations

from typing import Any

from backend.platform.usage import persist_closed_days
from backend.resources import Resources


async def usage_persist(resources: Resources) -> dict[str, Any]:
    """Copy the closed Beijing days' usage from Redis to the database (it commits; copying again is harmless)."""
    async with resources.sessions() as session:
        return {"app_days": await persist_closed_days(session, resources.redis)}
