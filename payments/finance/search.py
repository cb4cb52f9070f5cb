"""Finding payments for finance staff: by Beijing day, department, channel, status, amount, trade number
(ours or the channel's), order or the application's reference; newest first, a page at a time.

A citizen on the phone quotes whichever number they hold: our out_trade_no, the channel's trade number
(also of a second, duplicate payment) or their application's reference; each is one indexed lookup.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import msgspec
from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.engine import execute
from backend.db.types import UTCDateTime
from payments import tables as t
from payments.finance.days import day_bounds
from payments.finance.references import References
from payments.orders import OrderStatus

PARTLY_REFUNDED = "partly_refunded"  # a status to search by: paid, with some of it given back


class PaymentFilter(msgspec.Struct, frozen=True, kw_only=True):
    """What finance staff search payments by; every part optional, all given parts must hold."""

    day_from: date | None = None  # Beijing days of payment (of opening, for an order never paid)
    day_to: date | None = None
    department_code: str | None = None
    channel: str | None = None
    status: str | None = None  # an OrderStatus value, or partly_refunded
    min_fen: int | None = None
    max_fen: int | None = None
    trade_no: str | None = None  # ours (out_trade_no) or the channel's
    order_id: str | None = None
    reference: str | None = None  # the application's


o = t.payment_orders
# When a payment happened: its crediting; an order never paid sorts by its opening.
order_moment = func.coalesce(o.c.paid_at, o.c.created_at, type_=UTCDateTime)


async def conditions(session: AsyncSession, wanted: PaymentFilter, references: References) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a search (the reference is resolved first, by the applications domain)."""
    where: list[ColumnElement[bool]] = []
    start, end = day_bounds(wanted.day_from, wanted.day_to)
    if start is not None:
        where.append(order_moment >= start)
    if end is not None:
        where.append(order_moment < end)
    if wanted.department_code:
        lines = t.order_lines
        where.append(exists().where(lines.c.order_id == o.c.id, lines.c.department_code == wanted.department_code))
    if wanted.channel:
        where.append(o.c.channel == wanted.channel)
    if wanted.status == PARTLY_REFUNDED:
        where += [o.c.status == OrderStatus.PAID.value, o.c.refunded_fen > 0]
    elif wanted.status:
        where.append(o.c.status == wanted.status)
    if wanted.min_fen is not None:
        where.append(o.c.total_fen >= wanted.min_fen)
    if wanted.max_fen is not None:
        where.append(o.c.total_fen <= wanted.max_fen)
    if wanted.trade_no:
        number = wanted.trade_no.strip()
        # A second, duplicate payment's trade number leads to its order. Looked up first: a subquery inside
        # the OR would keep PostgreSQL from combining the three indexes, and scan every order instead.
        duplicates = t.duplicate_payments
        seconds = select(duplicates.c.order_id).where(duplicates.c.channel_trade_no == number)
        orders = list((await execute(session, seconds)).scalars())
        matches = [o.c.out_trade_no == number, o.c.channel_trade_no == number]
        where.append(or_(*matches, o.c.id.in_(orders)) if orders else or_(*matches))
    if wanted.order_id:
        where.append(o.c.id == wanted.order_id.strip())
    if wanted.reference:
        applications = await references.applications_of(session, wanted.reference)
        where.append(o.c.application_id.in_(applications) if applications else false())
    return where


def after(
    moment: ColumnElement[datetime], key: ColumnElement[str], position: tuple[datetime, str] | None
) -> list[ColumnElement[bool]]:
    """Keyset condition: the items after (`moment`, `key`) in newest-first order."""
    if position is None:
        return []
    at, last = position
    return [or_(moment < at, and_(moment == at, key < last))]


class OrderHit(msgspec.Struct, frozen=True):
    """An order as a search found it (the row the finance views are built from); its fields in the
    order of COLUMNS, so a row makes one positionally (an export makes a hundred thousand)."""

    id: str
    out_trade_no: str
    citizen_id: str
    application_id: str | None
    subject: str
    total_fen: int
    refunded_fen: int
    status: str
    channel: str | None
    channel_trade_no: str | None
    created_at: datetime
    paid_at: datetime | None
    channel_paid_at: datetime | None
    moment: datetime


COLUMNS = (
    o.c.id,
    o.c.out_trade_no,
    o.c.citizen_id,
    o.c.application_id,
    o.c.subject,
    o.c.total_fen,
    o.c.refunded_fen,
    o.c.status,
    o.c.channel,
    o.c.channel_trade_no,
    o.c.created_at,
    o.c.paid_at,
    o.c.channel_paid_at,
    order_moment.label("moment"),
)


def hits(rows: Sequence[Any]) -> list[OrderHit]:
    """Rows of COLUMNS as OrderHits."""
    return [OrderHit(*row) for row in rows]


async def find_orders(
    session: AsyncSession,
    wanted: PaymentFilter,
    references: References,
    limit: int,
    position: tuple[datetime, str] | None = None,
) -> tuple[list[OrderHit], int, bool]:
    """A page of matching orders newest first, how many match in all, and whether more follow."""
    where = await conditions(session, wanted, references)
    page = (
        select(*COLUMNS)
        .where(*where, *after(order_moment, o.c.id, position))
        .order_by(order_moment.desc(), o.c.id.desc())
        .limit(limit + 1)
    )
    found = hits((await execute(session, page)).all())
    total = (await execute(session, select(func.count()).select_from(o).where(*where))).scalar_one()
    return found[:limit], int(total), len(found) > limit
