"""Recounting stored deadlines once a year's official holiday arrangement is loaded.

A deadline is counted and stored at submission. One that reached into a year without an official
arrangement was counted with the provisional rule; when the State Council's arrangement is loaded
(`onewindow calendar load`, deployed), the open applications' deadlines are recounted with it
(`onewindow sla recount`), so `sla check`, the officers' queues and the citizen read the official date.
"""

from __future__ import annotations

from datetime import date, datetime

import msgspec
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.reads import OPEN
from backend.applications.workdays import WorkCalendar, shanghai_date
from backend.db import tables as t
from backend.db.engine import execute


class Recounted(msgspec.Struct, frozen=True):
    """A deadline that moved."""

    reference: str
    before: date
    after: date


async def recount_open_deadlines(
    session: AsyncSession, calendar: WorkCalendar, since: date, now: datetime, *, dry_run: bool = False
) -> list[Recounted]:
    """Recount the deadlines of open matters due on or after `since` from their submission date with
    `calendar`; write those that moved (and their bundles' deadline, the latest of its items) unless
    `dry_run`. The caller owns the transaction."""
    apps = t.applications.c
    rows = (
        await execute(
            session,
            select(apps.id, apps.reference, apps.parent_id, apps.submitted_at, apps.promised_days, apps.deadline)
            .where(apps.kind == "matter", apps.status.in_(OPEN), apps.deadline >= since)
            .order_by(apps.deadline, apps.reference),
        )
    ).all()
    moved: list[Recounted] = []
    parents: set[str] = set()
    for row in rows:
        due = calendar.add_working_days(shanghai_date(row.submitted_at), row.promised_days)
        if due == row.deadline:
            continue
        moved.append(Recounted(row.reference, row.deadline, due))
        if dry_run:
            continue
        await session.execute(update(t.applications).where(apps.id == row.id).values(deadline=due, updated_at=now))
        if row.parent_id:
            parents.add(row.parent_id)
    for parent in sorted(parents):
        items = select(apps.deadline).where(apps.parent_id == parent, apps.deadline.is_not(None))
        latest = max((await execute(session, items)).scalars())
        await session.execute(update(t.applications).where(apps.id == parent).values(deadline=latest, updated_at=now))
    return moved
