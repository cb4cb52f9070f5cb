"""Per-request DataLoaders: what a page of results shows, loaded in one query per kind rather than one
per item. Created by the request's context, never shared between requests.

- the catalog's bulky parts (materials, forms, rules, keywords), which stay in the database: the
  lists and lookups come from the request's catalog snapshot and need no loader;
- each application's timeline, data uses, issued certificates, payment order and refunds;
- each order's receipts.

They live beside the context, not in the domain folders, so the context depends on no domain's
GraphQL package (which all depend on the context).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from backend.applications.models import DataConsent, TimelineEvent
from backend.applications.services import Applications
from backend.applications.uploads import StoredUpload, stored
from backend.catalog import models as m
from backend.catalog.service import CatalogService
from backend.certificates.service import Certificate
from payments import receipts as pr
from payments.orders import Order, orders_of_applications
from payments.refund_states import OrderRefunds, refunds_of_applications


class CatalogLoaders:
    """Created by the context for one request; never shared between requests."""

    def __init__(self, catalog: CatalogService) -> None:
        self.matter_details = DataLoader[str, m.MatterDetails | None](load_fn=catalog.matter_details)


class ApplicationLoaders:
    """Created by the context for one request; never shared between requests."""

    def __init__(self, applications: Applications, session: AsyncSession) -> None:
        self.timeline = DataLoader[str, list[TimelineEvent]](load_fn=applications.reads.timelines)
        self.data_uses = DataLoader[str, list[DataConsent]](load_fn=applications.reads.data_uses)
        self.issued = DataLoader[str, list[Certificate]](load_fn=applications.certificates.issued_by)

        async def orders(ids: Sequence[str]) -> list[Order | None]:
            return await orders_of_applications(session, ids)

        self.order = DataLoader[str, Order | None](load_fn=orders)

        async def refunds(ids: Sequence[str]) -> list[OrderRefunds | None]:
            return await refunds_of_applications(session, ids)

        # What came back of each application's fees (the assistant reads a page of them).
        self.refunds = DataLoader[str, OrderRefunds | None](load_fn=refunds)

        async def uploads(ids: Sequence[str]) -> list[StoredUpload | None]:
            found = await stored(session, ids)
            return [found.get(i) for i in ids]

        # The files a page of applications shows (materials, supplements' changes): one query per page.
        self.upload = DataLoader[str, StoredUpload | None](load_fn=uploads)


class PaymentLoaders:
    """Created by the context for one request; never shared between requests."""

    def __init__(self, session: AsyncSession) -> None:
        async def receipts(order_ids: Sequence[str]) -> list[list[pr.Receipt]]:
            return await pr.receipts_of_orders(session, order_ids)

        self.receipts = DataLoader[str, list[pr.Receipt]](load_fn=receipts)
