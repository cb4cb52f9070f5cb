"""Applications' reference numbers as finance needs them (what a citizen quotes on the phone). The
applications domain owns them; payments reads no other domain's table, so the process injects a
`References` (the backend's is backend/application_references.py), as it does `Parties`."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession


class References(Protocol):
    """What finance asks the applications domain about the applications orders are for."""

    async def applications_of(self, session: AsyncSession, reference: str) -> list[str]:
        """The application with that reference and the bundle it belongs to (an order may be the bundle's)."""
        ...

    async def references_of(self, session: AsyncSession, application_ids: Collection[str]) -> dict[str, str]:
        """Each application's reference by id (absent ids are missing)."""
        ...
