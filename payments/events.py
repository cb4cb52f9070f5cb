"""What payments tells the rest of the platform, in the transaction where it happens.

Payments does not know applications or certificates (it imports nothing of theirs); the process
injects a `PaymentEvents` through `PaymentDeps` (the backend's is backend/payment_events.py): a
credited order issues what its fees were waiting for, a refund or an expired order is told to the
citizen, an expired order's application is withdrawn.
"""

from __future__ import annotations

from typing import Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from payments.orders import Order

RefundCause = Literal["refused", "closed", "requested", "duplicate"]
"""Why money goes back: the application (or a bundle's item) was refused; a payment came for an order
already closed; staff refunded by hand; the order was paid twice (the second payment goes back)."""


class PaymentEvents(Protocol):
    """Hooks run in the caller's transaction: what they write commits (or rolls back) with the payment."""

    async def paid(self, session: AsyncSession, order: Order) -> None:
        """An open order was just credited (once): issue what waited for its fees."""
        ...

    async def refunded(
        self, session: AsyncSession, order: Order, amount_fen: int, cause: RefundCause, *, refund_id: str
    ) -> None:
        """Part of the order went back to the payer through the channel (the refund `refund_id`): tell them."""
        ...

    async def expired(self, session: AsyncSession, order: Order, days: int) -> None:
        """An order left unpaid `days` days was closed: withdraw its application, tell the citizen."""
        ...


class NoEvents:
    """Nobody listens (a payments process with no platform around it, unit tests)."""

    async def paid(self, session: AsyncSession, order: Order) -> None:
        """Nothing waits."""

    async def refunded(
        self, session: AsyncSession, order: Order, amount_fen: int, cause: RefundCause, *, refund_id: str
    ) -> None:
        """Nobody to tell."""

    async def expired(self, session: AsyncSession, order: Order, days: int) -> None:
        """Nothing to withdraw."""
