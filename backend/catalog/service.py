"""The catalog's queries. Lists and lookups come from the process's snapshot; bulky details from
the database. Batched lookups take a list of keys and answer in the same order.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog import format as fmt
from backend.catalog import models as m
from backend.catalog.snapshot import CatalogCache
from backend.db import tables as t
from backend.db.engine import execute

_DETAIL_COLUMNS = [t.matters.c[name] for name in m.MatterDetails.__struct_fields__]


class CatalogService:
    """Reads the active (not withdrawn) catalog."""

    def __init__(self, session: AsyncSession, cache: CatalogCache) -> None:
        self._session = session
        self._cache = cache

    # --- single kinds, batched ------------------------------------------------------------------
    async def regions_by_code(self, codes: Sequence[str]) -> list[m.Region | None]:
        """Regions for codes, in order; None where unknown."""
        found = (await self._cache.get()).regions
        return [found.get(code) for code in codes]

    async def departments_by_code(self, codes: Sequence[str]) -> list[m.Department | None]:
        """Departments for codes, in order; None where unknown."""
        found = (await self._cache.get()).departments
        return [found.get(code) for code in codes]

    async def certificate_types_by_code(self, codes: Sequence[str]) -> list[m.CertificateType | None]:
        """Certificate types for codes, in order; None where unknown."""
        found = (await self._cache.get()).certificate_types
        return [found.get(code) for code in codes]

    async def matters_by_code(self, codes: Sequence[str]) -> list[m.MatterSummary | None]:
        """Matter summaries for codes, in order; None where unknown or withdrawn."""
        found = (await self._cache.get()).by_code
        return [found.get(code) for code in codes]

    async def fees_by_matter(self, codes: Sequence[str]) -> list[list[m.Fee]]:
        """Each matter's fee lines, in catalog order."""
        found = (await self._cache.get()).fees
        return [found.get(code, []) for code in codes]

    async def bundle_matter_codes(self, bundle_codes: Sequence[str]) -> list[list[str]]:
        """Each bundle's matter codes in processing order."""
        found = (await self._cache.get()).bundle_matters
        return [found.get(code, []) for code in bundle_codes]

    async def halls_by_matter(self, matter_codes: Sequence[str]) -> list[list[m.Hall]]:
        """The halls where each matter is handled in person (listed, or every matter of the region)."""
        snapshot = await self._cache.get()
        result: list[list[m.Hall]] = []
        for code in matter_codes:
            matter = snapshot.by_code.get(code)
            result.append([] if matter is None else [h for h in snapshot.halls if snapshot.hall_serves(h, matter)])
        return result

    async def matter_details(self, codes: Sequence[str]) -> list[m.MatterDetails | None]:
        """The bulky parts of matters, in order (from the database: only asked for on detail pages)."""
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

    # --- lists ----------------------------------------------------------------------------------
    async def bundles(self) -> list[m.Bundle]:
        """Every life-event bundle, by code."""
        return list((await self._cache.get()).bundles)

    async def bundle(self, code: str) -> m.Bundle | None:
        """One bundle, or None."""
        return next((b for b in (await self._cache.get()).bundles if b.code == code), None)

    async def departments(self) -> list[m.Department]:
        """Every department, by code."""
        return sorted((await self._cache.get()).departments.values(), key=lambda d: d.code)

    async def halls(self) -> list[m.Hall]:
        """Every service hall, by code."""
        return list((await self._cache.get()).halls)

    async def certificate_types(self) -> list[m.CertificateType]:
        """Every certificate type, by code."""
        return sorted((await self._cache.get()).certificate_types.values(), key=lambda c: c.code)

    async def matter(self, code: str) -> m.MatterSummary | None:
        """One matter, or None when unknown or withdrawn."""
        return (await self._cache.get()).by_code.get(code)

    async def matters_page(self, where: m.MatterFilter, first: int, after: str | None) -> m.Page:
        """Up to `first` matters after the code `after`, ordered by code."""
        return (await self._cache.get()).page(where, first, after)

    async def count_matters(self, where: m.MatterFilter) -> int:
        """How many matters the filter selects."""
        return (await self._cache.get()).count(where)
