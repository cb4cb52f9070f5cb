"""Per-request DataLoaders for what each application on a page shows (timeline, data uses, certificates,
order): one query per kind for the whole page, not one per application."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from backend.applications.models import DataConsent, TimelineEvent
from backend.applications.services import Applications
from backend.certificates.service import Certificate
from payments.orders import Order, orders_of_applications


class ApplicationLoaders:
    """Created by the context for one request; never shared between requests."""

    def __init__(self, applications: Applications, session: AsyncSession) -> None:
        self.timeline = DataLoader[str, list[TimelineEvent]](load_fn=applications.reads.timelines)
        self.data_uses = DataLoader[str, list[DataConsent]](load_fn=applications.reads.data_uses)
        self.issued = DataLoader[str, list[Certificate]](load_fn=applications.certificates.issued_by)

        async def orders(ids: Sequence[str]) -> list[Order | None]:
            return await orders_of_applications(session, ids)

        self.order = DataLoader[str, Order | None](load_fn=orders)
