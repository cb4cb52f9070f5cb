"""Import a validated catalog export idempotently.

Each record is stored with the hash of its content: an unchanged record is not written, an edited
one is updated (with its child rows), and a record that left the export is withdrawn rather than
deleted, because applications and payments keep referring to it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import msgspec
from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog import format as fmt
from backend.db import tables as t

Progress = Callable[[str, int, int], None]
"""progress(step, done, total): called as the import advances (the CLI draws a bar)."""


@dataclass
class EntityReport:
    """What an import did to one kind of record."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0

    @property
    def changed(self) -> bool:
        """True when anything was written."""
        return bool(self.added or self.updated or self.withdrawn)


@dataclass
class ImportReport:
    """Per kind of record, what the import did."""

    entities: dict[str, EntityReport] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """True when the import wrote anything."""
        return any(e.changed for e in self.entities.values())

    def as_dict(self) -> dict[str, dict[str, int]]:
        """Plain counts, for JSON output and the import log."""
        return {
            name: {"added": e.added, "updated": e.updated, "unchanged": e.unchanged, "withdrawn": e.withdrawn}
            for name, e in self.entities.items()
        }


def _locale(text: fmt.LocaleText) -> dict[str, str]:
    return {"zh-Hans": text.zh_hans, "zh-Hant": text.zh_hant, "en": text.en}


def _to_builtins(value: Any) -> Any:
    return msgspec.to_builtins(value)


def content_hash(record: msgspec.Struct) -> str:
    """A stable digest of a record's content (independent of the file's formatting)."""
    return hashlib.sha256(msgspec.json.encode(record)).hexdigest()


def _fen(amount: str) -> int:
    return int(Decimal(amount) * 100)


@dataclass
class _Kind:
    """How one kind of record maps to its table and child tables."""

    name: str
    table: Table
    row: Callable[[Any], dict[str, Any]]
    children: Sequence[tuple[Table, str, Callable[[Any], list[dict[str, Any]]]]] = ()


def _kinds(catalog: fmt.Catalog) -> list[tuple[_Kind, list[Any]]]:
    region_of = {d.code: d.region for d in catalog.departments}
    level_rank = {"city": 0, "district": 1, "street": 2, "community": 3}
    return [
        (
            _Kind(
                "regions",
                t.regions,
                lambda r: {"code": r.code, "level": r.level, "parent_code": r.parent, "name": _locale(r.name)},
            ),
            # Parents before children, for the foreign key.
            sorted(catalog.regions, key=lambda r: level_rank[r.level]),
        ),
        (
            _Kind(
                "departments",
                t.departments,
                lambda d: {
                    "code": d.code,
                    "level": d.level,
                    "region_code": d.region,
                    "name": _locale(d.name),
                    "short_name": _locale(d.short_name),
                    "fiscal_code": d.fiscal_code,
                    "phone": d.phone,
                },
            ),
            catalog.departments,
        ),
        (
            _Kind(
                "certificate_types",
                t.certificate_types,
                lambda c: {
                    "code": c.code,
                    "name": _locale(c.name),
                    "issuer_code": c.issuer,
                    "holder": c.holder,
                    "fields": _to_builtins(c.fields),
                },
            ),
            catalog.certificate_types,
        ),
        (
            _Kind(
                "matters",
                t.matters,
                lambda m: _matter_row(m, region_of[m.department]),
                children=(
                    (t.matter_modes, "matter_code", lambda m: [{"matter_code": m.code, "mode": x} for x in m.modes]),
                    (
                        t.matter_fees,
                        "matter_code",
                        lambda m: [
                            {
                                "matter_code": m.code,
                                "position": i,
                                "item_code": f.item_code,
                                "name": _locale(f.name),
                                "amount_fen": _fen(f.amount),
                                "department_code": f.department,
                            }
                            for i, f in enumerate(m.fees)
                        ],
                    ),
                ),
            ),
            catalog.matters,
        ),
        (
            _Kind(
                "bundles",
                t.bundles,
                lambda b: {
                    "code": b.code,
                    "name": _locale(b.name),
                    "summary": _locale(b.summary),
                    "audience": b.audience,
                    "shared_materials_note": _locale(b.shared_materials_note),
                },
                children=(
                    (
                        t.bundle_matters,
                        "bundle_code",
                        lambda b: [
                            {"bundle_code": b.code, "position": i, "matter_code": c} for i, c in enumerate(b.matters)
                        ],
                    ),
                ),
            ),
            catalog.bundles,
        ),
        (
            _Kind(
                "halls",
                t.halls,
                lambda h: {
                    "code": h.code,
                    "region_code": h.region,
                    "name": _locale(h.name),
                    "address": _locale(h.address),
                    "hours": {"mon-fri": h.hours.mon_fri, "sat": h.hours.sat},
                    "windows": h.windows,
                    "all_matters": "*" in h.matters,
                },
                children=(
                    (
                        t.hall_matters,
                        "hall_code",
                        lambda h: [
                            {"hall_code": h.code, "matter_code": c} for c in dict.fromkeys(h.matters) if c != "*"
                        ],
                    ),
                ),
            ),
            catalog.halls,
        ),
    ]


def _matter_row(m: fmt.Matter, region_code: str) -> dict[str, Any]:
    return {
        "code": m.code,
        "name": _locale(m.name),
        "summary": _locale(m.summary),
        "department_code": m.department,
        "region_code": region_code,
        "level": m.level,
        "audience": m.audience,
        "theme": m.theme,
        "modes": list(m.modes),
        "max_trips": m.max_trips,
        "promised_days": m.promised_days,
        "legal_days": m.legal_days,
        "instant_approval": m.auto_approval is not None,
        "materials": _to_builtins(m.materials),
        "form": _to_builtins(m.form),
        "auto_approval": _to_builtins(m.auto_approval),
        "outputs": list(m.outputs),
        "keywords": {"zh-Hans": m.keywords.zh_hans, "zh-Hant": m.keywords.zh_hant, "en": m.keywords.en},
        "legal_basis": _locale(m.legal_basis),
    }


_BATCH = 500


async def import_catalog(
    session: AsyncSession, catalog: fmt.Catalog, *, source: str, progress: Progress | None = None
) -> ImportReport:
    """Bring the stored catalog in line with `catalog`; the caller commits (or rolls back)."""
    now = datetime.now(UTC)
    report = ImportReport()
    kinds = _kinds(catalog)
    total = sum(len(records) for _, records in kinds)
    done = 0
    digests: list[str] = []
    for kind, records in kinds:
        entity = report.entities.setdefault(kind.name, EntityReport())
        code_col = kind.table.c.code
        stored = {
            row.code: (row.content_hash, row.withdrawn)
            for row in await session.execute(select(code_col, kind.table.c.content_hash, kind.table.c.withdrawn))
        }
        to_insert: list[dict[str, Any]] = []
        to_update: list[dict[str, Any]] = []
        for record in records:
            digest = content_hash(record)
            digests.append(digest)
            previous = stored.pop(record.code, None)
            if previous == (digest, False):
                entity.unchanged += 1
                continue
            row = kind.row(record) | {"content_hash": digest, "withdrawn": False, "updated_at": now}
            (to_update if previous else to_insert).append(row)
        changed_records = {r["code"] for r in to_insert + to_update}
        for child_table, parent_col, _ in kind.children:
            for chunk in _chunks(sorted(r["code"] for r in to_update)):
                await session.execute(delete(child_table).where(child_table.c[parent_col].in_(chunk)))
        for chunk in _chunks(to_insert):
            await session.execute(insert(kind.table), chunk)
        for row in to_update:
            await session.execute(update(kind.table).where(code_col == row["code"]).values(row))
        for child_table, _, child_rows in kind.children:
            rows = [c for r in records if r.code in changed_records for c in child_rows(r)]
            for chunk in _chunks(rows):
                await session.execute(insert(child_table), chunk)
        gone = sorted(code for code, (_, withdrawn) in stored.items() if not withdrawn)
        for chunk in _chunks(gone):
            await session.execute(update(kind.table).where(code_col.in_(chunk)).values(withdrawn=True, updated_at=now))
        entity.added, entity.updated, entity.withdrawn = len(to_insert), len(to_update), len(gone)
        done += len(records)
        if progress:
            progress(kind.name, done, total)
    if report.changed:
        await session.execute(
            insert(t.catalog_imports).values(
                imported_at=now,
                source=source[-500:],
                digest=hashlib.sha256("".join(digests).encode()).hexdigest(),
                summary=report.as_dict(),
            )
        )
    return report


def _chunks(items: Sequence[Any], size: int = _BATCH) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
