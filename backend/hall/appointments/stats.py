"""Appointment figures the hall manager's view reads."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


async def no_shows(session: AsyncSession, hall_code: str, day: date) -> int:
    """How many of the hall's appointments on that Beijing day were no-shows."""
    raise NotImplementedError


async def booked(session: AsyncSession, hall_code: str, day: date) -> dict[str, int]:
    """Confirmed appointments per category code on that Beijing day (the next hours' arrivals)."""
    raise NotImplementedError
