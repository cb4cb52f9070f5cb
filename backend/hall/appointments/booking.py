"""Booking: hold a place, confirm it, cancel, move to another slot. Every place is taken by
slots.take_place's conditional UPDATE in the transaction that writes the appointment, so a refused or
failed booking takes nothing, and no slot is ever booked beyond its capacity.

The caller owns the transaction (the mutation pipeline, a command, another part booking from an
application). Each change first serialises the citizen (their row on PostgreSQL, the database's one
writer on SQLite, taken by that first write), so the citizen's own rules (one live appointment per
matter, at most MAX_LIVE) hold under concurrent requests too.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from backend.applications.workdays import WorkCalendar
from backend.catalog import models as m
from backend.catalog.snapshot import CatalogSnapshot
from backend.db import tables as t
from backend.errors import CommonErrorCode, DomainError
from backend.hall.appointments import noshows, rules, slots, store
from backend.hall.appointments.calendar import beijing_day
from backend.hall.appointments.errors import AppointmentErrorCode
from backend.hall.appointments.models import Appointment, AppointmentStatus
from backend.hall.appointments.policies import policy_of
from backend.hall.appointments.slots import Slot
from backend.hall.categories import Category, category_of
from backend.identity import citizens

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

A = t.appointments
# Readable, and not guessable: 32 letters and digits without 0/O, 1/I/L.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_SECRET_LENGTH = 6


def reference(category_code: str, starts_at: datetime) -> str:
    """`YY-GZGA-1209-7K3Q9X`: 预约 (YY), the department, the Beijing month and day, a random part."""
    day = beijing_day(starts_at)
    secret = "".join(secrets.choice(_ALPHABET) for _ in range(_SECRET_LENGTH))
    return f"YY-{category_code.replace('-', '')}-{day:%m%d}-{secret}"


async def _serialise(session: AsyncSession, citizen_id: str) -> None:
    """Make the citizen's concurrent changes run one after another (see the module's note)."""
    if session.get_bind().dialect.name == "postgresql":
        await citizens.lock(session, citizen_id)
    else:
        row = t.citizens.c
        await session.execute(update(t.citizens).where(row.id == citizen_id).values(id=row.id))


def hall_and_category(snapshot: CatalogSnapshot, hall_code: str, matter_code: str) -> tuple[m.Hall, Category]:
    """The hall and the category that handles the matter there; HALL_DOES_NOT_HANDLE_MATTER otherwise."""
    hall = next((h for h in snapshot.halls if h.code == hall_code), None)
    category = category_of(snapshot, hall_code, matter_code)
    if hall is None or category is None or category.counters <= 0:
        raise DomainError(AppointmentErrorCode.HALL_DOES_NOT_HANDLE_MATTER, field="hallCode")
    return hall, category


async def expire_holds(session: AsyncSession, now: datetime, slot_id: int | None = None) -> int:
    """Holds not confirmed in time expire; their places reopen at once (an expiry is not a trade)."""
    due = (A.c.status == AppointmentStatus.HELD.value) & (A.c.held_until <= now)
    if slot_id is not None:
        due = due & (A.c.slot_id == slot_id)
    statement = update(A).where(due).values(status=AppointmentStatus.EXPIRED.value, reopens_at=A.c.held_until)
    return int((await session.execute(statement)).rowcount)  # type: ignore[attr-defined]


async def _slot_for(
    session: AsyncSession,
    snapshot: CatalogSnapshot,
    calendar: WorkCalendar,
    hall: m.Hall,
    category: Category,
    starts_at: datetime | None,
    slot_id: int | None,
) -> Slot:
    """The slot named by id (it must be the category's at the hall) or by its start (made if need be)."""
    if slot_id is not None:
        found = await slots.slot_by_id(session, slot_id)
        if found is None or found.hall_code != hall.code or found.category_code != category.code:
            raise DomainError(AppointmentErrorCode.SLOT_NOT_FOUND, field="slotId", starts_at=str(slot_id))
        return found
    if starts_at is None:
        raise DomainError(AppointmentErrorCode.SLOT_NOT_FOUND, field="startsAt", starts_at="-")
    policy = await policy_of(session, hall.code)
    day: date = beijing_day(starts_at)
    for slot in await slots.day_slots(session, hall, category, day, policy, calendar):
        if slot.starts_at == starts_at:
            return slot
    raise DomainError(AppointmentErrorCode.SLOT_NOT_FOUND, field="startsAt", starts_at=starts_at.isoformat())


async def _take(session: AsyncSession, slot: Slot, now: datetime) -> None:
    """Take a place of the slot, after its due expiries and reopenings; SLOT_FULL when none is left."""
    await expire_holds(session, now, slot.id)
    await slots.reopen_due(session, now, slot.id)
    if not await slots.take_place(session, slot.id):
        raise DomainError(AppointmentErrorCode.SLOT_FULL, field="slotId")


async def book(
    session: AsyncSession,
    snapshot: CatalogSnapshot,
    calendar: WorkCalendar,
    citizen_id: str,
    hall_code: str | None,
    matter_code: str,
    *,
    starts_at: datetime | None = None,
    slot_id: int | None = None,
    application_id: str | None = None,
    locale: str,
    now: datetime,
) -> Appointment:
    """Hold a place for the citizen (held until now + the hall's hold_minutes; confirm() keeps it): in the
    slot `slot_id`, or the one starting at `starts_at` at `hall_code`. The function other parts call to
    book from an application (`application_id`); `locale` is the citizen's, for the SMS reminders."""
    now = now.astimezone(UTC)  # stored and returned as UTC, whatever zone the caller's clock is in
    if application_id is not None:
        await _check_application(session, citizen_id, application_id, matter_code)
    if hall_code is None and slot_id is not None:
        named = await slots.slot_by_id(session, slot_id)
        hall_code = named.hall_code if named else ""
    hall, category = hall_and_category(snapshot, hall_code or "", matter_code)
    slot = await _slot_for(session, snapshot, calendar, hall, category, starts_at, slot_id)
    policy = await policy_of(session, hall.code)
    rules.check_time(policy, slot, now)
    # A slot that looks full is tried first: the crowd that comes too late for its last places is refused in
    # a few statements, without queueing on its citizens' rows. A place it does take is given back by the
    # rollback if one of the citizen's rules then refuses.
    taken_first = slot.places_left == 0
    if taken_first:
        if not await slots.places_due_back(session, slot.id, now):
            # Full, and no hold expires nor cancelled place reopens: refused on a plain read, without
            # queueing on the slot's row behind the bookers that are taking its last places.
            raise DomainError(AppointmentErrorCode.SLOT_FULL, field="slotId")
        await _take(session, slot, now)
    await _serialise(session, citizen_id)
    until = await noshows.suspended_until(session, citizen_id, now)
    if until is not None:
        raise DomainError(AppointmentErrorCode.BOOKING_SUSPENDED, until=beijing_day(until).isoformat())
    await rules.check_citizen(session, citizen_id, matter_code, now)
    if not taken_first:
        await _take(session, slot, now)
    return await _insert(
        session,
        citizen_id=citizen_id,
        slot=slot,
        matter_code=matter_code,
        application_id=application_id,
        status=AppointmentStatus.HELD,
        held_until=now + timedelta(minutes=policy.hold_minutes),
        rescheduled_from=None,
        locale=locale,
        now=now,
    )


async def _check_application(session: AsyncSession, citizen_id: str, application_id: str, matter_code: str) -> None:
    """The application a booking is for must be the citizen's own, of the matter booked (NOT_FOUND otherwise:
    another citizen's application is not told apart from none)."""
    a = t.applications.c
    mine = select(a.id).where(a.id == application_id, a.citizen_id == citizen_id, a.matter_code == matter_code)
    if (await session.execute(mine)).first() is None:
        raise DomainError(CommonErrorCode.NOT_FOUND, field="applicationId")


async def _insert(
    session: AsyncSession,
    *,
    citizen_id: str,
    slot: Slot,
    matter_code: str,
    application_id: str | None,
    status: AppointmentStatus,
    held_until: datetime | None,
    rescheduled_from: str | None,
    locale: str,
    now: datetime,
) -> Appointment:
    made = Appointment(
        id=str(uuid.uuid4()),
        reference=reference(slot.category_code, slot.starts_at),
        citizen_id=citizen_id,
        slot_id=slot.id,
        hall_code=slot.hall_code,
        category_code=slot.category_code,
        matter_code=matter_code,
        application_id=application_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        status=status,
        held_until=held_until,
        confirmed_at=now if status is AppointmentStatus.CONFIRMED else None,
        cancelled_at=None,
        checked_in_at=None,
        outcome_at=None,
        rescheduled_from=rescheduled_from,
        check_in_nonce=secrets.token_hex(16),
        locale=locale,
        created_at=now,
    )
    values = {name: getattr(made, name) for name in made.__struct_fields__}
    await session.execute(A.insert().values(**values | {"status": status.value}))
    return made


async def _own(session: AsyncSession, citizen_id: str, appointment_id: str) -> Appointment:
    found = await store.get(session, appointment_id, citizen_id=citizen_id)
    if found is None:
        raise DomainError(AppointmentErrorCode.APPOINTMENT_NOT_FOUND, field="id")
    return found


def _changeable(appointment: Appointment, now: datetime) -> None:
    """APPOINTMENT_NOT_CHANGEABLE unless held or confirmed and its slot has not begun; HOLD_EXPIRED for a
    hold past its time."""
    lapsed = appointment.status is AppointmentStatus.HELD and appointment.held_until and appointment.held_until <= now
    if lapsed or appointment.status is AppointmentStatus.EXPIRED:
        raise DomainError(AppointmentErrorCode.HOLD_EXPIRED, field="id")
    live = appointment.status in (AppointmentStatus.HELD, AppointmentStatus.CONFIRMED)
    if not live or appointment.starts_at <= now:
        raise DomainError(AppointmentErrorCode.APPOINTMENT_NOT_CHANGEABLE, field="id", status=appointment.status.value)


async def confirm(session: AsyncSession, citizen_id: str, appointment_id: str, now: datetime) -> Appointment:
    """Confirm a held place (confirming a confirmed one changes nothing)."""
    now = now.astimezone(UTC)  # stored and returned as UTC, whatever zone the caller's clock is in
    await _serialise(session, citizen_id)
    found = await _own(session, citizen_id, appointment_id)
    if found.status is AppointmentStatus.CONFIRMED:
        return found
    _changeable(found, now)
    confirmed = AppointmentStatus.CONFIRMED.value
    await session.execute(
        update(A).where(A.c.id == found.id).values(status=confirmed, confirmed_at=now, held_until=None)
    )
    return await _own(session, citizen_id, appointment_id)


async def cancel(session: AsyncSession, citizen_id: str, appointment_id: str, now: datetime) -> Appointment:
    """Cancel a held or confirmed appointment: its place stays closed for the hall's anti_trading_minutes
    (so it cannot be handed to someone waiting for it), then reopens."""
    now = now.astimezone(UTC)  # stored and returned as UTC, whatever zone the caller's clock is in
    await _serialise(session, citizen_id)
    found = await _own(session, citizen_id, appointment_id)
    _changeable(found, now)
    policy = await policy_of(session, found.hall_code)
    await _close(session, found.id, now, policy.anti_trading_minutes)
    return await _own(session, citizen_id, appointment_id)


async def _close(session: AsyncSession, appointment_id: str, now: datetime, delay_minutes: int) -> None:
    reopens = now + timedelta(minutes=delay_minutes)
    values = {
        "status": AppointmentStatus.CANCELLED.value,
        "cancelled_at": now,
        "reopens_at": reopens,
        "held_until": None,
    }
    await session.execute(update(A).where(A.c.id == appointment_id).values(**values))


async def reschedule(
    session: AsyncSession,
    snapshot: CatalogSnapshot,
    calendar: WorkCalendar,
    citizen_id: str,
    appointment_id: str,
    slot_id: int,
    now: datetime,
) -> Appointment:
    """Move an appointment to another slot (of its matter's category, at any hall handling it): the new place
    is taken first, then the old appointment is cancelled (its place follows the anti-trading rule), in one
    transaction; the new one keeps the old one's state (held or confirmed), with a new reference and
    check-in nonce and `rescheduled_from`."""
    now = now.astimezone(UTC)  # stored and returned as UTC, whatever zone the caller's clock is in
    await _serialise(session, citizen_id)
    old = await _own(session, citizen_id, appointment_id)
    _changeable(old, now)
    if slot_id == old.slot_id:
        raise DomainError(AppointmentErrorCode.SAME_SLOT, field="slotId")
    target = await slots.slot_by_id(session, slot_id)
    if target is None:
        raise DomainError(AppointmentErrorCode.SLOT_NOT_FOUND, field="slotId", starts_at=str(slot_id))
    hall, category = hall_and_category(snapshot, target.hall_code, old.matter_code)
    if target.category_code != category.code:
        raise DomainError(AppointmentErrorCode.SLOT_NOT_FOUND, field="slotId", starts_at=str(slot_id))
    policy = await policy_of(session, hall.code)
    rules.check_time(policy, target, now)
    await rules.check_citizen(session, citizen_id, old.matter_code, now, moving=old.id)
    await _take(session, target, now)
    old_policy = policy if old.hall_code == hall.code else await policy_of(session, old.hall_code)
    await _close(session, old.id, now, old_policy.anti_trading_minutes)
    return await _insert(
        session,
        citizen_id=citizen_id,
        slot=target,
        matter_code=old.matter_code,
        application_id=old.application_id,
        status=old.status,
        held_until=old.held_until,
        rescheduled_from=old.id,
        locale=old.locale,
        now=now,
    )
