"""The platform's departments and citizens as payments needs them (payments.parties.Parties): the
catalog's departments issue receipts, identity's citizens pay."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.models import fee_kind
from backend.catalog.service import CatalogService
from backend.identity.citizens import names_of
from payments.parties import IssuingUnit


class PlatformParties:
    """Departments from the catalog, payers from identity."""

    async def issuing_units(self, session: AsyncSession, codes: Collection[str]) -> dict[str, IssuingUnit]:
        """The catalog's departments of `codes`, as receipts name them."""
        departments = await CatalogService(session).departments(codes)
        return {
            code: IssuingUnit(code=code, name=department.name, fiscal_code=department.fiscal_code)
            for code, department in departments.items()
        }

    def fee_kinds(self, item_codes: Collection[str]) -> dict[str, str]:
        """The catalog's kind of each fee (a tax, or non-tax revenue)."""
        return {code: fee_kind(code) for code in item_codes}

    async def payer_names(self, session: AsyncSession, citizen_ids: Collection[str]) -> dict[str, str]:
        """Identity's verified citizens' names."""
        return await names_of(session, citizen_ids)
