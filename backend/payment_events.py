"""What the platform does when payments tell it something (payments.events.PaymentEvents): a credited
order issues the certificates that waited for it, a refund and an expired order are told to the
citizen, an expired order's application is withdrawn; payments and refunds are outbox events (apps'
webhooks). All in the transaction payments runs them in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.services import Applications
from backend.applications.unit import ApplicationDeps, Unit
from backend.catalog.snapshot import CatalogSnapshot
from backend.outbox.events import EventType, record
from payments.events import RefundCause
from payments.orders import Order

SnapshotOf = Callable[[AsyncSession], Awaitable[CatalogSnapshot]]
"""The catalog snapshot to work with (the process's cached one, or one read in the session)."""


class PlatformPaymentEvents:
    """Payments' events, handled by the applications domain on the payment's own session."""

    def __init__(self, deps: ApplicationDeps, snapshot: SnapshotOf) -> None:
        self._deps = deps
        self._snapshot = snapshot

    async def _applications(self, session: AsyncSession) -> Applications:
        return Applications(Unit(session, self._deps, await self._snapshot(session)))

    async def paid(self, session: AsyncSession, order: Order) -> None:
        """The payment's event, then issue what waited for the order's fees."""
        data = {
            "order_id": order.id,
            "application_id": order.application_id,
            "amount_fen": order.total_fen,
            "channel": order.channel,
        }
        await record(session, EventType.PAYMENT_SUCCEEDED, citizen_id=order.citizen_id, data=data)
        await (await self._applications(session)).fees.paid(order)

    async def refunded(
        self, session: AsyncSession, order: Order, amount_fen: int, cause: RefundCause, *, refund_id: str
    ) -> None:
        """The refund's event; tell the payer (inbox and SMS)."""
        data = {
            "refund_id": refund_id,
            "order_id": order.id,
            "application_id": order.application_id,
            "amount_fen": amount_fen,
        }
        await record(session, EventType.REFUND_SUCCEEDED, citizen_id=order.citizen_id, data=data)
        await (await self._applications(session)).fees.refunded(order, amount_fen, cause)

    async def expired(self, session: AsyncSession, order: Order, days: int) -> None:
        """Withdraw the application and tell the citizen."""
        await (await self._applications(session)).fees.expired(order, days)
