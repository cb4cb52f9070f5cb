"""After an officer's refusal commits: ask the channel for the refunds it reserved (a paid
application's fees go back at once; the reconciling job retries what the channel did not confirm)."""

from __future__ import annotations

from backend.graphql.context import Info
from payments.orders import OrderStatus, orders_of_applications
from payments.refunds import Refunds


async def refund_refused(info: Info, application_id: str, parent_id: str | None) -> None:
    """Have the channel refund what the refusal of this application (or bundle item) reserved."""
    resources = info.context.resources
    # Its own short session: the request's would open a transaction again and hold it across the channel.
    async with resources.sessions() as session:
        order = (await orders_of_applications(session, [parent_id or application_id]))[0]
    if order is not None and order.status is not OrderStatus.OPEN:
        await Refunds(resources.sessions, resources.payments).finish_platform_refunds(order.id)
