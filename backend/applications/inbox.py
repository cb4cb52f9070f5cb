"""The citizen's inbox: notices of their applications' steps."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update

from backend.applications.models import Notification
from backend.applications.unit import Unit
from backend.db import tables as t
from backend.db.engine import execute


class Inbox:
    """A citizen's notices."""

    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    async def notifications(
        self, citizen_id: str, first: int, offset: int, unread_only: bool
    ) -> tuple[list[Notification], int]:
        """The citizen's notices, newest first, and the number of unread ones."""
        query = select(t.notifications).where(t.notifications.c.citizen_id == citizen_id)
        if unread_only:
            query = query.where(t.notifications.c.read_at.is_(None))
        page = query.order_by(t.notifications.c.created_at.desc(), t.notifications.c.id).limit(first).offset(offset)
        rows = await execute(self._unit.session, page)
        unread = (
            await execute(
                self._unit.session,
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
        result = await self._unit.session.execute(query.values(read_at=self._unit.now()))
        return int(result.rowcount)  # type: ignore[attr-defined]
