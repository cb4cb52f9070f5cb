"""Per-request DataLoaders of what each order on a page shows: one query for the page's receipts,
not one per order."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from payments import receipts as pr


class PaymentLoaders:
    """Created by the context for one request; never shared between requests."""

    def __init__(self, session: AsyncSession) -> None:
        async def receipts(order_ids: Sequence[str]) -> list[list[pr.Receipt]]:
            return await pr.receipts_of_orders(session, order_ids)

        self.receipts = DataLoader[str, list[pr.Receipt]](load_fn=receipts)
