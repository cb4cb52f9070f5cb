"""The comparison itself, in the database: the run's bill table joined with the books of the day.

The books' side is, per channel and kind, what we booked by the channel's clock: orders by
`channel_paid_at`, refunds by `channel_refunded_at` (their booking time only when the channel did not
say), and the duplicate payments held for refunding. Matching is exact on our reference, no tolerance.
Only the differences come back to Python; the matched are counted and summed where they lie.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import Subquery, Table, and_, func, or_, select, text, union_all
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


MARGIN = timedelta(hours=6)
"""How far around the day the books are read: an item the other side has just across midnight is a
timing gap (pending), found by the same join; anything further is looked up one by one (settling)."""


def books(kind: EntryKind, channel: str, low: datetime, high: datetime) -> Subquery:
    """The books of one kind for one channel between two moments: (reference, amount_fen, at, trade_no)."""
    orders, duplicates, refunds = t.payment_orders, t.duplicate_payments, t.refunds
    if kind == "payment":
        paid = orders.c.channel_paid_at
        booked = select(
            orders.c.out_trade_no.label("reference"),
            orders.c.total_fen.label("amount_fen"),
            paid.label("at"),
            orders.c.channel_trade_no.label("trade_no"),
        ).where(orders.c.channel == channel, paid >= low, paid < high)
        held = (
            select(
                orders.c.out_trade_no,
                duplicates.c.amount_fen,
                duplicates.c.channel_paid_at,
                duplicates.c.channel_trade_no,
            )
            .select_from(duplicates.join(orders, orders.c.id == duplicates.c.order_id))
            .where(
                duplicates.c.channel == channel,
                duplicates.c.channel_paid_at >= low,
                duplicates.c.channel_paid_at < high,
            )
        )
        return union_all(booked, held).subquery("books")
    said, created = refunds.c.channel_refunded_at, refunds.c.created_at
    booked = (
        select(
            refunds.c.out_request_no.label("reference"),
            (-refunds.c.amount_fen).label("amount_fen"),
            func.coalesce(said, created).label("at"),
            orders.c.channel_trade_no.label("trade_no"),
        )
        .select_from(refunds.join(orders, orders.c.id == refunds.c.order_id))
        .where(
            func.coalesce(orders.c.channel, DEFAULT_CHANNEL) == channel,
            refunds.c.status == "done",
            # the channel's time when it said, our booking's otherwise (two ranges an index each can serve)
            or_(and_(said >= low, said < high), and_(said.is_(None), created >= low, created < high)),
        )
    )
    returned = select(
        duplicates.c.out_request_no, -duplicates.c.amount_fen, duplicates.c.refunded_at, duplicates.c.channel_trade_no
    ).where(
        duplicates.c.channel == channel,
        duplicates.c.status == "refunded",
        duplicates.c.refunded_at >= low,
        duplicates.c.refunded_at < high,
    )
    return union_all(booked, returned).subquery("books")


async def compare(session: AsyncSession, bill: Table, channel: str, day: date) -> Comparison:
    """Compare the loaded bill with the books of `day` for `channel`: per kind, one full join of the bill
    with the books around the day, read twice (its totals, then only its differences)."""
    start, end = bounds(day)
    found = Comparison()
    if (await session.connection()).dialect.name == "postgresql":
        # two million-row hash joins fit in memory instead of spilling to disk in batches
        await session.execute(text("SET LOCAL work_mem = '128MB'"))
    for kind in ENTRY_KINDS:
        book = books(kind, channel, start - MARGIN, end + MARGIN)
        billed = select(bill).where(bill.c.kind == kind).subquery("billed")
        joined = billed.join(book, book.c.reference == billed.c.reference, full=True)
        in_day = and_(book.c.at >= start, book.c.at < end)
        on_bill, in_books = billed.c.reference.is_not(None), book.c.reference.is_not(None)
        matched = and_(on_bill, in_books, book.c.amount_fen == billed.c.amount_fen, in_day)
        totals = (
            await session.execute(
                select(
                    func.count().filter(matched),
                    func.sum(billed.c.amount_fen).filter(matched),
                    func.sum(billed.c.fee_fen).filter(matched),
                    func.count(book.c.reference).filter(in_day),
                    func.sum(book.c.amount_fen).filter(in_day),
                ).select_from(joined)
            )
        ).one()
        found.matched += int(totals[0])
        found.matched_fen += int(totals[1] or 0)
        found.matched_fees_fen += int(totals[2] or 0) if kind == "payment" else 0
        found.books[kind] = (int(totals[3]), int(totals[4] or 0))
        rows = await session.execute(
            select(
                billed.c.reference,
                book.c.reference.label("book_reference"),
                func.coalesce(billed.c.trade_no, book.c.trade_no).label("trade_no"),
                billed.c.amount_fen,
                billed.c.fee_fen,
                billed.c.at,
                book.c.amount_fen.label("book_fen"),
                book.c.at.label("book_at"),
            )
            .select_from(joined)
            .where(
                or_(
                    and_(on_bill, or_(book.c.reference.is_(None), book.c.amount_fen != billed.c.amount_fen, ~in_day)),
                    and_(billed.c.reference.is_(None), in_day),
                )
            )
        )
        for r in rows:
            if r.reference is None:
                found.differences.append(
                    Difference("books", kind, r.book_reference, r.trade_no, None, r.book_fen, None, r.book_at)
                )
            else:
                found.differences.append(
                    Difference(
                        "bill", kind, r.reference, r.trade_no, r.amount_fen, r.book_fen, r.at, r.book_at, r.fee_fen
                    )
                )
    return found
