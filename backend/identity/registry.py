"""The population registry: the interface real-name checks and pre-filling go through, and how names
compare. The synthetic stand-in used outside production is standins/population/."""

from __future__ import annotations

import unicodedata
from datetime import date
from enum import StrEnum
from typing import Protocol

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession


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


class SandboxPersona(msgspec.Struct, frozen=True):
    """A synthetic resident that sandbox apps sign in (`onewindow personas`); a real registry has none."""

    key: str
    name: str
    phone: str


class RealNameCheck(StrEnum):
    """What the registry answers to a (name, ID number) check: 一致, 不一致, or 库中无此号."""

    MATCH = "match"
    NAME_MISMATCH = "name_mismatch"
    NO_SUCH_NUMBER = "no_such_number"


class PopulationRegistry(Protocol):
    """Real-name checks and resident records (the public security bureau's system)."""

    async def verify(self, session: AsyncSession, name: str, id_number: str) -> RealNameCheck:
        """Whether the name and ID number belong together, and if not, which of the two it does not know."""

    async def person(self, session: AsyncSession, id_number: str) -> Person | None:
        """The resident with this ID number."""

    async def personas(self, session: AsyncSession) -> list[SandboxPersona]:
        """The sandbox personas, by key: the only residents a sandbox app signs in, and never a live app."""


def same_name(a: str, b: str) -> bool:
    """Names compare after Unicode normalisation (full-width, spacing) and case folding."""

    def norm(value: str) -> str:
        return "".join(unicodedata.normalize("NFKC", value).split()).casefold()

    return norm(a) == norm(b)
