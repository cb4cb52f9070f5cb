"""Reconciling with the channel's daily bill (对账): what Alipay says happened against what we booked.

The bill is a zip of GBK CSVs (see standins/alipay/bill.py for the format). Each payment and
refund in it is matched by our order number (and refund request number) against our orders and
refunds of the same Beijing day:
- channel_only (长款): the channel took money we have not credited (a lost notification);
- platform_only (短款): we credited money the channel does not list;
- amount_mismatch: both have it, for different amounts;
- fee_difference: the channel's service fee differs from what we booked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from payments import tables as t
from payments.channels.base import BillRow

BEIJING = ZoneInfo("Asia/Shanghai")


class Discrepancy(msgspec.Struct, frozen=True, kw_only=True):
    """One thing finance staff must look at."""

    kind: Literal["channel_only", "platform_only", "amount_mismatch", "fee_difference"]
    reference: str
    channel_fen: int | None
    platform_fen: int | None


class BillReport(msgspec.Struct, frozen=True, kw_only=True):
    """The day's comparison."""

    day: date
    channel_payments: int
    channel_refunds: int
    matched: int
    discrepancies: list[Discrepancy]

    @property
    def clean(self) -> bool:
        """Nothing to look at."""
        return not self.discrepancies


async def compare(session: AsyncSession, day: date, rows: Sequence[BillRow], channel: str) -> BillReport:
    """Match the bill against our orders and refunds of the same Beijing day."""
    start = datetime.combine(day, time(0), BEIJING).astimezone(UTC)
    end = start + timedelta(days=1)
    ours = {
        r.out_trade_no: int(r.total_fen)
        for r in await session.execute(
            select(t.payment_orders.c.out_trade_no, t.payment_orders.c.total_fen).where(
                t.payment_orders.c.channel == channel,
                # The channel's bill is by its own payment time: a payment at 23:59 credited at 00:03
                # belongs to the day it was paid, not to the day we heard of it.
                func.coalesce(t.payment_orders.c.channel_paid_at, t.payment_orders.c.paid_at) >= start,
                func.coalesce(t.payment_orders.c.channel_paid_at, t.payment_orders.c.paid_at) < end,
            )
        )
    }
    refunds = {
        r.out_request_no: -int(r.amount_fen)
        for r in await session.execute(
            select(t.refunds.c.out_request_no, t.refunds.c.amount_fen).where(
                and_(t.refunds.c.created_at >= start, t.refunds.c.created_at < end)
            )
        )
    }
    booked_fees = int(
        (
            await session.execute(
                select(func.coalesce(func.sum(t.postings.c.amount_fen), 0))
                .join(t.journal_entries)
                .where(
                    t.journal_entries.c.kind == "fee",
                    t.postings.c.account == f"fees:{channel}",
                    t.journal_entries.c.reference.in_([row.out_trade_no for row in rows if row.kind == "payment"]),
                )
            )
        ).scalar_one()
    )
    found: list[Discrepancy] = []
    matched = 0
    for row in rows:
        reference = row.request_no if row.kind == "refund" and row.request_no else row.out_trade_no
        book = refunds if row.kind == "refund" else ours
        platform = book.pop(reference, None)
        if platform is None:
            found.append(
                Discrepancy(kind="channel_only", reference=reference, channel_fen=row.amount_fen, platform_fen=None)
            )
        elif platform != row.amount_fen:
            found.append(
                Discrepancy(
                    kind="amount_mismatch", reference=reference, channel_fen=row.amount_fen, platform_fen=platform
                )
            )
        else:
            matched += 1
    for reference, amount in [*ours.items(), *refunds.items()]:
        found.append(Discrepancy(kind="platform_only", reference=reference, channel_fen=None, platform_fen=amount))
    channel_fees = sum(row.fee_fen for row in rows if row.kind == "payment")
    if channel_fees != booked_fees:
        found.append(
            Discrepancy(
                kind="fee_difference", reference=day.isoformat(), channel_fen=channel_fees, platform_fen=booked_fees
            )
        )
    return BillReport(
        day=day,
        channel_payments=sum(1 for r in rows if r.kind == "payment"),
        channel_refunds=sum(1 for r in rows if r.kind == "refund"),
        matched=matched,
        discrepancies=found,
    )


BILL_READY_HOUR = 10
"""Beijing hour after which the channel's bill of the day before can be downloaded (Alipay: T+1, 9-10 am)."""


def bill_day_due(now: datetime, last_checked: date | None) -> date | None:
    """The Beijing day whose bill the daily job should check now, or None (not ready, or done)."""
    local = now.astimezone(BEIJING)
    yesterday = local.date() - timedelta(days=1)
    if local.hour < BILL_READY_HOUR or (last_checked is not None and last_checked >= yesterday):
        return None
    return yesterday
