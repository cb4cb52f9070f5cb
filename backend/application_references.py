"""Applications' reference numbers for finance (payments.finance.references.References), read here
because the applications domain owns them."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.engine import execute
from backend.db.tables.applications import applications as application_rows


class PlatformReferences:
    """References from the applications table."""

    async def applications_of(self, session: AsyncSession, reference: str) -> list[str]:
        """The application quoted, and its bundle when it is one's item (the bundle's order covers it)."""
        a = application_rows
        row = (await execute(session, select(a.c.id, a.c.parent_id).where(a.c.reference == reference.strip()))).first()
        if row is None:
            return []
        return [row.id, row.parent_id] if row.parent_id else [row.id]

    async def references_of(self, session: AsyncSession, application_ids: Collection[str]) -> dict[str, str]:
        """References by application id, in one query."""
        if not application_ids:
            return {}
        a = application_rows
        query = select(a.c.id, a.c.reference).where(a.c.id.in_(set(application_ids)))
        return {row.id: row.reference for row in await execute(session, query)}
