"""The seam between appointments and the queue: the QR code that checks a citizen in at the hall."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import msgspec

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


class CheckedIn(msgspec.Struct, frozen=True):
    """An appointment whose citizen has arrived: what the queue needs to issue its ticket."""

    appointment_id: str
    reference: str
    citizen_id: str
    hall_code: str
    category_code: str
    matter_code: str
    starts_at: datetime
    """The slot's start: the ticket's place in the queue (appointments are called at their time)."""
    ends_at: datetime


async def check_in(session: AsyncSession, code: str, hall_code: str, now: datetime) -> CheckedIn:
    """Check in the appointment the QR code's `code` names at `hall_code` (a DomainError when the code is
    unknown, forged, for another hall or day, or its appointment is not confirmed)."""
    raise NotImplementedError
