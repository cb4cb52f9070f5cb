"""Finding refunds for finance staff: by the Beijing day they were asked for, department, channel, state,
amount, trade number (the order's, ours or the channel's, or the refund's own request number), order or
application reference; newest first, a page at a time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import msgspec
from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.engine import execute
from backend.i18n import Msgid
from backend.privacy import mask_text
from payments import tables as t
from payments.finance.days import day_bounds, in_beijing
from payments.finance.references import References
from payments.finance.rows import ReceiptNumber, channel_label, department_names, masked_payers
from payments.finance.search import after
from payments.parties import Parties
from payments.refund_states import IN_PROGRESS_LABEL, REFUNDED_LABEL

# A refund is pending while the channel has not confirmed it, done once booked.
REFUND_LABELS = {"pending": IN_PROGRESS_LABEL, "done": REFUNDED_LABEL}


class RefundFilter(msgspec.Struct, frozen=True, kw_only=True):
    """What finance staff search refunds by; every part optional, all given parts must hold."""

    day_from: date | None = None  # Beijing days the refund was asked for
    day_to: date | None = None
    department_code: str | None = None
    channel: str | None = None
    status: str | None = None  # pending | done
    min_fen: int | None = None
    max_fen: int | None = None
    trade_no: str | None = None  # the order's (ours or the channel's) or the refund's request number
    order_id: str | None = None
    reference: str | None = None


class RefundView(msgspec.Struct, frozen=True, kw_only=True):
    """A refund as finance staff see it (times in Beijing, payer masked)."""

    id: str
    out_request_no: str
    order_id: str
    out_trade_no: str
    channel: str | None
    channel_label: Msgid | None
    channel_trade_no: str | None
    department_code: str
    department_name: dict[str, str]
    amount_fen: int
    reason: str
    status: str
    status_label: Msgid
    payer: str | None
    reference: str | None
    requested_at: datetime
    refunded_at: datetime | None  # the channel's time (its bill's day), else our booking's; None while pending
    reversal: ReceiptNumber | None
    moment: datetime


r, o = t.refunds, t.payment_orders


async def refund_conditions(
    session: AsyncSession, wanted: RefundFilter, references: References
) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a refund search (over refunds joined to their orders)."""
    where: list[ColumnElement[bool]] = []
    start, end = day_bounds(wanted.day_from, wanted.day_to)
    if start is not None:
        where.append(r.c.created_at >= start)
    if end is not None:
        where.append(r.c.created_at < end)
    if wanted.department_code:
        where.append(r.c.department_code == wanted.department_code)
    if wanted.channel:
        where.append(o.c.channel == wanted.channel)
    if wanted.status:
        where.append(r.c.status == wanted.status)
    if wanted.min_fen is not None:
        where.append(r.c.amount_fen >= wanted.min_fen)
    if wanted.max_fen is not None:
        where.append(r.c.amount_fen <= wanted.max_fen)
    if wanted.trade_no:
        number = wanted.trade_no.strip()
        # The order's numbers resolved first: an OR across the two tables would scan every refund.
        orders = select(o.c.id).where(or_(o.c.out_trade_no == number, o.c.channel_trade_no == number))
        ids = list((await execute(session, orders)).scalars())
        where.append(or_(r.c.out_request_no == number, r.c.order_id.in_(ids)) if ids else r.c.out_request_no == number)
    if wanted.order_id:
        where.append(r.c.order_id == wanted.order_id.strip())
    if wanted.reference:
        applications = await references.applications_of(session, wanted.reference)
        where.append(o.c.application_id.in_(applications) if applications else false())
    return where


COLUMNS = (
    r.c.id,
    r.c.out_request_no,
    r.c.order_id,
    r.c.department_code,
    r.c.amount_fen,
    r.c.reason,
    r.c.status,
    r.c.created_at,
    r.c.channel_refunded_at,
    r.c.receipt_id,
    o.c.out_trade_no,
    o.c.channel,
    o.c.channel_trade_no,
    o.c.citizen_id,
    o.c.application_id,
    t.journal_entries.c.at.label("booked_at"),
)
# The refund's booking: its time stands in for the channel's where the channel's is not recorded.
JOINED = r.join(o, o.c.id == r.c.order_id).outerjoin(
    t.journal_entries,
    and_(t.journal_entries.c.kind == "refund", t.journal_entries.c.reference == r.c.out_request_no),
)


async def find_refunds(
    session: AsyncSession,
    wanted: RefundFilter,
    references: References,
    limit: int,
    position: tuple[datetime, str] | None = None,
) -> tuple[list[object], int, bool]:
    """A page of matching refund rows newest first, how many match in all, and whether more follow."""
    where = await refund_conditions(session, wanted, references)
    page = (
        select(*COLUMNS)
        .select_from(JOINED)
        .where(*where, *after(r.c.created_at, r.c.id, position))
        .order_by(r.c.created_at.desc(), r.c.id.desc())
        .limit(limit + 1)
    )
    found = list((await execute(session, page)).all())
    total = (await execute(session, select(func.count()).select_from(JOINED).where(*where))).scalar_one()
    return found[:limit], int(total), len(found) > limit


async def refund_views(
    session: AsyncSession, parties: Parties, references: References, rows: Sequence[object]
) -> list[RefundView]:
    """The views of found refund rows: four queries, whatever their number."""
    found: list[Any] = list(rows)
    names = await department_names(session, parties, {row.department_code for row in found})
    payers = await masked_payers(session, parties, {row.citizen_id for row in found})
    refs = await references.references_of(session, {row.application_id for row in found if row.application_id})
    reversal_ids = [row.receipt_id for row in found if row.receipt_id]
    reversals: dict[str, ReceiptNumber] = {}
    if reversal_ids:
        rc = t.receipts
        query = select(rc.c.id, rc.c.department_code, rc.c.bill_code, rc.c.bill_number).where(rc.c.id.in_(reversal_ids))
        for receipt in await execute(session, query):
            reversals[receipt.id] = ReceiptNumber(
                department_code=receipt.department_code,
                bill_code=receipt.bill_code,
                bill_number=receipt.bill_number,
                red=True,
            )
    return [
        RefundView(
            id=row.id,
            out_request_no=row.out_request_no,
            order_id=row.order_id,
            out_trade_no=row.out_trade_no,
            channel=row.channel,
            channel_label=channel_label(row.channel),
            channel_trade_no=row.channel_trade_no,
            department_code=row.department_code,
            department_name=names[row.department_code],
            amount_fen=row.amount_fen,
            # An officer's own words may quote a phone or ID number: masked like any text finance reads.
            reason=mask_text(row.reason),
            status=row.status,
            status_label=Msgid(REFUND_LABELS.get(row.status, row.status)),
            payer=payers.get(row.citizen_id),
            reference=refs.get(row.application_id) if row.application_id else None,
            requested_at=in_beijing(row.created_at) or row.created_at,
            refunded_at=in_beijing(row.channel_refunded_at or (row.booked_at if row.status == "done" else None)),
            reversal=reversals.get(row.receipt_id) if row.receipt_id else None,
            moment=row.created_at,
        )
        for row in found
    ]
