"""Reading applications: one, a bundle's items, a citizen's list, the timeline, consents, the inbox."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.models import Application, DataConsent, Notification, TimelineEvent
from backend.catalog.snapshot import CatalogSnapshot
from backend.db import tables as t
from backend.db.batch import per_key
from backend.db.engine import execute

APPLICATION_COLUMNS = [t.applications.c[name] for name in Application.__struct_fields__]


def to_application(row: Any) -> Application:
    """A row of the applications table as a read model."""
    return Application(**row._mapping)


class ProgressReads:
    """The reads of progress tracking; the caller checks who may see what."""

    _session: AsyncSession
    _snapshot: CatalogSnapshot
    _now: Callable[[], datetime]

    # --- progress --------------------------------------------------------------------------------
    async def get(self, application_id: str) -> Application | None:
        """One application (the caller checks who may see it)."""
        row = (
            await execute(self._session, select(*APPLICATION_COLUMNS).where(t.applications.c.id == application_id))
        ).first()
        return to_application(row) if row else None

    async def items(self, parent_id: str) -> list[Application]:
        """A bundle's items in processing order."""
        rows = await execute(
            self._session,
            select(*APPLICATION_COLUMNS)
            .where(t.applications.c.parent_id == parent_id)
            .order_by(t.applications.c.reference),
        )
        items = [to_application(r) for r in rows]
        parent = await self.get(parent_id)
        order = self._snapshot.bundle_matters.get(parent.bundle_code or "", []) if parent else []
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
        rows = (
            await execute(
                self._session,
                query.order_by(t.applications.c.submitted_at.desc(), t.applications.c.id.desc()).limit(first + 1),
            )
        ).all()
        return [to_application(r) for r in rows[:first]], len(rows) > first

    async def timelines(self, application_ids: Sequence[str]) -> list[list[TimelineEvent]]:
        """Each application's steps, oldest first (one query for a page of applications)."""
        rows = await execute(
            self._session,
            select(t.application_events)
            .where(t.application_events.c.application_id.in_(set(application_ids)))
            .order_by(t.application_events.c.id),
        )
        return per_key(rows, application_ids, "application_id", lambda r: TimelineEvent(**r._mapping))

    async def data_uses(self, application_ids: Sequence[str]) -> list[list[DataConsent]]:
        """Which certificate fields each application used (one query for a page)."""
        rows = await execute(
            self._session,
            select(t.data_consents)
            .where(t.data_consents.c.application_id.in_(set(application_ids)))
            .order_by(t.data_consents.c.id),
        )
        return per_key(rows, application_ids, "application_id", lambda r: DataConsent(**r._mapping))

    async def notifications(
        self, citizen_id: str, first: int, offset: int, unread_only: bool
    ) -> tuple[list[Notification], int]:
        """The citizen's inbox, newest first, and the number of unread notices."""
        query = select(t.notifications).where(t.notifications.c.citizen_id == citizen_id)
        if unread_only:
            query = query.where(t.notifications.c.read_at.is_(None))
        rows = await execute(
            self._session,
            query.order_by(t.notifications.c.created_at.desc(), t.notifications.c.id).limit(first).offset(offset),
        )
        unread = (
            await execute(
                self._session,
                select(func.count())
                .select_from(t.notifications)
                .where(t.notifications.c.citizen_id == citizen_id, t.notifications.c.read_at.is_(None)),
            )
        ).scalar_one()
        return [Notification(**r._mapping) for r in rows], unread

    async def mark_read(self, citizen_id: str, ids: Sequence[str] | None) -> int:
        """Mark the citizen's notices read (all of them when `ids` is None); how many changed."""
        query = update(t.notifications).where(
            t.notifications.c.citizen_id == citizen_id, t.notifications.c.read_at.is_(None)
        )
        if ids is not None:
            query = query.where(t.notifications.c.id.in_(set(ids)))
        result = await self._session.execute(query.values(read_at=self._now()))
        return int(result.rowcount)  # type: ignore[attr-defined]
