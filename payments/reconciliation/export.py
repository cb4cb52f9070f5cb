"""A reconciliation as a table finance staff open in Excel: each run's totals, then its breaks.

One row per run of the days asked (totals in fen, written as yuan by the writer), then one row per break
of those days. Labels are msgids (payments/reconciliation/labels.py) the writer says in the reader's language.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.tabular import Cell, Column, Table
from payments import tables as t
from payments.finance.exportable import ExportRequest
from payments.reconciliation import labels
from payments.reconciliation.reading import break_of
from payments.reconciliation.runs import run_of

COLUMNS = [
    Column("row", "Row", "label"),
    Column("channel", "Channel", "label"),
    Column("day", "Day", "day"),
    Column("verdict", "Verdict or priority", "label"),
    Column("kind", "Kind", "label"),
    Column("reference", "Reference"),
    Column("channel_amount", "In the channel's bill", "money"),
    Column("books_amount", "In our books", "money"),
    Column("fees", "Fees in the bill", "money"),
    Column("status", "Status", "label"),
    Column("at", "Found or finished at", "moment"),
]
TITLES = {column.title for column in COLUMNS} | {"Reconciliation", "Run totals", "Break"}
"""The msgids this table uses (titles and row kinds), for the catalogs."""


async def build(session: AsyncSession, request: ExportRequest) -> Table:
    """The runs and breaks of the requested days (and channel)."""
    return Table(
        name=f"reconciliation-{request.day_from.isoformat()}-{request.day_to.isoformat()}",
        title="Reconciliation",
        columns=COLUMNS,
        rows=_rows(session, request),
    )


async def _rows(session: AsyncSession, request: ExportRequest) -> AsyncIterator[Sequence[Sequence[Cell]]]:
    runs, broken = t.reconciliation_runs, t.reconciliation_breaks
    query = select(runs).where(runs.c.day >= request.day_from, runs.c.day <= request.day_to)
    if request.channel:
        query = query.where(runs.c.channel == request.channel)
    found = [run_of(row) for row in await session.execute(query.order_by(runs.c.day, runs.c.channel, runs.c.id))]
    yield [
        [
            "Run totals",
            labels.CHANNELS.get(run.channel, run.channel),
            run.day,
            labels.VERDICT_LABELS[run.verdict],
            None,
            str(run.id),
            run.totals.get("bill_payments_fen", 0) + run.totals.get("bill_refunds_fen", 0) if run.totals else None,
            run.totals.get("books_payments_fen", 0) + run.totals.get("books_refunds_fen", 0) if run.totals else None,
            run.totals.get("bill_fees_fen"),
            None,
            run.finished_at,
        ]
        for run in found
    ]
    query = select(broken).where(broken.c.day >= request.day_from, broken.c.day <= request.day_to)
    if request.channel:
        query = query.where(broken.c.channel == request.channel)
    items = [break_of(row) for row in await session.execute(query.order_by(broken.c.day, broken.c.priority))]
    yield [
        [
            "Break",
            labels.CHANNELS.get(item.channel, item.channel),
            item.day,
            labels.PRIORITY_LABELS[item.priority],
            labels.KIND_LABELS.get(item.kind, item.kind),
            item.reference,
            item.channel_fen,
            item.platform_fen,
            None,
            labels.STATUS_LABELS[item.status],
            item.detected_at,
        ]
        for item in items
    ]
