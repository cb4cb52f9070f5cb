"""The control ledger of finance's acts (finance_audit): written in the act's transaction, never changed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import msgspec
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from payments import tables as t

# How each act reads, as a gettext msgid (the transport says it in the reader's language).
ACTION_LABELS: dict[str, str] = {
    "detected": "Difference found",
    "settled": "Settled by asking the channel again",
    "proposed": "Write-off proposed",
    "approved": "Write-off approved",
    "resolved": "Difference resolved",
    "closed": "Day closed",
    "cleared": "Clearing issued",
}


class AuditEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One act as recorded."""

    id: int
    at: datetime
    actor: str
    action: str
    day: date | None
    channel: str | None
    break_id: str | None
    department_code: str | None
    note: str | None
    data: dict[str, Any]


async def record(
    session: AsyncSession,
    actor: str,
    action: str,
    *,
    day: date | None = None,
    channel: str | None = None,
    break_id: str | None = None,
    department_code: str | None = None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Write one act in the caller's transaction (it is undone with the act if the act fails)."""
    await session.execute(
        insert(t.finance_audit).values(
            at=datetime.now(UTC),
            actor=actor,
            action=action,
            day=day,
            channel=channel,
            break_id=break_id,
            department_code=department_code,
            note=note,
            data=data or {},
        )
    )


async def entries(session: AsyncSession, day: date | None, *, limit: int, after: int | None) -> list[AuditEntry]:
    """Acts in the order they happened (of one day, or all), `limit` after the act of id `after`."""
    audit = t.finance_audit.c
    query = select(t.finance_audit).order_by(audit.id).limit(limit)
    if day is not None:
        query = query.where(audit.day == day)
    if after is not None:
        query = query.where(audit.id > after)
    return [AuditEntry(**row._mapping) for row in await session.execute(query)]
