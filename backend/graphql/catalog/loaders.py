"""Per-request DataLoaders for the catalog's bulky parts, which stay in the database.

The lists and lookups come from the request's catalog snapshot (backend.catalog.snapshot) and need
no loader; materials, forms, rules and keywords load in one batch per request, whatever the page size.
"""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from backend.catalog import models as m
from backend.catalog.service import CatalogService


class CatalogLoaders:
    """Created by the context for one request; never shared between requests."""

    def __init__(self, catalog: CatalogService) -> None:
        self.matter_details = DataLoader[str, m.MatterDetails | None](load_fn=catalog.matter_details)
