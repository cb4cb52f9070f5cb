"""The seam through which the queue tells appointments how a visit ended."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


async def record_outcome(session: AsyncSession, appointment_id: str, *, served: bool, now: datetime) -> None:
    """The appointment's ticket was finished (served) or marked missed (a no-show strike, by the rules),
    in the caller's transaction."""
    del session, appointment_id, served, now  # filled in by the appointments part
