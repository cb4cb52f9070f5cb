"""Clearing to departments (清算): for a closed day, one instruction per department and fiscal item of
what moves from the platform to the department: collected minus refunded in the day's period.

Issued after the day closes, from the closed period (so it never changes), once: the rows are unique
per day, department and item, and each is recorded in the ledger (dept:<code> debit: the platform no
longer owes it; bank:clearing credit: paid out of the settlement account), posted now, in today's open
period. Issuing again adds only what is missing (nothing, normally).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

import msgspec
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from payments import ledger
from payments import tables as t
from payments.closing import audit
from payments.closing.days import get_closed_day
from payments.closing.errors import ClosingError, ClosingErrorCode
from payments.closing.period import beijing_today, cuts, period


class Instruction(msgspec.Struct, frozen=True, kw_only=True):
    """One clearing instruction as kept."""

    id: str
    day: date
    department_code: str
    fiscal_code: str
    item_code: str
    amount_fen: int
    entry_id: int | None
    created_by: str
    created_at: datetime


Item = tuple[str, str, str]  # department, fiscal code, item code


async def due(session: AsyncSession, day: date) -> dict[Item, int]:
    """What the day's period collected minus refunded, per department and fiscal item."""
    in_period = period(day, await cuts(session))
    entries, lines = t.journal_entries.c, t.order_lines.c
    amounts: dict[Item, int] = defaultdict(int)
    for row in await session.execute(
        select(lines.department_code, lines.fiscal_code, lines.item_code, func.sum(lines.amount_fen).label("fen"))
        .select_from(t.journal_entries)
        .join(t.order_lines, lines.order_id == entries.order_id)
        .where(in_period, entries.kind == "split")
        .group_by(lines.department_code, lines.fiscal_code, lines.item_code)
    ):
        amounts[(row.department_code, row.fiscal_code, row.item_code)] += int(row.fen)
    refunds = t.refunds.c
    refunded = (
        await session.execute(
            select(refunds.order_id, refunds.department_code, refunds.amount_fen, t.receipts.c["items"])
            .select_from(t.journal_entries)
            .join(t.refunds, refunds.out_request_no == entries.reference)
            .outerjoin(t.receipts, t.receipts.c.id == refunds.receipt_id)
            .where(in_period, entries.kind == "refund")
        )
    ).all()
    order_lines = await _lines(session, {row.order_id for row in refunded})
    for row in refunded:
        mine = [x for x in order_lines.get(row.order_id, []) if x[0] == row.department_code]
        by_item = {x[2]: x for x in mine}
        # The red-letter receipt says which fees were given back; without one, the department's first fee
        taken = [(str(i["item_code"]), -int(i["amount_fen"])) for i in row.items or [] if i["item_code"] in by_item]
        if not taken and mine:
            taken = [(mine[0][2], int(row.amount_fen))]
        for item_code, fen in taken:
            amounts[by_item[item_code]] -= fen
    return dict(amounts)


async def _lines(session: AsyncSession, order_ids: set[str]) -> dict[str, list[Item]]:
    lines = t.order_lines.c
    found: dict[str, list[Item]] = defaultdict(list)
    if order_ids:
        for row in await session.execute(
            select(lines.order_id, lines.department_code, lines.fiscal_code, lines.item_code)
            .where(lines.order_id.in_(order_ids))
            .order_by(lines.order_id, lines.line_no)
        ):
            found[row.order_id].append((row.department_code, row.fiscal_code, row.item_code))
    return found


async def issue(session: AsyncSession, day: date, actor: str) -> list[Instruction]:
    """Issue the closed day's instructions (those not issued yet) and record them in the ledger."""
    if day > beijing_today():
        raise ClosingError(ClosingErrorCode.FUTURE_DAY, field="day", day=day.isoformat())
    if await get_closed_day(session, day) is None:
        raise ClosingError(ClosingErrorCode.DAY_NOT_CLOSED, field="day", day=day.isoformat())
    existing = {(x.department_code, x.fiscal_code, x.item_code) for x in await instructions(session, day)}
    now = datetime.now(UTC)
    made: list[dict[str, Any]] = []
    for (department, fiscal, item), amount in sorted((await due(session, day)).items()):
        if (department, fiscal, item) in existing:
            continue
        entry_id = None
        if amount:
            entry_id = await ledger.post(
                session,
                kind="clearing",
                reference=f"{day.isoformat()}:{department}:{item}",
                memo=f"清算 {day.isoformat()} {department} {item}",
                postings=[(f"dept:{department}", amount), ("bank:clearing", -amount)],
            )
        made.append(
            {
                "id": str(uuid.uuid4()),
                "day": day,
                "department_code": department,
                "fiscal_code": fiscal,
                "item_code": item,
                "amount_fen": amount,
                "entry_id": entry_id,
                "created_by": actor,
                "created_at": now,
            }
        )
    if made:
        await session.execute(insert(t.clearing_instructions), made)
        total = sum(int(x["amount_fen"]) for x in made)
        await audit.record(session, actor, "cleared", day=day, data={"instructions": len(made), "amount_fen": total})
    return await instructions(session, day)


async def instructions(session: AsyncSession, day: date, department_code: str | None = None) -> list[Instruction]:
    """The day's instructions (of one department), by department and item."""
    c = t.clearing_instructions.c
    query = select(t.clearing_instructions).where(c.day == day).order_by(c.department_code, c.item_code)
    if department_code is not None:
        query = query.where(c.department_code == department_code)
    return [Instruction(**row._mapping) for row in await session.execute(query)]
