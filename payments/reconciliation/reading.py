"""Runs and breaks as finance staff look them up (reads only)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import msgspec
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from payments import tables as t
from payments.reconciliation.runs import Run, run_of


class Break(msgspec.Struct, frozen=True, kw_only=True):
    """A break as stored (every column of reconciliation_breaks): what runs found, and how people resolved it."""

    id: str
    channel: str
    day: date
    kind: str
    entry_kind: str
    reference: str
    trade_no: str | None
    channel_fen: int | None
    platform_fen: int | None
    priority: str
    status: str
    first_run_id: int
    last_run_id: int
    detected_at: datetime
    resolution: str | None
    resolution_note: str | None
    proposed_by: str | None
    proposed_at: datetime | None
    resolved_by: str | None
    resolved_at: datetime | None

    @property
    def pending_write_off(self) -> bool:
        """A write-off proposed, waiting for a second person."""
        return self.proposed_by is not None and self.status != "resolved"


class BreakFilter(msgspec.Struct, frozen=True, kw_only=True):
    """Which breaks: every field optional; status "open" means new or persisting."""

    status: str | None = None
    day: date | None = None
    channel: str | None = None
    priority: str | None = None


def break_of(row: Any) -> Break:
    """A stored break."""
    return Break(**{name: getattr(row, name) for name in Break.__struct_fields__})


async def runs(session: AsyncSession, *, day: date | None, channel: str | None, limit: int) -> list[Run]:
    """Runs, newest first."""
    table = t.reconciliation_runs
    query = select(table).order_by(table.c.started_at.desc(), table.c.id.desc()).limit(limit)
    if day is not None:
        query = query.where(table.c.day == day)
    if channel is not None:
        query = query.where(table.c.channel == channel)
    return [run_of(row) for row in await session.execute(query)]


async def run_by_id(session: AsyncSession, run_id: int) -> Run | None:
    """One run."""
    row = (await session.execute(select(t.reconciliation_runs).where(t.reconciliation_runs.c.id == run_id))).first()
    return run_of(row) if row else None


async def breaks(
    session: AsyncSession, wanted: BreakFilter, *, limit: int, after: tuple[datetime, str] | None = None
) -> list[Break]:
    """Breaks, newest first (by detection, then id); `after` is the last one of the page before."""
    table = t.reconciliation_breaks
    query = select(table).order_by(table.c.detected_at.desc(), table.c.id.desc()).limit(limit)
    conditions: Sequence[Any] = [
        *([table.c.status.in_(("new", "persisting"))] if wanted.status == "open" else []),
        *([table.c.status == wanted.status] if wanted.status not in (None, "open") else []),
        *([table.c.day == wanted.day] if wanted.day is not None else []),
        *([table.c.channel == wanted.channel] if wanted.channel is not None else []),
        *([table.c.priority == wanted.priority] if wanted.priority is not None else []),
    ]
    if after is not None:
        at, last = after
        conditions = [
            *conditions,
            or_(table.c.detected_at < at, and_(table.c.detected_at == at, table.c.id < last)),
        ]
    if conditions:
        query = query.where(*conditions)
    return [break_of(row) for row in await session.execute(query)]
