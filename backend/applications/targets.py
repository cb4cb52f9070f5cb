"""What is applied for: a matter, or a life-event bundle's matters, with their catalog details."""

from __future__ import annotations

from backend.applications.errors import ApplicationErrorCode
from backend.applications.forms import MatterSpec
from backend.applications.unit import Unit
from backend.catalog.service import CatalogService
from backend.errors import DomainError, NotFoundError


class Targets:
    """Matters and bundles as applications are made for them."""

    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    async def specs(self, matter_code: str | None, bundle_code: str | None) -> tuple[str, list[MatterSpec]]:
        """The target key ("matter:CODE" or "bundle:CODE") and its matters' specs, in processing order."""
        if (matter_code is None) == (bundle_code is None):
            raise DomainError(ApplicationErrorCode.MATTER_OR_BUNDLE)
        snapshot = self._unit.snapshot
        if bundle_code is not None:
            codes = snapshot.bundle_matters.get(bundle_code)
            if not codes:
                raise NotFoundError(bundle_code, field="bundleCode")
            target = f"bundle:{bundle_code}"
        else:
            assert matter_code is not None
            if matter_code not in snapshot.by_code:
                raise NotFoundError(matter_code, field="matterCode")
            codes, target = [matter_code], f"matter:{matter_code}"
        details = await CatalogService(self._unit.session).matter_details(codes)
        specs = [MatterSpec(snapshot.by_code[c], d) for c, d in zip(codes, details, strict=True) if d]
        return target, specs

    async def spec(self, matter_code: str) -> MatterSpec:
        """One matter's spec."""
        _, specs = await self.specs(matter_code, None)
        return specs[0]
