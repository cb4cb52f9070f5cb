"""What came back of an application's fees: its order's refunds, summed, as the applicant asks about them
("did my refund come back?"). The application's own state: amounts and dates, no payer, no order numbers."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

import msgspec
from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.engine import execute
from backend.i18n import Msgid
from payments import tables as t
from payments.orders import PARTLY_REFUNDED_LABEL, STATUS_LABELS, OrderStatus

IN_PROGRESS_LABEL = "Refund in progress"
# Refunded in full or in part: the order's own words for it.
REFUNDED_LABEL = STATUS_LABELS[OrderStatus.REFUNDED]


class RefundPart(msgspec.Struct, frozen=True, kw_only=True):
    """One refund of one department's share: asked for at `requested_at`, given back at `refunded_at`
    (None while the channel has not confirmed it)."""

    department_code: str
    amount_fen: int
    requested_at: datetime
    refunded_at: datetime | None


class RefundState(msgspec.Struct, frozen=True, kw_only=True):
    """An application's refunds, summed (of the departments asked about)."""

    amount_fen: int  # refunded or being refunded
    refunded_fen: int  # given back already
    requested_at: datetime  # the latest refund's request
    refunded_at: datetime | None  # the latest booking; None while any refund is still in progress
    label: Msgid

    @property
    def in_progress(self) -> bool:
        """Whether some of it is not back yet."""
        return self.refunded_fen < self.amount_fen


class OrderRefunds(msgspec.Struct, frozen=True, kw_only=True):
    """The refunds of one application's order."""

    order_status: OrderStatus
    parts: list[RefundPart]

    def state(self, departments: Collection[str] | None = None) -> RefundState | None:
        """The summed state, of `departments`' shares only when given (an officer's); None: no refund."""
        parts = [p for p in self.parts if departments is None or p.department_code in departments]
        if not parts:
            return None
        amount = sum(p.amount_fen for p in parts)
        refunded = sum(p.amount_fen for p in parts if p.refunded_at is not None)
        if refunded < amount:
            label, booked = IN_PROGRESS_LABEL, None
        else:
            # An order refunded in full has every share back; otherwise some of what was paid stays paid.
            label = REFUNDED_LABEL if self.order_status is OrderStatus.REFUNDED else PARTLY_REFUNDED_LABEL
            booked = max(p.refunded_at for p in parts if p.refunded_at is not None)
        return RefundState(
            amount_fen=amount,
            refunded_fen=refunded,
            requested_at=max(p.requested_at for p in parts),
            refunded_at=booked,
            label=Msgid(label),
        )


async def refunds_of_applications(session: AsyncSession, application_ids: Sequence[str]) -> list[OrderRefunds | None]:
    """Each application's order's refunds (None: no order, or nothing refunded): one query for a page."""
    booking = t.journal_entries
    query = (
        select(
            t.payment_orders.c.application_id,
            t.payment_orders.c.status.label("order_status"),
            t.refunds.c.department_code,
            t.refunds.c.amount_fen,
            t.refunds.c.status,
            t.refunds.c.created_at,
            booking.c.at.label("booked_at"),
        )
        .join(t.payment_orders, t.payment_orders.c.id == t.refunds.c.order_id)
        .outerjoin(booking, and_(booking.c.kind == "refund", booking.c.reference == t.refunds.c.out_request_no))
        .where(t.payment_orders.c.application_id.in_(set(application_ids)))
        .order_by(t.refunds.c.created_at)
    )
    found: dict[str, OrderRefunds] = {}
    for row in (await execute(session, query)).all():
        refunds = found.setdefault(
            row.application_id, OrderRefunds(order_status=OrderStatus(row.order_status), parts=[])
        )
        done = row.status == "done"
        refunds.parts.append(
            RefundPart(
                department_code=row.department_code,
                amount_fen=row.amount_fen,
                requested_at=row.created_at,
                refunded_at=(row.booked_at or row.created_at) if done else None,
            )
        )
    return [found.get(i) for i in application_ids]
