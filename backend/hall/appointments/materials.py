"""What to bring to the hall: the matter's materials that the citizen's electronic certificates do not
already provide (a material naming a certificate type the citizen holds, valid today, or one the
application already took from a certificate, needs no paper)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog import format as fmt
from backend.catalog.service import CatalogService
from backend.db import tables as t
from backend.db.engine import execute
from backend.identity import citizens


async def held_types(session: AsyncSession, citizen_id: str, today: date) -> set[str]:
    """The certificate types a verified citizen holds, valid on `today` (none before verification)."""
    account = await citizens.account(session, citizen_id)
    if account is None or account.id_number is None:
        return set()
    c = t.certificates.c
    query = select(c.type_code).where(
        c.holder_id_number == account.id_number,
        c.status == "valid",
        c.valid_until.is_(None) | (c.valid_until >= today),
    )
    return set((await execute(session, query.distinct())).scalars())


async def application_materials(session: AsyncSession, application_id: str | None) -> dict[str, Any]:
    """How an application provided its materials (material key -> record), empty without one."""
    if application_id is None:
        return {}
    found = (
        await execute(session, select(t.applications.c.materials).where(t.applications.c.id == application_id))
    ).scalar_one_or_none()
    return dict(found or {})


def _provided_electronically(record: Any) -> bool:
    return isinstance(record, dict) and bool(record.get("certificate_id") or record.get("issued_in_bundle"))


async def to_bring(
    session: AsyncSession, citizen_id: str, matter_code: str, application_id: str | None, today: date
) -> list[fmt.Material]:
    """The matter's materials, in the catalog's order, less those a certificate provides."""
    details = (await CatalogService(session).matter_details([matter_code]))[0]
    if details is None:
        return []
    held = await held_types(session, citizen_id, today)
    provided = await application_materials(session, application_id)
    return [
        m
        for m in details.materials
        if not (m.certificate and m.certificate in held) and not _provided_electronically(provided.get(m.key))
    ]
