"""Breaks: what a run leaves for people, upserted by (channel, day, kind, reference) with a lifecycle.

new (first found) -> persisting (a later run still finds it) -> resolved (settled: a later run no longer
finds it; or by finance staff, see payments/closing). A break settled by the channel that comes back is
new again; one resolved by a person stays resolved. Every act is a `finance_audit` row.

Priority (most urgent first):
- P1: a 短款 (our books say money came in that the channel does not list: a department is owed money
  nobody holds), or any break of 1,000 yuan or more;
- P2: amounts that differ, or a 长款 of 100 yuan or more;
- P3: a smaller 长款 (the channel holds money for us; it waits for a credit or a refund);
- P4: a fee that differs from the bill's (the money itself agrees).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from payments import tables as t

OPEN = ("new", "persisting")
LARGE_FEN = 100_000
MEDIUM_FEN = 10_000


@dataclass(frozen=True)
class BreakItem:
    """A difference that asking again did not settle."""

    kind: str  # channel_only | platform_only | amount_mismatch | fee_difference
    entry_kind: str  # payment | refund | fee
    reference: str
    trade_no: str | None
    channel_fen: int | None
    platform_fen: int | None


@dataclass(frozen=True)
class Recorded:
    """What a run did to the breaks, and the channel's open breaks before and after."""

    opened: int
    persisting: int
    settled: int
    open_before: int
    open_after: int
    open_of_day: int

    @property
    def continuity_holds(self) -> bool:
        """Open today = open before + opened - settled (nothing lost, nothing counted twice)."""
        return self.open_after == self.open_before + self.opened - self.settled


def priority(kind: str, channel_fen: int | None, platform_fen: int | None) -> str:
    """The break's priority by the rule above."""
    if kind == "fee_difference":
        return "P4"
    size = max(abs(channel_fen or 0), abs(platform_fen or 0))
    if kind == "platform_only" or size >= LARGE_FEN:
        return "P1"
    if kind == "amount_mismatch" or size >= MEDIUM_FEN:
        return "P2"
    return "P3"


async def open_count(session: AsyncSession, channel: str, day: date | None = None) -> int:
    """Open breaks of a channel (of one day)."""
    breaks = t.reconciliation_breaks
    query = select(func.count()).where(breaks.c.channel == channel, breaks.c.status.in_(OPEN))
    if day is not None:
        query = query.where(breaks.c.day == day)
    return int((await session.execute(query)).scalar_one())


async def record(
    session: AsyncSession, run_id: int, channel: str, day: date, items: Sequence[BreakItem], actor: str, now: datetime
) -> Recorded:
    """Upsert the run's breaks, settle the day's open ones it no longer finds, audit every act."""
    breaks = t.reconciliation_breaks
    before = await open_count(session, channel)
    existing = {
        (row.kind, row.reference): row
        for row in await session.execute(select(breaks).where(breaks.c.channel == channel, breaks.c.day == day))
    }
    audit: list[dict[str, Any]] = []
    fresh: list[dict[str, Any]] = []
    opened = persisting = 0
    seen: set[tuple[str, str]] = set()
    for item in items:
        key = (item.kind, item.reference)
        if key in seen:
            continue
        seen.add(key)
        row = existing.get(key)
        amounts = {"channel_fen": item.channel_fen, "platform_fen": item.platform_fen, "trade_no": item.trade_no}
        if row is None:
            break_id = str(uuid.uuid4())
            fresh.append(
                {
                    "id": break_id,
                    "channel": channel,
                    "day": day,
                    "kind": item.kind,
                    "entry_kind": item.entry_kind,
                    "reference": item.reference,
                    "priority": priority(item.kind, item.channel_fen, item.platform_fen),
                    "status": "new",
                    "first_run_id": run_id,
                    "last_run_id": run_id,
                    "detected_at": now,
                    **amounts,
                }
            )
            opened += 1
            audit.append(_audit(now, actor, "detected", day, channel, break_id, item))
        elif row.status in OPEN:
            await session.execute(
                update(breaks).where(breaks.c.id == row.id).values(status="persisting", last_run_id=run_id, **amounts)
            )
            persisting += 1
            audit.append(_audit(now, actor, "persisting", day, channel, row.id, item))
        elif row.resolution == "settled":  # it came back after the channel settled it: open again
            await session.execute(
                update(breaks)
                .where(breaks.c.id == row.id)
                .values(
                    status="new", last_run_id=run_id, resolution=None, resolved_by=None, resolved_at=None, **amounts
                )
            )
            opened += 1
            audit.append(_audit(now, actor, "detected", day, channel, row.id, item))
    if fresh:
        await session.execute(insert(breaks), fresh)
    gone = [row for key, row in existing.items() if key not in seen and row.status in OPEN]
    if gone:
        await session.execute(
            update(breaks)
            .where(breaks.c.id.in_([row.id for row in gone]), breaks.c.status.in_(OPEN))
            .values(status="resolved", resolution="settled", resolved_by=actor, resolved_at=now, last_run_id=run_id)
        )
        audit += [
            _audit(now, actor, "settled", day, channel, row.id, None, note="a later run found it in order")
            for row in gone
        ]
    if audit:
        await session.execute(insert(t.finance_audit), audit)
    return Recorded(
        opened=opened,
        persisting=persisting,
        settled=len(gone),
        open_before=before,
        open_after=await open_count(session, channel),
        open_of_day=await open_count(session, channel, day),
    )


def _audit(
    now: datetime,
    actor: str,
    action: str,
    day: date,
    channel: str,
    break_id: str,
    item: BreakItem | None,
    note: str | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if item is not None:
        data = {
            "kind": item.kind,
            "reference": item.reference,
            "channel_fen": item.channel_fen,
            "platform_fen": item.platform_fen,
        }
    return {
        "at": now,
        "actor": actor,
        "action": action,
        "day": day,
        "channel": channel,
        "break_id": break_id,
        "department_code": None,
        "note": note,
        "data": data,
    }
