"""Which of a citizen's applications need a visit to a hall, and which halls handle it.

Conservative on purpose: an application needs a visit when its matter asks for trips (the catalog's
`max_trips` > 0), submission found it could not be done wholly online (`trips_needed` > 0: a material no
certificate replaced, or a matter not offered online), and the department has it in hand (submitted or
accepted). A supplement request is answered online, and a decided application needs no appointment.
"""

from __future__ import annotations

from datetime import date

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.states import Status
from backend.catalog import format as fmt
from backend.catalog import models as m
from backend.catalog.snapshot import CatalogSnapshot
from backend.db import tables as t
from backend.db.engine import execute
from backend.hall.appointments.materials import to_bring
from backend.hall.categories import halls_serving

VISIT_STATES = frozenset({Status.SUBMITTED.value, Status.ACCEPTED.value})


class VisitNeeded(msgspec.Struct, frozen=True, kw_only=True):
    """An application that needs a visit: where it can be made, and what to bring."""

    application_id: str
    reference: str
    matter_code: str
    halls: list[m.Hall]
    materials: list[fmt.Material]


async def visit_needed(
    session: AsyncSession, snapshot: CatalogSnapshot, citizen_id: str, application_id: str, today: date
) -> VisitNeeded | None:
    """The visit the citizen's application needs, or None (not theirs, or no visit needed)."""
    a = t.applications.c
    row = (
        await execute(
            session,
            select(a.id, a.reference, a.matter_code, a.status, a.trips_needed).where(
                a.id == application_id, a.citizen_id == citizen_id, a.kind == "matter"
            ),
        )
    ).first()
    if row is None or row.matter_code is None or row.status not in VISIT_STATES or row.trips_needed <= 0:
        return None
    matter = snapshot.by_code.get(row.matter_code)
    if matter is None or matter.max_trips <= 0:
        return None
    halls = halls_serving(snapshot, row.matter_code)
    if not halls:
        return None
    materials = await to_bring(session, citizen_id, row.matter_code, row.id, today)
    return VisitNeeded(
        application_id=row.id, reference=row.reference, matter_code=row.matter_code, halls=halls, materials=materials
    )


async def applications_needing_visit(
    session: AsyncSession, snapshot: CatalogSnapshot, citizen_id: str, limit: int = 50
) -> list[str]:
    """The ids of the citizen's applications that need a visit, newest first (at most `limit`)."""
    a = t.applications.c
    rows = await execute(
        session,
        select(a.id, a.matter_code)
        .where(a.citizen_id == citizen_id, a.kind == "matter", a.status.in_(VISIT_STATES), a.trips_needed > 0)
        .order_by(a.submitted_at.desc(), a.id)
        .limit(limit),
    )
    return [
        r.id
        for r in rows
        if (matter := snapshot.by_code.get(r.matter_code or "")) is not None
        and matter.max_trips > 0
        and halls_serving(snapshot, matter.code)
    ]
