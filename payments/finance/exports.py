"""The export builders of the finance views: payments and refunds of a range of Beijing days, oldest
first, read in batches so a city's quarter never sits in memory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.engine import execute
from backend.i18n import Locale, pick
from backend.tabular import Cell, Column, Table
from payments import tables as t
from payments.finance.exportable import Builder, ExportRequest, file_stem
from payments.finance.references import References
from payments.finance.refund_search import COLUMNS as REFUND_COLUMNS
from payments.finance.refund_search import JOINED, RefundFilter, refund_conditions, refund_views
from payments.finance.rows import payment_views
from payments.finance.search import COLUMNS as ORDER_COLUMNS
from payments.finance.search import PaymentFilter, conditions, hits, order_moment
from payments.parties import Parties

BATCH = 5000  # rows read and written at once: few queries, a few MiB of rows in memory

PAYMENT_COLUMNS = (
    Column("paid_at", "Paid at", "moment"),
    Column("out_trade_no", "Order number", "text"),
    Column("channel", "Channel", "label"),
    Column("channel_trade_no", "Channel trade number", "text"),
    Column("reference", "Application reference", "text"),
    Column("subject", "What was paid for", "text"),
    Column("departments", "Departments", "text"),
    Column("payer", "Payer", "text"),
    Column("amount", "Amount (yuan)", "money"),
    Column("refunded", "Refunded (yuan)", "money"),
    Column("status", "Status", "label"),
    Column("receipts", "Receipt numbers", "text"),
)

REFUND_EXPORT_COLUMNS = (
    Column("requested_at", "Requested at", "moment"),
    Column("refunded_at", "Refunded at (channel)", "moment"),
    Column("out_request_no", "Refund number", "text"),
    Column("out_trade_no", "Order number", "text"),
    Column("channel", "Channel", "label"),
    Column("channel_trade_no", "Channel trade number", "text"),
    Column("reference", "Application reference", "text"),
    Column("department", "Department", "text"),
    Column("payer", "Payer", "text"),
    Column("amount", "Amount (yuan)", "money"),
    Column("reason", "Reason", "text"),
    Column("status", "Status", "label"),
    Column("reversal", "Red-letter receipt", "text"),
)


def _after(
    moment: ColumnElement[datetime], id_column: ColumnElement[str], position: tuple[datetime, str] | None
) -> list[ColumnElement[bool]]:
    """Rows after `position` (moment, id) in the export's order; none before the first batch."""
    if position is None:
        return []
    return [(moment > position[0]) | ((moment == position[0]) & (id_column > position[1]))]


def payments_builder(parties: Parties, references: References) -> Builder:
    """Builds `payments`: every order paid (or, unpaid, opened) on the days, one row per order."""

    async def build(session: AsyncSession, request: ExportRequest) -> Table:
        locale = Locale(request.locale)
        wanted = PaymentFilter(
            day_from=request.day_from,
            day_to=request.day_to,
            department_code=request.department_code,
            channel=request.channel,
        )
        where = await conditions(session, wanted, references)
        o = t.payment_orders

        async def rows() -> AsyncIterator[Sequence[Sequence[Cell]]]:
            position: tuple[datetime, str] | None = None
            while True:
                keyset = _after(order_moment, o.c.id, position)
                query = select(*ORDER_COLUMNS).where(*where, *keyset).order_by(order_moment, o.c.id).limit(BATCH)
                found = hits((await execute(session, query)).all())
                if not found:
                    return
                position = (found[-1].moment, found[-1].id)
                yield [
                    [
                        view.paid_at,
                        view.out_trade_no,
                        view.channel_label,
                        view.channel_trade_no,
                        view.reference,
                        view.subject,
                        "; ".join(pick(d.name, locale) for d in view.departments),
                        view.payer,
                        view.total_fen,
                        view.refunded_fen,
                        view.status_label,
                        "; ".join(r.text for r in view.receipts),
                    ]
                    for view in await payment_views(session, parties, references, found)
                ]

        return Table(
            name=file_stem(request),
            title="Payments",
            columns=PAYMENT_COLUMNS,
            rows=rows(),
        )

    return build


def refunds_builder(parties: Parties, references: References) -> Builder:
    """Builds `refunds`: every refund asked for on the days, one row per refund."""

    async def build(session: AsyncSession, request: ExportRequest) -> Table:
        locale = Locale(request.locale)
        wanted = RefundFilter(
            day_from=request.day_from,
            day_to=request.day_to,
            department_code=request.department_code,
            channel=request.channel,
        )
        where = await refund_conditions(session, wanted, references)
        r = t.refunds

        async def rows() -> AsyncIterator[Sequence[Sequence[Cell]]]:
            position: tuple[datetime, str] | None = None
            while True:
                keyset = _after(r.c.created_at, r.c.id, position)
                query = (
                    select(*REFUND_COLUMNS)
                    .select_from(JOINED)
                    .where(*where, *keyset)
                    .order_by(r.c.created_at, r.c.id)
                    .limit(BATCH)
                )
                found = list((await execute(session, query)).all())
                if not found:
                    return
                position = (found[-1].created_at, found[-1].id)
                yield [
                    [
                        view.requested_at,
                        view.refunded_at,
                        view.out_request_no,
                        view.out_trade_no,
                        view.channel_label,
                        view.channel_trade_no,
                        view.reference,
                        pick(view.department_name, locale),
                        view.payer,
                        view.amount_fen,
                        view.reason,
                        view.status_label,
                        view.reversal.text if view.reversal else None,
                    ]
                    for view in await refund_views(session, parties, references, found)
                ]

        return Table(
            name=file_stem(request),
            title="Refunds",
            columns=REFUND_EXPORT_COLUMNS,
            rows=rows(),
        )

    return build


async def record_export(session: AsyncSession, request: ExportRequest, staff_id: str) -> None:
    """Keep in the finance audit trail who exported what (the file leaves the platform's control)."""
    from datetime import UTC, datetime

    from sqlalchemy import insert

    data = {
        "kind": request.kind,
        "day_from": request.day_from.isoformat(),
        "day_to": request.day_to.isoformat(),
        "format": request.format,
        "department_code": request.department_code,
        "channel": request.channel,
    }
    await session.execute(
        insert(t.finance_audit).values(
            at=datetime.now(UTC),
            actor=staff_id,
            action="exported",
            day=None,
            channel=request.channel,
            department_code=request.department_code,
            note=None,
            data=data,
        )
    )
