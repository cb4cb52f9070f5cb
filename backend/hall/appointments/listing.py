"""The slots a citizen sees for a matter at a hall on a day: places left, and whether (or why not) bookable."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import msgspec

from backend.applications.workdays import WorkCalendar
from backend.catalog.snapshot import CatalogSnapshot
from backend.errors import DomainError
from backend.hall.appointments import rules, slots
from backend.hall.appointments.booking import hall_and_category
from backend.hall.appointments.errors import AppointmentErrorCode
from backend.hall.appointments.policies import policy_of
from backend.hall.appointments.slots import Slot

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

FULL, TOO_SOON, TOO_FAR = "full", "too_soon", "too_far"
# Why a slot cannot be booked, in words (translated in locales/; a label, never the code).
REASONS: dict[str, str] = {
    FULL: "Fully booked",
    TOO_SOON: "Too soon to book: booking closes {minutes} minutes before",
    TOO_FAR: "Not open for booking yet: up to {days} days ahead",
}


class SlotView(msgspec.Struct, frozen=True):
    """A slot as a citizen sees it."""

    slot: Slot
    bookable: bool
    reason: str | None
    """FULL, TOO_SOON or TOO_FAR when not bookable."""
    params: dict[str, int]


async def day_listing(
    session: AsyncSession,
    snapshot: CatalogSnapshot,
    calendar: WorkCalendar,
    hall_code: str,
    matter_code: str,
    day: date,
    now: datetime,
) -> list[SlotView]:
    """The matter's slots at the hall on the Beijing day (empty when the hall is closed). Places that
    reopened are counted back first, so what is shown is what can be booked."""
    hall, category = hall_and_category(snapshot, hall_code, matter_code)
    policy = await policy_of(session, hall.code)
    rules.check_listed_day(policy, day, now)
    found = await slots.day_slots(session, hall, category, day, policy, calendar)
    reopened = [await _reopened(session, s.id, now) for s in found]
    if any(reopened):
        found = await slots.day_slots(session, hall, category, day, policy, calendar)
    views = []
    for slot in found:
        reason, params = None, {}
        try:
            rules.check_time(policy, slot, now)
        except DomainError as refused:
            if refused.code == AppointmentErrorCode.TOO_LITTLE_NOTICE:
                reason, params = TOO_SOON, {"minutes": policy.min_notice_minutes}
            else:
                reason, params = TOO_FAR, {"days": policy.booking_window_days}
        if reason is None and slot.places_left == 0:
            reason = FULL
        views.append(SlotView(slot, reason is None, reason, params))
    return views


async def _reopened(session: AsyncSession, slot_id: int, now: datetime) -> int:
    from backend.hall.appointments.booking import expire_holds

    return await expire_holds(session, now, slot_id) + await slots.reopen_due(session, now, slot_id)
