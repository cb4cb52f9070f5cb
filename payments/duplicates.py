"""A second payment of an order already paid (the citizen launched both channels and paid both, or one
channel took the money twice under another trade number): nobody is owed it, so it is held in `suspense`
and goes back to where it came from, automatically.

Recorded with the notification that reveals it (duplicate_payments, and the entry channel:<x> debit /
suspense credit); refunded through ITS channel under a request number derived from its trade number
(`dup-<channel>-<trade_no>`, so asking again refunds once) once that unit of work commits; booked
(suspense debit / channel credit) when the channel confirms: at once, by the refund notification, or by
the reconciling job, which asks again about what is still `refunding`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import msgspec
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from payments import ledger
from payments import tables as t
from payments.events import PaymentEvents
from payments.money import to_yuan
from payments.orders import get_order

REASON = "重复支付，款项原路退回"
"""What the channel shows the payer as the refund's reason: paid twice, the second goes back."""


class Duplicate(msgspec.Struct, frozen=True, kw_only=True):
    """A second payment to refund."""

    id: str
    order_id: str
    out_trade_no: str
    channel: str
    channel_trade_no: str
    amount_fen: int
    out_request_no: str
    status: str  # refunding | refunded


def request_no(channel: str, trade_no: str) -> str:
    """The refund's request number: the same second payment, the same number (at most 64 characters)."""
    return f"dup-{channel}-{trade_no}"[:64]


async def record(
    session: AsyncSession, order_id: str, channel: str, trade_no: str, amount_fen: int, paid_at: datetime | None
) -> str | None:
    """Hold a second payment in suspense; its id, or None when it was recorded before (a repeated notification)."""
    duplicate_id = str(uuid.uuid4())
    number = request_no(channel, trade_no)
    try:
        async with session.begin_nested():  # a repeated notification finds it recorded: the unique trade
            await session.execute(
                insert(t.duplicate_payments).values(
                    id=duplicate_id,
                    order_id=order_id,
                    channel=channel,
                    channel_trade_no=trade_no,
                    amount_fen=amount_fen,
                    channel_paid_at=paid_at,
                    out_request_no=number,
                    status="refunding",
                    created_at=datetime.now(UTC),
                )
            )
    except IntegrityError:
        return None
    await ledger.post(
        session,
        kind="duplicate_payment",
        reference=f"{channel}:{trade_no}"[:128],
        memo=f"second payment held for refund {to_yuan(amount_fen)}",
        order_id=order_id,
        postings=[(f"channel:{channel}", amount_fen), ("suspense", -amount_fen)],
    )
    return duplicate_id


async def unrefunded(session: AsyncSession, ids: set[str] | None = None) -> list[Duplicate]:
    """Second payments not refunded yet (of `ids` when given)."""
    query = (
        select(t.duplicate_payments, t.payment_orders.c.out_trade_no)
        .join(t.payment_orders, t.payment_orders.c.id == t.duplicate_payments.c.order_id)
        .where(t.duplicate_payments.c.status == "refunding")
    )
    if ids is not None:
        query = query.where(t.duplicate_payments.c.id.in_(ids))
    return [_duplicate(row) for row in (await session.execute(query)).all()]


async def by_request_no(session: AsyncSession, out_request_no: str) -> Duplicate | None:
    """The second payment a refund request number belongs to."""
    row = (
        await session.execute(
            select(t.duplicate_payments, t.payment_orders.c.out_trade_no)
            .join(t.payment_orders, t.payment_orders.c.id == t.duplicate_payments.c.order_id)
            .where(t.duplicate_payments.c.out_request_no == out_request_no)
        )
    ).first()
    return _duplicate(row) if row is not None else None


def _duplicate(row: object) -> Duplicate:
    return Duplicate(
        id=row.id,  # type: ignore[attr-defined]
        order_id=row.order_id,  # type: ignore[attr-defined]
        out_trade_no=row.out_trade_no,  # type: ignore[attr-defined]
        channel=row.channel,  # type: ignore[attr-defined]
        channel_trade_no=row.channel_trade_no,  # type: ignore[attr-defined]
        amount_fen=row.amount_fen,  # type: ignore[attr-defined]
        out_request_no=row.out_request_no,  # type: ignore[attr-defined]
        status=row.status,  # type: ignore[attr-defined]
    )


async def book_refund(
    session: AsyncSession, duplicate: Duplicate, events: PaymentEvents, refunded_at: datetime | None = None
) -> bool:
    """The channel refunded the second payment: suspense debit / channel credit, and the payer is told.
    False when it was booked before."""
    gate = await session.execute(
        update(t.duplicate_payments)
        .where(t.duplicate_payments.c.id == duplicate.id, t.duplicate_payments.c.status == "refunding")
        .values(status="refunded", refunded_at=refunded_at or datetime.now(UTC))
    )
    if gate.rowcount != 1:  # type: ignore[attr-defined]
        return False
    await ledger.post(
        session,
        kind="duplicate_refund",
        reference=duplicate.out_request_no,
        memo=f"second payment refunded {to_yuan(duplicate.amount_fen)}",
        order_id=duplicate.order_id,
        postings=[("suspense", duplicate.amount_fen), (f"channel:{duplicate.channel}", -duplicate.amount_fen)],
    )
    order = await get_order(session, duplicate.order_id)
    assert order is not None
    # The payer hears of it as a refund of the channel that took the second payment (not the order's)
    paid_there = msgspec.structs.replace(order, channel=duplicate.channel)
    await events.refunded(session, paid_there, duplicate.amount_fen, "duplicate", refund_id=duplicate.id)
    return True
