"""The population registry's stand-in: the synthetic residents `onewindow seed` generates, read from
their own table."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.identity.registry import Person, RealNameCheck, SandboxPersona, same_name


class StandInRegistry:
    """The synthetic population that `onewindow seed` generates, read from its own table."""

    async def person(self, session: AsyncSession, id_number: str) -> Person | None:
        """The resident with this ID number."""
        columns = [t.registry_persons.c[name] for name in Person.__struct_fields__]
        row = (await session.execute(select(*columns).where(t.registry_persons.c.id_number == id_number))).first()
        return Person(**row._mapping) if row else None

    async def verify(self, session: AsyncSession, name: str, id_number: str) -> RealNameCheck:
        """Whether the name and ID number belong together, and if not, which of the two it does not know."""
        person = await self.person(session, id_number)
        if person is None:
            return RealNameCheck.NO_SUCH_NUMBER
        return RealNameCheck.MATCH if same_name(person.name, name) else RealNameCheck.NAME_MISMATCH

    async def personas(self, session: AsyncSession) -> list[SandboxPersona]:
        """The sandbox personas `onewindow seed` added (standins/population/personas.py), by key."""
        person = t.registry_persons.c
        rows = await session.execute(
            select(person.persona, person.name, person.phone)
            .where(person.persona.is_not(None), person.phone.is_not(None))
            .order_by(person.persona)
        )
        return [SandboxPersona(key=r.persona, name=r.name, phone=r.phone) for r in rows]
