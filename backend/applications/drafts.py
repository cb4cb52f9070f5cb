"""Drafts: a citizen's unfinished form, kept server-side so another device resumes it."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from backend.applications.errors import ApplicationErrorCode
from backend.applications.forms import MergedForm, merge
from backend.applications.models import Draft
from backend.applications.targets import Targets
from backend.applications.unit import Unit
from backend.db import tables as t
from backend.db.engine import execute
from backend.errors import CommonErrorCode, DomainError

MAX_TEXT = 2000  # the longest form value (a textarea)


def bounded(
    form: MergedForm, values: dict[str, Any], materials: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A draft keeps only the form's own fields and materials, as scalars of bounded size."""
    keys = {f.key for f in form.fields}
    kept: dict[str, Any] = {}
    for key, value in values.items():
        if key not in keys:
            continue
        if isinstance(value, (dict, list)) or (isinstance(value, str) and len(value) > MAX_TEXT):
            raise DomainError(CommonErrorCode.INVALID_VALUE, field=key)
        kept[key] = value
    material_keys = {m.key for m in form.materials}
    uploads = {k: str(v)[:64] for k, v in materials.items() if k in material_keys and isinstance(v, str)}
    return kept, uploads


class Drafts:
    """Citizens' drafts."""

    def __init__(self, unit: Unit, targets: Targets) -> None:
        self._unit = unit
        self._targets = targets

    async def get(self, citizen_id: str, target: str) -> Draft | None:
        """The citizen's draft for a matter or bundle ("matter:CODE", "bundle:CODE")."""
        query = select(t.drafts).where(t.drafts.c.citizen_id == citizen_id, t.drafts.c.target == target)
        row = (await execute(self._unit.session, query)).first()
        return Draft(**row._mapping) if row else None

    async def save(
        self,
        citizen_id: str,
        matter_code: str | None,
        bundle_code: str | None,
        values: dict[str, Any],
        materials: dict[str, Any],
        *,
        version: int | None,
    ) -> Draft:
        """Keep the citizen's entries as they are (no validation: nothing typed is ever lost).

        `version` is the draft version the device last saw; an older one means another device saved
        since, and DRAFT_CONFLICT asks this device to reload rather than overwrite silently.
        """
        session = self._unit.session
        target, specs = await self._targets.specs(matter_code, bundle_code)
        values, materials = bounded(merge(specs, profile=None, certificates=[]), values, materials)
        now = self._unit.now()
        existing = await self.get(citizen_id, target)
        if existing is None:
            draft = Draft(
                id=str(uuid.uuid4()),
                citizen_id=citizen_id,
                target=target,
                form_values=values,
                materials=materials,
                version=1,
                updated_at=now,
            )
            try:
                async with session.begin_nested():
                    await session.execute(t.drafts.insert().values(**msgspec.structs.asdict(draft)))
            except IntegrityError:  # another device saved the first version at the same moment
                raise DomainError(ApplicationErrorCode.DRAFT_CONFLICT, field="version") from None
            return draft
        if version is not None and version != existing.version:
            raise DomainError(ApplicationErrorCode.DRAFT_CONFLICT, field="version")
        merged_values = {**existing.form_values, **values}
        merged_materials = {**existing.materials, **materials}
        result = await session.execute(
            update(t.drafts)
            .where(t.drafts.c.id == existing.id, t.drafts.c.version == existing.version)
            .values(form_values=merged_values, materials=merged_materials, version=existing.version + 1, updated_at=now)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise DomainError(ApplicationErrorCode.DRAFT_CONFLICT, field="version")
        return msgspec.structs.replace(
            existing,
            form_values=merged_values,
            materials=merged_materials,
            version=existing.version + 1,
            updated_at=now,
        )

    async def drop(self, citizen_id: str, target: str) -> None:
        """Forget a draft (its application was submitted)."""
        await self._unit.session.execute(
            delete(t.drafts).where(t.drafts.c.citizen_id == citizen_id, t.drafts.c.target == target)
        )
