"""What other domains ask of identity's citizens (names, a phone, an account's ID number, a lock), so
that they never read identity's tables themselves."""

from __future__ import annotations

from collections.abc import Collection

import msgspec
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


class Account(msgspec.Struct, frozen=True, kw_only=True):
    """A citizen's account as other domains see it: the phone they signed in with, and the ID number
    real-name verification linked (None until verified)."""

    id: str
    phone: str
    id_number: str | None


async def account(session: AsyncSession, citizen_id: str) -> Account | None:
    """The account of `citizen_id`, or None if there is none."""
    query = select(t.citizens.c.id, t.citizens.c.phone, t.citizens.c.id_number).where(t.citizens.c.id == citizen_id)
    row = (await execute(session, query)).first()
    return Account(id=row.id, phone=row.phone, id_number=row.id_number) if row else None


async def lock(session: AsyncSession, citizen_id: str) -> None:
    """Hold the citizen's row until the transaction ends: their concurrent requests that must be
    counted one after another (the daily upload quota) queue here."""
    await session.execute(select(t.citizens.c.id).where(t.citizens.c.id == citizen_id).with_for_update())
