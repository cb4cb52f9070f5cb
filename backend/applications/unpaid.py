"""Whether an application's fees are still to be paid: what its outputs (and completion) wait for."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from backend.applications.models import Application
from payments.orders import Order, OrderStatus, orders_of_applications


async def order_of(session: AsyncSession, application: Application) -> Order | None:
    """The order of the application's fees (a bundle item's is its bundle's)."""
    return (await orders_of_applications(session, [application.parent_id or application.id]))[0]


async def fees_unpaid(session: AsyncSession, application: Application) -> bool:
    """Whether the application's fees are still to be paid (False when it has none)."""
    order = await order_of(session, application)
    return order is not None and order.status is OrderStatus.OPEN
