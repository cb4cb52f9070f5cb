"""A refund's share reserved: a pending row the channel is then asked about (payments.refunds books it).

Kept apart from the refunding service so that crediting (payments.service) can reserve the platform's
own refunds in its transaction without importing the service that depends on it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from payments import tables as t
from payments.channels.base import DEFAULT_CHANNEL
from payments.errors import NotFoundError, PaymentError, PaymentErrorCode
from payments.events import RefundCause
from payments.money import to_yuan
from payments.orders import OrderStatus, get_order, status_label
from payments.receipts import Receipt, receipts_of_order

# Who asks for the platform's own refunds (payments.automatic_refunds), and why: the refunds' requester.
REFUSAL_REFUNDER = "platform:refused"
CLOSED_ORDER_REFUNDER = "platform:closed"
PLATFORM_CAUSES: dict[str, RefundCause] = {REFUSAL_REFUNDER: "refused", CLOSED_ORDER_REFUNDER: "closed"}


def refusal_key(application_id: str, matter_code: str | None, department_code: str) -> str:
    """The key of a refusal's refund of one department's share: of one matter's lines (a bundle's
    refused item), or of the whole order (`matter_code` None)."""
    return f"refused:{application_id}:{matter_code or '*'}:{department_code}"


def refused_matter(actor: str, key: str | None) -> str | None:
    """The matter whose lines a refusal's refund gives back (None: any of the department's lines)."""
    if actor != REFUSAL_REFUNDER or not key:
        return None
    matter = key.rsplit(":", 2)[-2]
    return None if matter == "*" else matter


class Refund(msgspec.Struct, frozen=True, kw_only=True):
    """A refund of one department's share."""

    id: str
    order_id: str
    out_request_no: str
    department_code: str
    amount_fen: int
    reason: str
    receipt: Receipt | None


class PendingRefund(msgspec.Struct, frozen=True, kw_only=True):
    """A refund reserved and not yet booked: what the channel is asked, and by whom."""

    id: str
    order_id: str
    out_trade_no: str
    channel: str  # the channel the order was paid through: the refund goes back the same way
    out_request_no: str
    department_code: str
    amount_fen: int
    reason: str
    actor: str
    idempotency_key: str | None


def request_id(actor: str, idempotency_key: str) -> str:
    """The channel's request number comes from the caller's key: a retry after a crash repeats the same
    request (the channel refunds once), and two different refunds never share one."""
    return hashlib.sha256(f"{actor}|{idempotency_key}".encode()).hexdigest()[:10].upper()


async def reserve_share(
    session: AsyncSession,
    order_id: str,
    department_code: str,
    amount_fen: int | None,
    reason: str,
    actor: str,
    idempotency_key: str,
) -> PendingRefund | Refund:
    """Reserve (part of) a department's share for a refund, in the caller's transaction: a pending row
    the channel is then asked about (the key numbers the channel's request: the same key, the same
    refund)."""
    # Take the order's lock before reading it: a concurrent refund of the same order waits here and
    # then sees this one's amounts (PostgreSQL row lock; SQLite's single writer).
    await session.execute(
        update(t.payment_orders)
        .where(t.payment_orders.c.id == order_id)
        .values(refunded_fen=t.payment_orders.c.refunded_fen)
    )
    order = await get_order(session, order_id)
    if order is None:
        raise NotFoundError(order_id, field="orderId")
    out_request_no = f"{order.out_trade_no}R{request_id(actor, idempotency_key)}"
    left_over = (await session.execute(select(t.refunds).where(t.refunds.c.out_request_no == out_request_no))).first()
    if left_over is not None and left_over.status == "done":
        return await booked_refund(session, left_over)
    if left_over is not None:  # this key's refund, left pending by a request that did not finish it
        return PendingRefund(
            id=left_over.id,
            order_id=order.id,
            out_trade_no=order.out_trade_no,
            channel=order.channel or DEFAULT_CHANNEL,
            out_request_no=out_request_no,
            department_code=left_over.department_code,
            amount_fen=left_over.amount_fen,
            reason=left_over.reason,
            actor=actor,
            idempotency_key=left_over.idempotency_key,
        )
    if order.status not in (OrderStatus.PAID, OrderStatus.REFUNDED):
        raise PaymentError(PaymentErrorCode.ORDER_NOT_REFUNDABLE, status=status_label(order.status, order.refunded_fen))
    paid, refunded = order.department_fen(department_code)
    pending_fen = (
        await session.execute(
            select(func.coalesce(func.sum(t.refunds.c.amount_fen), 0)).where(
                t.refunds.c.order_id == order.id,
                t.refunds.c.department_code == department_code,
                t.refunds.c.status == "pending",
            )
        )
    ).scalar_one()
    available = paid - refunded - int(pending_fen)
    amount = available if amount_fen is None else amount_fen
    if amount <= 0 or amount > available:
        raise PaymentError(PaymentErrorCode.REFUND_EXCEEDS_SHARE, available=to_yuan(max(available, 0)))
    pending = PendingRefund(
        id=str(uuid.uuid4()),
        order_id=order.id,
        out_trade_no=order.out_trade_no,
        channel=order.channel or DEFAULT_CHANNEL,
        out_request_no=out_request_no,
        department_code=department_code,
        amount_fen=amount,
        reason=reason[:200],
        actor=actor,
        idempotency_key=idempotency_key,
    )
    await session.execute(
        t.refunds.insert().values(
            id=pending.id,
            order_id=order.id,
            out_request_no=out_request_no,
            department_code=department_code,
            amount_fen=amount,
            reason=pending.reason,
            status="pending",
            requested_by=actor,
            idempotency_key=pending.idempotency_key,
            created_at=datetime.now(UTC),
        )
    )
    return pending


async def booked_refund(session: AsyncSession, row: Any) -> Refund:
    """A booked refund from its row, with its red-letter receipt."""
    receipt = next((r for r in await receipts_of_order(session, row.order_id) if r.id == row.receipt_id), None)
    return refund_of(row, receipt)


def refund_of(row: Any, receipt: Receipt | None) -> Refund:
    """A refund from its row (or the pending refund that became it) and its red-letter receipt."""
    return Refund(
        id=row.id,
        order_id=row.order_id,
        out_request_no=row.out_request_no,
        department_code=row.department_code,
        amount_fen=row.amount_fen,
        reason=row.reason,
        receipt=receipt,
    )


async def platform_refunds_pending(session: AsyncSession, order_ids: Collection[str]) -> set[str]:
    """Which of the orders have platform refunds (nobody's request: a refusal's, a closed order's) still
    to ask the channel about."""
    if not order_ids:
        return set()
    rows = await session.execute(
        select(t.refunds.c.order_id).where(
            t.refunds.c.order_id.in_(set(order_ids)),
            t.refunds.c.status == "pending",
            t.refunds.c.requested_by.in_(PLATFORM_CAUSES),
        )
    )
    return set(rows.scalars())
