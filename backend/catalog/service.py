"""The catalog's database reads. Lists and lookups are served from the per-process snapshot
(backend.catalog.snapshot); only the bulky details of matters are read here, in batches.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog import format as fmt
from backend.catalog import models as m
from backend.db import tables as t
from backend.db.engine import execute

_DETAIL_COLUMNS = [t.matters.c[name] for name in m.MatterDetails.__struct_fields__]
_DEPARTMENT_COLUMNS = [t.departments.c[name] for name in m.Department.__struct_fields__]


class CatalogService:
    """Reads the parts of the catalog that are too bulky to keep in every process's memory."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def departments(self, codes: Collection[str]) -> dict[str, m.Department]:
        """The departments of `codes` that exist, by code (read in this unit of work, never stale)."""
        if not codes:
            return {}
        query = select(*_DEPARTMENT_COLUMNS).where(t.departments.c.code.in_(set(codes)))
        return {row.code: m.Department(**row._mapping) for row in await execute(self._session, query)}

    async def matter_details(self, codes: Sequence[str]) -> list[m.MatterDetails | None]:
        """Materials, form, approval rule, keywords and legal basis of matters, in order."""
        rows = await execute(self._session, select(*_DETAIL_COLUMNS).where(t.matters.c.code.in_(set(codes))))
        found = {
            row.code: m.MatterDetails(
                code=row.code,
                materials=msgspec.convert(row.materials, list[fmt.Material]),
                form=msgspec.convert(row.form, list[fmt.FormField]),
                auto_approval=msgspec.convert(row.auto_approval, fmt.AutoApproval | None),
                keywords=row.keywords,
                legal_basis=row.legal_basis,
            )
            for row in rows
        }
        return [found.get(code) for code in codes]
