"""Who payments deal with, as the rest of the platform knows them: the departments that issue receipts
and the citizens who pay. Payments does not read those domains' tables; the process injects a
`Parties` (the backend's is backend/parties.py) through `PaymentDeps`.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession


class IssuingUnit(msgspec.Struct, frozen=True, kw_only=True):
    """A department as a receipt names it (执收单位): its code, name in each locale, fiscal code."""

    code: str
    name: dict[str, str]
    fiscal_code: str


class Parties(Protocol):
    """What payments asks the platform about the departments and citizens on its orders."""

    async def issuing_units(self, session: AsyncSession, codes: Collection[str]) -> dict[str, IssuingUnit]:
        """The departments of `codes` that exist, by code."""
        ...

    def fee_kinds(self, item_codes: Collection[str]) -> dict[str, str]:
        """Each fee's kind by its item code, as the catalog says: "tax" or "non_tax" (it picks the receipt)."""
        ...

    async def payer_names(self, session: AsyncSession, citizen_ids: Collection[str]) -> dict[str, str]:
        """Citizens' names by id; absent (or unverified) citizens are missing."""
        ...
