"""Per-request DataLoaders for the catalog: one query per kind per request, whatever the page size."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from backend.catalog import models as m
from backend.catalog.service import CatalogService


class CatalogLoaders:
    """Created by the context for one request; never shared between requests."""

    def __init__(self, catalog: CatalogService) -> None:
        self.region = DataLoader[str, m.Region | None](load_fn=catalog.regions_by_code)
        self.department = DataLoader[str, m.Department | None](load_fn=catalog.departments_by_code)
        self.certificate_type = DataLoader[str, m.CertificateType | None](load_fn=catalog.certificate_types_by_code)
        self.matter = DataLoader[str, m.MatterSummary | None](load_fn=catalog.matters_by_code)
        self.matter_details = DataLoader[str, m.MatterDetails | None](load_fn=catalog.matter_details)
        self.fees = DataLoader[str, list[m.Fee]](load_fn=catalog.fees_by_matter)
        self.halls = DataLoader[str, list[m.Hall]](load_fn=catalog.halls_by_matter)
        self.bundle_matters = DataLoader[str, list[str]](load_fn=catalog.bundle_matter_codes)
