"""A per-process, read-only copy of the catalog's lists, rebuilt when an import changes the catalog.

The catalog is public, read on almost every request, and changes only through `catalog import`.
Serving it from memory removes a database round trip, a session and JSON decoding from every
catalog request. Bulky parts (materials, forms, rules) stay in the database and load on demand.
Freshness: an import publishes on Redis and every instance marks its copy stale at once; a
periodic check of the import log catches a missed message.
"""

from __future__ import annotations

import asyncio
import time
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.catalog import format as fmt
from backend.catalog import models as m
from backend.catalog.labels import labelled_fields
from backend.db import tables as t

CITY_LEVEL = "city"
CHANGED_CHANNEL = b"catalog:changed"
_FILTER_FIELDS = ("theme", "audience", "level", "department", "mode", "region")


@dataclass
class CatalogSnapshot:
    """Everything a catalog list or lookup needs, indexed for filters and keyset pages."""

    version: int
    matters: list[m.MatterSummary]
    departments: dict[str, m.Department]
    regions: dict[str, m.Region]
    certificate_types: dict[str, m.CertificateType]
    bundles: list[m.Bundle]
    bundle_matters: dict[str, list[str]]
    halls: list[m.Hall]
    hall_listed: dict[str, set[str]]
    fees: dict[str, list[m.Fee]]
    city_code: str | None
    codes: list[str] = field(init=False)
    by_code: dict[str, m.MatterSummary] = field(init=False)
    bundle_by_code: dict[str, m.Bundle] = field(init=False)
    index: dict[tuple[str, str], list[int]] = field(init=False)

    def __post_init__(self) -> None:
        self.matters.sort(key=lambda x: x.code)
        self.codes = [x.code for x in self.matters]
        self.by_code = {x.code: x for x in self.matters}
        self.bundle_by_code = {b.code: b for b in self.bundles}
        index: dict[tuple[str, str], list[int]] = defaultdict(list)
        for position, matter in enumerate(self.matters):
            index[("theme", matter.theme)].append(position)
            index[("audience", matter.audience)].append(position)
            index[("level", matter.level)].append(position)
            index[("department", matter.department_code)].append(position)
            index[("region", matter.region_code)].append(position)
            for mode in matter.modes:
                index[("mode", mode)].append(position)
        self.index = dict(index)

    @cached_property
    def certificate_type_maps(self) -> dict[str, dict[str, Any]]:
        """Certificate types as plain maps (how rule explanations look labels up), built once per snapshot."""
        return {
            code: {
                "code": code,
                "name": kind.name,
                "fields": [
                    {
                        "key": f.key,
                        "label": {"zh-Hans": f.label.zh_hans, "zh-Hant": f.label.zh_hant, "en": f.label.en},
                        "options": f.options,
                        "option_labels": {
                            value: {"zh-Hans": text.zh_hans, "zh-Hant": text.zh_hant, "en": text.en}
                            for value, text in (f.option_labels or {}).items()
                        },
                    }
                    for f in kind.fields
                ],
            }
            for code, kind in self.certificate_types.items()
        }

    def hall_serves(self, hall: m.Hall, matter: m.MatterSummary) -> bool:
        """Whether `matter` is handled at `hall` in person."""
        if matter.code in self.hall_listed.get(hall.code, ()):
            return True
        if not hall.all_matters:
            return False
        if matter.region_code == hall.region_code:
            return True
        # A city department's district- or street-level matter is handled in every district.
        return (
            hall.region_code != self.city_code and matter.region_code == self.city_code and matter.level != CITY_LEVEL
        )

    def _positions(self, where: m.MatterFilter) -> list[int] | None:
        """Positions (in code order) of the matters the filter selects; None means all."""
        chosen: list[int] | None = None
        for name in _FILTER_FIELDS:
            value = getattr(where, name)
            if value is None:
                continue
            positions = self.index.get((name, value), [])
            chosen = positions if chosen is None else _intersect(chosen, positions)
        if where.hall is not None:
            hall = next((h for h in self.halls if h.code == where.hall), None)
            candidates = range(len(self.matters)) if chosen is None else chosen
            chosen = [] if hall is None else [p for p in candidates if self.hall_serves(hall, self.matters[p])]
        return chosen

    def page(self, where: m.MatterFilter, first: int, after: str | None) -> m.Page:
        """Up to `first` matters after the code `after`, in code order."""
        positions = self._positions(where)
        start = bisect_right(self.codes, after) if after is not None else 0
        if positions is None:
            selected = self.matters[start : start + first + 1]
        else:
            begin = bisect_left(positions, start)
            selected = [self.matters[p] for p in positions[begin : begin + first + 1]]
        return m.Page(items=selected[:first], has_next=len(selected) > first, has_previous=after is not None)

    def select(self, where: m.MatterFilter, codes: list[str]) -> set[str]:
        """Which of `codes` the filter selects."""
        positions = self._positions(where)
        if positions is None:
            return set(codes)
        chosen = {self.matters[p].code for p in positions}
        return {c for c in codes if c in chosen}

    def count(self, where: m.MatterFilter) -> int:
        """How many matters the filter selects."""
        positions = self._positions(where)
        return len(self.matters) if positions is None else len(positions)


def _intersect(a: list[int], b: list[int]) -> list[int]:
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    members = set(large)
    return [p for p in small if p in members]


async def load_snapshot(session: AsyncSession) -> CatalogSnapshot:
    """Read the active catalog's lists in a handful of queries."""
    version = (await session.execute(select(func.coalesce(func.max(t.catalog_imports.c.id), 0)))).scalar_one()

    async def rows(table: Any, cls: type[Any]) -> list[Any]:
        columns = [table.c[name] for name in cls.__struct_fields__]
        result = await session.execute(select(*columns).where(table.c.withdrawn.is_(False)).order_by(table.c.code))
        return [cls(**row._mapping) for row in result]

    regions = {r.code: r for r in await rows(t.regions, m.Region)}
    certificate_rows = await rows(t.certificate_types, _CertificateTypeRow)
    fees: dict[str, list[m.Fee]] = defaultdict(list)
    fee_table = t.matter_fees
    for row in await session.execute(
        select(
            fee_table.c.matter_code,
            fee_table.c.item_code,
            fee_table.c.name,
            fee_table.c.amount_fen,
            fee_table.c.department_code,
        ).order_by(fee_table.c.matter_code, fee_table.c.position)
    ):
        fees[row.matter_code].append(
            m.Fee(row.matter_code, row.item_code, row.name, Decimal(row.amount_fen).scaleb(-2), row.department_code)
        )
    bundle_matters: dict[str, list[str]] = defaultdict(list)
    for row in await session.execute(
        select(t.bundle_matters.c.bundle_code, t.bundle_matters.c.matter_code).order_by(
            t.bundle_matters.c.bundle_code, t.bundle_matters.c.position
        )
    ):
        bundle_matters[row.bundle_code].append(row.matter_code)
    hall_listed: dict[str, set[str]] = defaultdict(set)
    for row in await session.execute(select(t.hall_matters.c.hall_code, t.hall_matters.c.matter_code)):
        hall_listed[row.hall_code].add(row.matter_code)
    return CatalogSnapshot(
        version=int(version),
        matters=await rows(t.matters, m.MatterSummary),
        departments={d.code: d for d in await rows(t.departments, m.Department)},
        regions=regions,
        certificate_types={c.code: c.to_model() for c in certificate_rows},
        bundles=await rows(t.bundles, m.Bundle),
        bundle_matters=dict(bundle_matters),
        halls=await rows(t.halls, m.Hall),
        hall_listed=dict(hall_listed),
        fees=dict(fees),
        city_code=next((r.code for r in regions.values() if r.level == CITY_LEVEL), None),
    )


class _CertificateTypeRow(msgspec.Struct, frozen=True):
    code: str
    name: m.LocaleMap
    issuer_code: str
    holder: str
    fields: list[dict[str, Any]]

    def to_model(self) -> m.CertificateType:
        # labelled here too: a catalog imported before the platform knew a value's label shows it now
        fields = labelled_fields(self.code, msgspec.convert(self.fields, list[fmt.CertificateField]))
        return m.CertificateType(self.code, self.name, self.issuer_code, self.holder, fields)


class CatalogCache:
    """The process's snapshot: loaded on first use, reloaded after it is marked stale."""

    CHECK_SECONDS = 30.0
    """How often the import log is checked, in case a change notice was missed."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._snapshot: CatalogSnapshot | None = None
        self._stale = True
        self._checked_at = 0.0
        self._lock = asyncio.Lock()

    def mark_stale(self) -> None:
        """The catalog changed: the next read reloads."""
        self._stale = True

    async def get(self) -> CatalogSnapshot:
        """The current snapshot (reloading it first when stale)."""
        snapshot = self._snapshot
        if snapshot is not None and not self._stale:
            if time.monotonic() - self._checked_at < self.CHECK_SECONDS:
                return snapshot
            await self._check_version(snapshot)
            if not self._stale:
                return snapshot
        async with self._lock:
            if self._snapshot is None or self._stale:
                self._stale = False  # set first: a change during the load marks it stale again
                async with self._sessions() as session:
                    self._snapshot = await load_snapshot(session)
                self._checked_at = time.monotonic()
            return self._snapshot

    async def _check_version(self, snapshot: CatalogSnapshot) -> None:
        self._checked_at = time.monotonic()
        async with self._sessions() as session:
            latest = (await session.execute(select(func.coalesce(func.max(t.catalog_imports.c.id), 0)))).scalar_one()
        if int(latest) != snapshot.version:
            self._stale = True


async def announce_change(redis: Any) -> None:
    """Tell every instance that the catalog changed."""
    await redis.publish(CHANGED_CHANNEL, b"1")
