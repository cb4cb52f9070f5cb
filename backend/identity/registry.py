"""The population registry: an interface, and the synthetic stand-in used outside production."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Protocol

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t


class Person(msgspec.Struct, frozen=True):
    """A resident as the registry knows them."""

    id_number: str
    name: str
    sex: str
    birth_date: date
    ethnicity: str
    address: str
    region_code: str
    phone: str | None
    marital_status: str
    spouse_id_number: str | None
    father_id_number: str | None
    mother_id_number: str | None
    household_id: str


class PopulationRegistry(Protocol):
    """Real-name checks and resident records (the public security bureau's system)."""

    async def verify(self, session: AsyncSession, name: str, id_number: str) -> bool:
        """Whether the name and ID number belong together."""

    async def person(self, session: AsyncSession, id_number: str) -> Person | None:
        """The resident with this ID number."""


def same_name(a: str, b: str) -> bool:
    """Names compare after Unicode normalisation (full-width, spacing) and case folding."""

    def norm(value: str) -> str:
        return "".join(unicodedata.normalize("NFKC", value).split()).casefold()

    return norm(a) == norm(b)


class StandInRegistry:
    """The synthetic population that `onewindow seed` generates, read from its own table."""

    async def person(self, session: AsyncSession, id_number: str) -> Person | None:
        """The resident with this ID number."""
        columns = [t.registry_persons.c[name] for name in Person.__struct_fields__]
        row = (await session.execute(select(*columns).where(t.registry_persons.c.id_number == id_number))).first()
        return Person(**row._mapping) if row else None

    async def verify(self, session: AsyncSession, name: str, id_number: str) -> bool:
        """Whether the name and ID number belong together."""
        person = await self.person(session, id_number)
        return person is not None and same_name(person.name, name)
