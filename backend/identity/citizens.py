"""Reads of citizens other domains need, without reaching into identity's tables themselves."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.db.engine import execute


async def names_of(session: AsyncSession, citizen_ids: Collection[str]) -> dict[str, str]:
    """Verified citizens' names by id (a citizen not yet verified has none and is absent)."""
    if not citizen_ids:
        return {}
    query = select(t.citizens.c.id, t.citizens.c.name).where(
        t.citizens.c.id.in_(set(citizen_ids)), t.citizens.c.name.is_not(None)
    )
    return {row.id: row.name for row in await execute(session, query)}
