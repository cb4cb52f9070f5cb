"""The seam between appointments and the queue: the QR code that checks a citizen in at the hall."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import msgspec
from sqlalchemy import update

from backend.db import tables as t
from backend.errors import DomainError
from backend.hall.appointments import passes, visit_reads
from backend.hall.appointments.models import Appointment, AppointmentStatus
from backend.hall.appointments.visit_errors import VisitErrorCode
from backend.hall.appointments.visit_texts import beijing_time

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
    locale: str = "zh-Hans"
    """The language the citizen booked in: the ticket's SMS speaks it too."""


def _checked_in(appointment: Appointment) -> CheckedIn:
    a = appointment
    return CheckedIn(
        a.id, a.reference, a.citizen_id, a.hall_code, a.category_code, a.matter_code, a.starts_at, a.ends_at, a.locale
    )


async def check_in(session: AsyncSession, code: str, hall_code: str, now: datetime, *, secret: bytes) -> CheckedIn:
    """Check in the appointment the QR code's `code` names at `hall_code` (a DomainError when the code is
    unknown, forged, for another hall or day, or its appointment is not confirmed). `secret` is the
    platform's master secret (`resources.identity.master_secret`). A second scan of a pass already
    checked in returns the same CheckedIn and changes nothing; the caller owns the transaction."""
    appointment_id = passes.appointment_id_of(code)
    found = await visit_reads.get(session, appointment_id) if appointment_id else None
    # Unknown, forged and superseded (rescheduled: a new nonce) passes are refused alike: which one it
    # was would tell a forger how close they came.
    if found is None or not passes.signed_for(secret, code, found):
        raise DomainError(VisitErrorCode.CHECK_IN_CODE_INVALID, field="code")
    if found.hall_code != hall_code:
        raise DomainError(VisitErrorCode.CHECK_IN_OTHER_HALL, field="code")
    if found.status is AppointmentStatus.CHECKED_IN:
        return _checked_in(found)
    if found.status is not AppointmentStatus.CONFIRMED:
        raise DomainError(VisitErrorCode.APPOINTMENT_NOT_CONFIRMED, field="code")
    opens, ends = passes.window(found)
    if now < opens:
        raise DomainError(VisitErrorCode.CHECK_IN_TOO_EARLY, field="code", opens=beijing_time(opens))
    if now >= ends:
        raise DomainError(VisitErrorCode.CHECK_IN_TOO_LATE, field="code", ended=beijing_time(ends))
    # Conditional: of two scans racing, one moves it; the other finds it checked in and says the same.
    a = t.appointments.c
    moved = await session.execute(
        update(t.appointments)
        .where(a.id == found.id, a.status == AppointmentStatus.CONFIRMED.value)
        .values(status=AppointmentStatus.CHECKED_IN.value, checked_in_at=now)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        again = await visit_reads.get(session, found.id)
        if again is None or again.status is not AppointmentStatus.CHECKED_IN:
            raise DomainError(VisitErrorCode.APPOINTMENT_NOT_CONFIRMED, field="code")
    return _checked_in(found)
