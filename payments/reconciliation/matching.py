"""The comparison itself, in the database: the run's bill table joined with the books of the day.

The books' side is, per channel and kind, what we booked by the channel's clock: orders by
`channel_paid_at`, refunds by `channel_refunded_at` (their booking time only when the channel did not
say), and the duplicate payments held for refunding. Matching is exact on our reference, no tolerance.
Only the differences come back to Python; the matched are counted and summed where they lie.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from sqlalchemy import Subquery, Table, exists, func, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from payments import tables as t
from payments.channels.base import DEFAULT_CHANNEL
from payments.reconciliation.days import bounds

EntryKind = Literal["payment", "refund"]
ENTRY_KINDS: tuple[EntryKind, ...] = ("payment", "refund")


@dataclass(frozen=True)
class Difference:
    """One reference the bill and the books of the day do not agree on (yet)."""

    side: Literal["bill", "books"]  # which side has it on this day
    entry_kind: EntryKind
    reference: str
    trade_no: str | None
    channel_fen: int | None  # the bill's amount (refunds negative)
    platform_fen: int | None  # the books' amount, whatever day they have it on
    channel_at: datetime | None
    platform_at: datetime | None
    fee_fen: int = 0


@dataclass
class Comparison:
    """The day's comparison: what matched, what the books hold, and the differences."""

    matched: int = 0
    matched_fen: int = 0
    matched_fees_fen: int = 0
    books: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (count, fen)
    differences: list[Difference] = field(default_factory=list)


def books(kind: EntryKind, channel: str) -> Subquery:
    """The books of one kind for one channel: (reference, amount_fen, at, trade_no), any day."""
    orders, duplicates, refunds = t.payment_orders, t.duplicate_payments, t.refunds
    if kind == "payment":
        booked = select(
            orders.c.out_trade_no.label("reference"),
            orders.c.total_fen.label("amount_fen"),
            orders.c.channel_paid_at.label("at"),
            orders.c.channel_trade_no.label("trade_no"),
        ).where(orders.c.channel == channel, orders.c.channel_paid_at.is_not(None))
        held = (
            select(
                orders.c.out_trade_no,
                duplicates.c.amount_fen,
                duplicates.c.channel_paid_at,
                duplicates.c.channel_trade_no,
            )
            .select_from(duplicates.join(orders, orders.c.id == duplicates.c.order_id))
            .where(duplicates.c.channel == channel)
        )
        return union_all(booked, held).subquery("books")
    booked = (
        select(
            refunds.c.out_request_no.label("reference"),
            (-refunds.c.amount_fen).label("amount_fen"),
            func.coalesce(refunds.c.channel_refunded_at, refunds.c.created_at).label("at"),
            orders.c.channel_trade_no.label("trade_no"),
        )
        .select_from(refunds.join(orders, orders.c.id == refunds.c.order_id))
        .where(func.coalesce(orders.c.channel, DEFAULT_CHANNEL) == channel, refunds.c.status == "done")
    )
    returned = select(
        duplicates.c.out_request_no, -duplicates.c.amount_fen, duplicates.c.refunded_at, duplicates.c.channel_trade_no
    ).where(duplicates.c.channel == channel, duplicates.c.status == "refunded")
    return union_all(booked, returned).subquery("books")


async def compare(session: AsyncSession, bill: Table, channel: str, day: date) -> Comparison:
    """Compare the loaded bill with the books of `day` for `channel`."""
    start, end = bounds(day)
    found = Comparison()
    for kind in ENTRY_KINDS:
        book = books(kind, channel)
        in_day = (book.c.at >= start) & (book.c.at < end)
        matched = (
            await session.execute(
                select(func.count(), func.sum(bill.c.amount_fen), func.sum(bill.c.fee_fen))
                .select_from(bill.join(book, book.c.reference == bill.c.reference))
                .where(bill.c.kind == kind, book.c.amount_fen == bill.c.amount_fen, in_day)
            )
        ).one()
        found.matched += int(matched[0])
        found.matched_fen += int(matched[1] or 0)
        found.matched_fees_fen += int(matched[2] or 0) if kind == "payment" else 0
        total = (await session.execute(select(func.count(), func.sum(book.c.amount_fen)).where(in_day))).one()
        found.books[kind] = (int(total[0]), int(total[1] or 0))
        on_bill = await session.execute(
            select(
                bill.c.reference,
                bill.c.trade_no,
                bill.c.amount_fen,
                bill.c.fee_fen,
                bill.c.at,
                book.c.amount_fen.label("book_fen"),
                book.c.at.label("book_at"),
            )
            .select_from(bill.outerjoin(book, book.c.reference == bill.c.reference))
            .where(
                bill.c.kind == kind,
                or_(book.c.reference.is_(None), book.c.amount_fen != bill.c.amount_fen, ~in_day),
            )
        )
        found.differences += [
            Difference("bill", kind, r.reference, r.trade_no, r.amount_fen, r.book_fen, r.at, r.book_at, r.fee_fen)
            for r in on_bill
        ]
        in_books = await session.execute(
            select(book).where(
                in_day, ~exists(select(1).where(bill.c.kind == kind, bill.c.reference == book.c.reference))
            )
        )
        found.differences += [
            Difference("books", kind, r.reference, r.trade_no, None, r.amount_fen, None, r.at) for r in in_books
        ]
    return found
