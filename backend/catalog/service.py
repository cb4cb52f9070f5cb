"""The catalog's queries. Batched lookups take a list of keys and answer in the same order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypeVar

import msgspec
from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog import format as fmt
from backend.catalog import models as m
from backend.db import tables as t
from backend.db.engine import execute

S = TypeVar("S", bound=msgspec.Struct)

_SUMMARY_COLUMNS = [t.matters.c[name] for name in m.MatterSummary.__struct_fields__]
_DETAIL_COLUMNS = [t.matters.c[name] for name in m.MatterDetails.__struct_fields__]
CITY_LEVEL = "city"


def _structs(rows: Any, cls: type[S]) -> list[S]:
    return [cls(**row._mapping) for row in rows]


class CatalogService:
    """Reads the active (not withdrawn) catalog in one database session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _by_codes(self, table: Any, cls: type[S], codes: Sequence[str]) -> list[S | None]:
        columns = [table.c[name] for name in cls.__struct_fields__]
        rows = await execute(
            self._session, select(*columns).where(table.c.code.in_(set(codes)), table.c.withdrawn.is_(False))
        )
        found = {item.code: item for item in _structs(rows, cls)}  # type: ignore[attr-defined]
        return [found.get(code) for code in codes]

    async def _all(self, table: Any, cls: type[S]) -> list[S]:
        columns = [table.c[name] for name in cls.__struct_fields__]
        rows = await execute(self._session, select(*columns).where(table.c.withdrawn.is_(False)).order_by(table.c.code))
        return _structs(rows, cls)

    # --- single kinds, batched ------------------------------------------------------------------
    async def regions_by_code(self, codes: Sequence[str]) -> list[m.Region | None]:
        """Regions for codes, in order; None where unknown."""
        return await self._by_codes(t.regions, m.Region, codes)

    async def departments_by_code(self, codes: Sequence[str]) -> list[m.Department | None]:
        """Departments for codes, in order; None where unknown."""
        return await self._by_codes(t.departments, m.Department, codes)

    async def certificate_types_by_code(self, codes: Sequence[str]) -> list[m.CertificateType | None]:
        """Certificate types for codes, in order; None where unknown."""
        rows = await self._by_codes(t.certificate_types, _CertificateTypeRow, codes)
        return [row.to_model() if row else None for row in rows]

    async def matters_by_code(self, codes: Sequence[str]) -> list[m.MatterSummary | None]:
        """Matter summaries for codes, in order; None where unknown or withdrawn."""
        return await self._by_codes(t.matters, m.MatterSummary, codes)

    async def matter_details(self, codes: Sequence[str]) -> list[m.MatterDetails | None]:
        """The bulky parts of matters, in order."""
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

    async def fees_by_matter(self, codes: Sequence[str]) -> list[list[m.Fee]]:
        """Each matter's fee lines, in catalog order."""
        fees = t.matter_fees
        rows = await execute(
            self._session,
            select(fees.c.matter_code, fees.c.item_code, fees.c.name, fees.c.amount_fen, fees.c.department_code)
            .where(fees.c.matter_code.in_(set(codes)))
            .order_by(fees.c.matter_code, fees.c.position),
        )
        grouped: dict[str, list[m.Fee]] = defaultdict(list)
        for row in rows:
            grouped[row.matter_code].append(
                m.Fee(row.matter_code, row.item_code, row.name, Decimal(row.amount_fen).scaleb(-2), row.department_code)
            )
        return [grouped.get(code, []) for code in codes]

    async def bundle_matter_codes(self, bundle_codes: Sequence[str]) -> list[list[str]]:
        """Each bundle's matter codes in processing order."""
        bm = t.bundle_matters
        rows = await execute(
            self._session,
            select(bm.c.bundle_code, bm.c.matter_code)
            .where(bm.c.bundle_code.in_(set(bundle_codes)))
            .order_by(bm.c.bundle_code, bm.c.position),
        )
        grouped: dict[str, list[str]] = defaultdict(list)
        for row in rows:
            grouped[row.bundle_code].append(row.matter_code)
        return [grouped.get(code, []) for code in bundle_codes]

    async def halls_by_matter(self, matter_codes: Sequence[str]) -> list[list[m.Hall]]:
        """The halls where each matter is handled in person (listed, or every matter of the region)."""
        summaries = await self.matters_by_code(matter_codes)
        halls = await self.halls()
        listed: dict[str, set[str]] = defaultdict(set)
        hm = t.hall_matters
        rows = await execute(
            self._session, select(hm.c.hall_code, hm.c.matter_code).where(hm.c.matter_code.in_(set(matter_codes)))
        )
        for row in rows:
            listed[row.matter_code].add(row.hall_code)
        city = await self._city_region_code()
        result: list[list[m.Hall]] = []
        for code, summary in zip(matter_codes, summaries, strict=True):
            if summary is None:
                result.append([])
                continue
            result.append(
                [h for h in halls if h.code in listed[code] or (h.all_matters and _hall_serves(h, summary, city))]
            )
        return result

    # --- lists ----------------------------------------------------------------------------------
    async def bundles(self) -> list[m.Bundle]:
        """Every life-event bundle, by code."""
        return await self._all(t.bundles, m.Bundle)

    async def bundle(self, code: str) -> m.Bundle | None:
        """One bundle, or None."""
        return (await self._by_codes(t.bundles, m.Bundle, [code]))[0]

    async def departments(self) -> list[m.Department]:
        """Every department, by code."""
        return await self._all(t.departments, m.Department)

    async def halls(self) -> list[m.Hall]:
        """Every service hall, by code."""
        return await self._all(t.halls, m.Hall)

    async def certificate_types(self) -> list[m.CertificateType]:
        """Every certificate type, by code."""
        return [row.to_model() for row in await self._all(t.certificate_types, _CertificateTypeRow)]

    async def matter(self, code: str) -> m.MatterSummary | None:
        """One matter, or None when unknown or withdrawn."""
        return (await self.matters_by_code([code]))[0]

    async def matters_page(self, where: m.MatterFilter, first: int, after: str | None) -> m.Page:
        """Up to `first` matters after the code `after`, ordered by code."""
        query = select(*_SUMMARY_COLUMNS).where(*await self._conditions(where)).order_by(t.matters.c.code)
        if after is not None:
            query = query.where(t.matters.c.code > after)
        rows = list(await execute(self._session, query.limit(first + 1)))
        return m.Page(
            items=_structs(rows[:first], m.MatterSummary), has_next=len(rows) > first, has_previous=after is not None
        )

    async def count_matters(self, where: m.MatterFilter) -> int:
        """How many matters the filter selects."""
        query: Select[tuple[int]] = select(func.count()).select_from(t.matters).where(*await self._conditions(where))
        return int((await execute(self._session, query)).scalar_one())

    async def _conditions(self, where: m.MatterFilter) -> list[ColumnElement[bool]]:
        c = t.matters.c
        conditions: list[ColumnElement[bool]] = [c.withdrawn.is_(False)]
        for name in ("theme", "audience", "level"):
            value = getattr(where, name)
            if value is not None:
                conditions.append(c[name] == value)
        if where.department is not None:
            conditions.append(c.department_code == where.department)
        if where.region is not None:
            conditions.append(c.region_code == where.region)
        if where.mode is not None:
            mm = t.matter_modes
            conditions.append(exists().where(mm.c.matter_code == c.code, mm.c.mode == where.mode))
        if where.hall is not None:
            conditions.append(await self._hall_condition(where.hall))
        return conditions

    async def _hall_condition(self, hall_code: str) -> ColumnElement[bool]:
        c = t.matters.c
        hall = (await self._by_codes(t.halls, m.Hall, [hall_code]))[0]
        if hall is None:
            return false()
        hm = t.hall_matters
        listed = exists().where(hm.c.hall_code == hall.code, hm.c.matter_code == c.code)
        if not hall.all_matters:
            return listed
        city = await self._city_region_code()
        serves: ColumnElement[bool] = c.region_code == hall.region_code
        if hall.region_code != city:
            # A city department's district- or street-level matter is handled in every district.
            serves = or_(serves, and_(c.region_code == city, c.level != CITY_LEVEL))
        return or_(listed, serves)

    async def _city_region_code(self) -> str | None:
        rows = await execute(
            self._session,
            select(t.regions.c.code).where(t.regions.c.level == CITY_LEVEL, t.regions.c.withdrawn.is_(False)),
        )
        first: str | None = rows.scalars().first()
        return first


def _hall_serves(hall: m.Hall, matter: m.MatterSummary, city: str | None) -> bool:
    if matter.region_code == hall.region_code:
        return True
    return hall.region_code != city and matter.region_code == city and matter.level != CITY_LEVEL


class _CertificateTypeRow(msgspec.Struct, frozen=True):
    code: str
    name: m.LocaleMap
    issuer_code: str
    holder: str
    fields: list[dict[str, Any]]

    def to_model(self) -> m.CertificateType:
        fields = msgspec.convert(self.fields, list[fmt.CertificateField])
        return m.CertificateType(self.code, self.name, self.issuer_code, self.holder, fields)
