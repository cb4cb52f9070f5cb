"""Exports of closing: department day totals and clearing instructions (Builders of
payments/finance/exportable.py; the writers and the download link are the finance views')."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date, timedelta
from typing import get_args

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.tabular import Cell, Column, Table
from payments import tables as t
from payments.channels.base import ChannelName
from payments.closing import clearing
from payments.closing.totals import department_totals
from payments.finance.exportable import ExportRequest

TOTALS_COLUMNS = [
    Column("day", "Day", "day"),
    Column("department_code", "Department code"),
    Column("bill", "Channel's bill", "money"),
    Column("collected", "Collected", "money"),
    Column("refunded", "Refunded", "money"),
    Column("fees", "Channel fees (borne by the platform)", "money"),
    Column("net", "Net owed to the department", "money"),
    Column("receipts_issued", "Receipts issued", "money"),
    Column("receipts_reversed", "Receipts reversed", "money"),
    Column("clearing", "Clearing instruction", "money"),
    Column("agree", "Differences", "label"),
]
CLEARING_COLUMNS = [
    Column("day", "Day", "day"),
    Column("department_code", "Department code"),
    Column("fiscal_code", "Fiscal code"),
    Column("item_code", "Fee item"),
    Column("item_name", "Fee"),
    Column("amount", "Amount cleared to the department", "money"),
    Column("created_at", "Issued at", "moment"),
]


TOTALS_TITLE = "Department day totals"
ALL_AGREE = "The four figures agree"
CLEARING_TITLE = "Clearing instructions"


def _days(request: ExportRequest) -> list[date]:
    count = (request.day_to - request.day_from).days + 1
    return [request.day_from + timedelta(days=i) for i in range(max(count, 0))]


async def department_totals_table(session: AsyncSession, request: ExportRequest) -> Table:
    """Kind "department_totals": one row per department and day."""
    channels = [request.channel] if request.channel else list(get_args(ChannelName))
    departments = frozenset({request.department_code}) if request.department_code else None

    async def rows() -> AsyncIterator[Sequence[Sequence[Cell]]]:
        for day in _days(request):
            found = await department_totals(session, day, channels, departments)
            yield [
                [
                    x.day,
                    x.department_code,
                    x.bill_fen,
                    x.collected_fen,
                    x.refunded_fen,
                    x.fees_fen,
                    x.books_net_fen,
                    x.receipts_issued_fen,
                    x.receipts_reversed_fen,
                    x.clearing_fen,
                    tuple(d.between for d in x.differences) or ALL_AGREE,
                ]
                for x in found
            ]

    name = f"department-totals-{request.day_from.isoformat()}-{request.day_to.isoformat()}"
    return Table(name=name, title=TOTALS_TITLE, columns=TOTALS_COLUMNS, rows=rows())


async def clearing_table(session: AsyncSession, request: ExportRequest) -> Table:
    """Kind "clearing": every instruction of the days, by day, department and item."""

    async def rows() -> AsyncIterator[Sequence[Sequence[Cell]]]:
        for day in _days(request):
            found = await clearing.instructions(session, day, request.department_code)
            names = await _item_names(session, {x.item_code for x in found})
            yield [
                [
                    x.day,
                    x.department_code,
                    x.fiscal_code,
                    x.item_code,
                    names.get(x.item_code, x.item_code),
                    x.amount_fen,
                    x.created_at,
                ]
                for x in found
            ]

    name = f"clearing-{request.day_from.isoformat()}-{request.day_to.isoformat()}"
    return Table(name=name, title=CLEARING_TITLE, columns=CLEARING_COLUMNS, rows=rows())


async def _item_names(session: AsyncSession, item_codes: set[str]) -> dict[str, str]:
    """A fee item's name as the orders listed it (Chinese: the fiscal item's official name)."""
    lines = t.order_lines.c
    names: dict[str, str] = {}
    for code in sorted(item_codes):  # a handful of items a day: one small lookup each
        name = (await session.execute(select(lines.name).where(lines.item_code == code).limit(1))).scalar()
        names[code] = str((name or {}).get("zh-Hans", code))
    return names
