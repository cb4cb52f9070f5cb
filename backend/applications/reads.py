"""Reading applications: one, a bundle's items, a citizen's list, a department's queue, the timeline,
the data they used, and what is overdue. The caller checks who may see what."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.models import Application, DataConsent, TimelineEvent
from backend.applications.states import Status
from backend.applications.unit import Unit
from backend.applications.workdays import shanghai_date
from backend.catalog.snapshot import CatalogSnapshot
from backend.db import tables as t
from backend.db.batch import per_key
from backend.db.engine import execute

APPLICATION_COLUMNS = [t.applications.c[name] for name in Application.__struct_fields__]
# The statuses a department still has to act on.
OPEN = [s.value for s in (Status.SUBMITTED, Status.ACCEPTED, Status.SUPPLEMENT_REQUESTED, Status.APPROVED)]


def to_application(row: Any) -> Application:
    """A row of the applications table as a read model."""
    return Application(**row._mapping)


class Reads:
    """Applications as they are stored."""

    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    async def get(self, application_id: str) -> Application | None:
        """One application (the caller checks who may see it)."""
        query = select(*APPLICATION_COLUMNS).where(t.applications.c.id == application_id)
        row = (await execute(self._unit.session, query)).first()
        return to_application(row) if row else None

    async def items(self, parent_id: str) -> list[Application]:
        """A bundle's items, in the bundle's processing order."""
        rows = await execute(
            self._unit.session,
            select(*APPLICATION_COLUMNS)
            .where(t.applications.c.parent_id == parent_id)
            .order_by(t.applications.c.reference),
        )
        items = [to_application(r) for r in rows]
        parent = await self.get(parent_id)
        order = self._unit.snapshot.bundle_matters.get(parent.bundle_code or "", []) if parent else []
        return sorted(items, key=lambda a: order.index(a.matter_code) if a.matter_code in order else len(order))

    async def mine(
        self, citizen_id: str, first: int, after: tuple[datetime, str] | None
    ) -> tuple[list[Application], bool]:
        """The citizen's applications (bundles as one), newest first; keyset pages."""
        query = select(*APPLICATION_COLUMNS).where(
            t.applications.c.citizen_id == citizen_id, t.applications.c.parent_id.is_(None)
        )
        if after is not None:
            at, last_id = after
            query = query.where(
                or_(
                    t.applications.c.submitted_at < at,
                    and_(t.applications.c.submitted_at == at, t.applications.c.id < last_id),
                )
            )
        ordered = query.order_by(t.applications.c.submitted_at.desc(), t.applications.c.id.desc()).limit(first + 1)
        rows = (await execute(self._unit.session, ordered)).all()
        return [to_application(r) for r in rows[:first]], len(rows) > first

    async def queue(
        self, departments: frozenset[str] | None, *, status: str | None, first: int, offset: int
    ) -> tuple[list[Application], int]:
        """Departments' items, nearest deadline first, and how many match (None: every department)."""
        where = [t.applications.c.kind == "matter"]
        if departments is not None:
            where.append(t.applications.c.department_code.in_(departments))
        where.append(t.applications.c.status == status if status else t.applications.c.status.in_(OPEN))
        rows = await execute(
            self._unit.session,
            select(*APPLICATION_COLUMNS)
            .where(*where)
            .order_by(t.applications.c.deadline, t.applications.c.submitted_at, t.applications.c.id)
            .limit(first)
            .offset(offset),
        )
        count = select(func.count()).select_from(t.applications).where(*where)
        total = (await execute(self._unit.session, count)).scalar_one()
        return [to_application(r) for r in rows], total

    async def timelines(self, application_ids: Sequence[str]) -> list[list[TimelineEvent]]:
        """Each application's steps, oldest first (one query for a page of applications)."""
        rows = await execute(
            self._unit.session,
            select(t.application_events)
            .where(t.application_events.c.application_id.in_(set(application_ids)))
            .order_by(t.application_events.c.id),
        )
        return per_key(rows, application_ids, "application_id", lambda r: TimelineEvent(**r._mapping))

    async def data_uses(self, application_ids: Sequence[str]) -> list[list[DataConsent]]:
        """Which certificate fields each application used (one query for a page)."""
        rows = await execute(
            self._unit.session,
            select(t.data_consents)
            .where(t.data_consents.c.application_id.in_(set(application_ids)))
            .order_by(t.data_consents.c.id),
        )
        return per_key(rows, application_ids, "application_id", lambda r: DataConsent(**r._mapping))


async def overdue(session: AsyncSession, snapshot: CatalogSnapshot, now: datetime) -> dict[str, list[Application]]:
    """Open items past their deadline on `now`'s China date, per department."""
    today = shanghai_date(now)
    rows = await execute(
        session,
        select(*APPLICATION_COLUMNS)
        .where(t.applications.c.kind == "matter", t.applications.c.status.in_(OPEN), t.applications.c.deadline < today)
        .order_by(t.applications.c.department_code, t.applications.c.deadline),
    )
    found: dict[str, list[Application]] = defaultdict(list)
    for row in rows:
        application = to_application(row)
        matter = snapshot.by_code.get(application.matter_code or "")
        if application.status == Status.APPROVED and not (matter and matter.outputs):
            continue  # an approval without a certificate to issue is final
        found[application.department_code or ""].append(application)
    return dict(found)
