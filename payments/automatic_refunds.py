"""The platform's own refunds, asked for by nobody: what a refused application (or a bundle's refused
item) paid, and a payment that arrived for an order already closed.

They are reserved in the caller's transaction (with the refusal, with the late credit), so the refusal
and the promise to refund commit together; the channel is then asked outside any transaction, at once
by whoever committed them (`Refunds.finish_pending(..., order_id=...)`) or by the reconciling job,
which asks about the platform's pending refunds whatever their age. Booking one tells the citizen
(`PaymentEvents.refunded`).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from payments.errors import PaymentError
from payments.orders import Order, OrderStatus, orders_of_applications
from payments.refund_shares import CLOSED_ORDER_REFUNDER, REFUSAL_REFUNDER, refusal_key, reserve_share


async def refund_refused(
    session: AsyncSession, application_id: str, matter_code: str | None, reason: str
) -> str | None:
    """Reserve the refund of what was paid for a refused application (`matter_code` None: all of its
    order) or for one refused item of a bundle (its matter's lines); the order's id, or None when
    nothing of it was paid."""
    order = (await orders_of_applications(session, [application_id]))[0]
    if order is None or order.status is not OrderStatus.PAID:
        return None
    shares: dict[str, int] = {}
    for line in order.lines:
        if matter_code is None or line.matter_code == matter_code:
            shares[line.department_code] = shares.get(line.department_code, 0) + line.amount_fen - line.refunded_fen
    reserved = False
    for department, amount in sorted(shares.items()):
        if amount <= 0:
            continue
        number = refusal_key(application_id, matter_code, department)
        # The whole application refused: whatever is left of each share; an item: its lines, at most
        # what is left (staff may have refunded part of the share by hand).
        for asked in (None,) if matter_code is None else (amount, None):
            try:
                await reserve_share(session, order.id, department, asked, reason, REFUSAL_REFUNDER, number)
            except PaymentError:  # more than is left: try what is left; nothing left: nothing to refund
                continue
            reserved = True
            break
    return order.id if reserved else None


async def refund_closed_order(session: AsyncSession, order: Order) -> None:
    """Reserve the refund, in full, of a payment credited to an order already closed (its application
    refused or withdrawn): nothing is owed for it."""
    for department in sorted({line.department_code for line in order.lines}):
        number = f"closed:{order.id}:{department}"
        reason = "订单已关闭，款项原路退回"
        await reserve_share(session, order.id, department, None, reason, CLOSED_ORDER_REFUNDER, number)
